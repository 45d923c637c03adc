package programs

import (
	"fmt"
	"strings"
	"time"

	"college/modules/web"
)

// RulesRequest are a group's rules; every field is optional and all given
// must hold.
type RulesRequest struct {
	Levels                []string `json:"levels,omitempty"`
	OrgID                 uint64   `json:"org_id,omitempty"`
	PostContains          string   `json:"post_contains,omitempty"`
	AppointedWithinMonths int      `json:"appointed_within_months,omitempty"`
	Tags                  []string `json:"tags,omitempty"`
}

// GroupRequest is a target group of a new programme.
type GroupRequest struct {
	Name  string       `json:"name"`
	Rules RulesRequest `json:"rules"`
}

// ProgramRequest creates a programme.
type ProgramRequest struct {
	Title  string         `json:"title"`
	Kind   string         `json:"kind"`
	Year   int            `json:"year"`
	Groups []GroupRequest `json:"groups"`
}

// ClassesRequest sets the classes of a programme.
type ClassesRequest struct {
	ClassIDs []uint64 `json:"class_ids"`
}

// Limits of a programme.
const (
	MaxGroups  = 20
	MaxClasses = 200
	MaxListLen = 50
)

func (in *ProgramRequest) validate(levels []string, now time.Time) web.Fields {
	f := web.Fields{}
	in.Title = strings.TrimSpace(in.Title)
	f.Required("title", in.Title)
	f.MaxLen("title", in.Title, 200)
	if KindNames[in.Kind] == "" {
		f.Add("kind", "项目类别应为 leaders、young、grassroots、special 或 other")
	}
	this := now.In(web.Shanghai).Year()
	if in.Year < 2000 || in.Year > this+5 {
		f.Add("year", fmt.Sprintf("年度应为 2000 至 %d", this+5))
	}
	switch {
	case len(in.Groups) == 0:
		f.Add("groups", "至少设置一个培训对象分组")
	case len(in.Groups) > MaxGroups:
		f.Add("groups", fmt.Sprintf("分组不能超过 %d 个", MaxGroups))
	}
	for i := range in.Groups {
		g := &in.Groups[i]
		key := fmt.Sprintf("groups[%d]", i)
		g.Name = strings.TrimSpace(g.Name)
		f.Required(key+".name", g.Name)
		f.MaxLen(key+".name", g.Name, 100)
		r := &g.Rules
		r.Levels = cleanList(r.Levels)
		r.Tags = cleanList(r.Tags)
		r.PostContains = strings.TrimSpace(r.PostContains)
		for _, l := range r.Levels {
			if !contains(levels, l) {
				f.Add(key+".rules.levels", "职级应为："+strings.Join(levels, "、"))
			}
		}
		f.Check(len(r.Levels) <= MaxListLen && len(r.Tags) <= MaxListLen, key+".rules", fmt.Sprintf("职级、标签各不能超过 %d 项", MaxListLen))
		for _, t := range r.Tags {
			f.Check(len([]rune(t)) <= 50 && !strings.Contains(t, ","), key+".rules.tags", "标签不能超过 50 字，也不能含逗号")
		}
		f.MaxLen(key+".rules.post_contains", r.PostContains, 50)
		f.Check(r.AppointedWithinMonths >= 0 && r.AppointedWithinMonths <= 600, key+".rules.appointed_within_months", "任现职月数应为 0 至 600")
	}
	return f
}

func cleanList(in []string) []string {
	out := []string{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// RulesResponse are a group's rules as stored.
type RulesResponse struct {
	Levels                []string `json:"levels"`
	OrgID                 uint64   `json:"org_id"`
	OrgName               string   `json:"org_name"`
	PostContains          string   `json:"post_contains"`
	AppointedWithinMonths int      `json:"appointed_within_months"`
	Tags                  []string `json:"tags"`
}

// GroupResponse is a target group.
type GroupResponse struct {
	ID    uint64        `json:"id"`
	Name  string        `json:"name"`
	Rules RulesResponse `json:"rules"`
}

// ClassItem is a class of a programme.
type ClassItem struct {
	ID    uint64 `json:"id"`
	Title string `json:"title"`
}

// ProgramItem is a programme in a list.
type ProgramItem struct {
	ID           uint64    `json:"id"`
	Title        string    `json:"title"`
	Kind         string    `json:"kind"`
	KindName     string    `json:"kind_name"`
	Year         int       `json:"year"`
	OwnerOrgID   uint64    `json:"owner_org_id"`
	OwnerOrgName string    `json:"owner_org_name"`
	CreatedAt    time.Time `json:"created_at"`
}

// ProgramResponse is a programme with its groups and classes.
type ProgramResponse struct {
	ProgramItem
	Groups  []GroupResponse `json:"groups"`
	Classes []ClassItem     `json:"classes"`
}

// PersonItem is a person of a target group: no personal data beyond the
// name, org and level.
type PersonItem struct {
	ID      uint64 `json:"id"`
	Name    string `json:"name"`
	OrgName string `json:"org_name"`
	Level   string `json:"level"`
}

// PreviewResponse is how many people a group selects, and some of them.
type PreviewResponse struct {
	Count  int64        `json:"count"`
	Sample []PersonItem `json:"sample"`
}

// Counts are a group's coverage figures.
type Counts struct {
	Target     int64   `json:"target"`
	Completed  int64   `json:"completed"`
	Registered int64   `json:"registered"`
	NotReached int64   `json:"not_reached"`
	Rate       float64 `json:"rate"`
}

// UnitCoverage is a group's coverage in one unit.
type UnitCoverage struct {
	OrgID   uint64 `json:"org_id"`
	OrgName string `json:"org_name"`
	Counts
}

// GroupCoverage is a group's coverage with its units.
type GroupCoverage struct {
	ID   uint64 `json:"id"`
	Name string `json:"name"`
	Counts
	Units []UnitCoverage `json:"units"`
}

// CoverageResponse is the coverage of a programme.
type CoverageResponse struct {
	Groups []GroupCoverage `json:"groups"`
}
