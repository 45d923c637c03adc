package dashboard

import (
	"college/modules/training"
	"college/modules/web"
)

// CoverageUnitResponse is one unit of the coverage section.
type CoverageUnitResponse struct {
	OrgID      uint64         `json:"org_id"`
	Name       string         `json:"name"`
	Own        bool           `json:"own,omitempty"`
	Cadres     int            `json:"cadres"`
	Covered    int            `json:"covered"`
	Uncovered  int            `json:"uncovered"`
	Rate       float64        `json:"rate"`
	Seniors    int            `json:"seniors"`
	LeadersDue int            `json:"leaders_due"`
	ByKind     map[string]int `json:"by_kind"`
}

// CoverageResponse is GET /dashboard/coverage.
type CoverageResponse struct {
	OrgID         uint64                 `json:"org_id"`
	OrgName       string                 `json:"org_name"`
	Years         int                    `json:"years"`
	From          string                 `json:"from"`
	To            string                 `json:"to"`
	Kind          string                 `json:"kind"`
	Kinds         []string               `json:"kinds"`
	Cadres        int                    `json:"cadres"`
	Covered       int                    `json:"covered"`
	Uncovered     int                    `json:"uncovered"`
	Rate          float64                `json:"rate"`
	Seniors       int                    `json:"seniors"`
	LeadersDue    int                    `json:"leaders_due"`
	ByKind        map[string]int         `json:"by_kind"`
	CycleFrom     int                    `json:"cycle_from"`
	CycleTo       int                    `json:"cycle_to"`
	Centralized5y web.Hours              `json:"centralized_5y"`
	Units         []CoverageUnitResponse `json:"units"`
}

// CoveragePersonResponse is one cadre of GET /dashboard/coverage/people.
type CoveragePersonResponse struct {
	ID               uint64     `json:"id"`
	Name             string     `json:"name"`
	OrgID            uint64     `json:"org_id"`
	Org              string     `json:"org"`
	Level            string     `json:"level"`
	Kinds            []string   `json:"kinds"`
	Covered          bool       `json:"covered"`
	Senior           bool       `json:"senior"`
	CycleCentralized *web.Hours `json:"cycle_centralized,omitempty"` // 县处级及以上: centralized hours of the cycle so far
	Due              bool       `json:"due"`
}

// CoveragePeopleResponse is the house list shape.
type CoveragePeopleResponse struct {
	Items    []CoveragePersonResponse `json:"items"`
	Total    int64                    `json:"total"`
	Page     int                      `json:"page"`
	PageSize int                      `json:"page_size"`
}

// QuotaRowResponse is one unit (OrgID, Name) or one class (ClassID,
// Title) of the registrations section: quota allotted and used,
// registrations live, pending, admitted and waitlisted.
type QuotaRowResponse struct {
	OrgID      uint64  `json:"org_id,omitempty"`
	Name       string  `json:"name,omitempty"`
	Own        bool    `json:"own,omitempty"`
	ClassID    uint64  `json:"class_id,omitempty"`
	Title      string  `json:"title,omitempty"`
	Kind       string  `json:"kind,omitempty"`
	StartsOn   string  `json:"starts_on,omitempty"`
	Quota      int     `json:"quota"`
	Used       int     `json:"used"`
	UsedRate   float64 `json:"used_rate"`
	Registered int     `json:"registered"`
	Pending    int     `json:"pending"`
	Approved   int     `json:"approved"`
	Waitlisted int     `json:"waitlisted"`
}

// RegistrationsResponse is GET /dashboard/registrations.
type RegistrationsResponse struct {
	OrgID      uint64             `json:"org_id"`
	OrgName    string             `json:"org_name"`
	Year       int                `json:"year"`
	Quota      int                `json:"quota"`
	Used       int                `json:"used"`
	UsedRate   float64            `json:"used_rate"`
	Registered int                `json:"registered"`
	Pending    int                `json:"pending"`
	Approved   int                `json:"approved"`
	Waitlisted int                `json:"waitlisted"`
	Units      []QuotaRowResponse `json:"units"`
	Classes    []QuotaRowResponse `json:"classes"`
}

// FollowupUnitResponse is one unit's follow-up rounds of the year.
type FollowupUnitResponse struct {
	OrgID          uint64  `json:"org_id"`
	Name           string  `json:"name"`
	Own            bool    `json:"own,omitempty"`
	Due            int     `json:"due"`
	Done           int     `json:"done"`
	Pending        int     `json:"pending"`
	Overdue        int     `json:"overdue"`
	Cancelled      int     `json:"cancelled"`
	CompletionRate float64 `json:"completion_rate"`
}

// FollowupResponse is GET /dashboard/followup.
type FollowupResponse struct {
	OrgID          uint64                 `json:"org_id"`
	OrgName        string                 `json:"org_name"`
	Year           int                    `json:"year"`
	Due            int                    `json:"due"`
	Done           int                    `json:"done"`
	Pending        int                    `json:"pending"`
	Overdue        int                    `json:"overdue"`
	Cancelled      int                    `json:"cancelled"`
	CompletionRate float64                `json:"completion_rate"`
	Units          []FollowupUnitResponse `json:"units"`
}

// SatisfactionCollegeResponse is one host college's evaluations.
type SatisfactionCollegeResponse struct {
	OrgID            uint64  `json:"org_id"`
	Name             string  `json:"name"`
	Evaluations      int     `json:"evaluations"`
	Responses        int     `json:"responses"`
	AverageScore     float64 `json:"average_score"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
	MeetsBar         bool    `json:"meets_bar"`
	Meeting          int     `json:"meeting"` // evaluations that reached the bar
}

// SatisfactionEvaluationResponse is one evaluation.
type SatisfactionEvaluationResponse struct {
	EvaluationID     uint64  `json:"evaluation_id"`
	ClassID          uint64  `json:"class_id"`
	OrgID            uint64  `json:"org_id"`
	College          string  `json:"college"`
	TargetType       string  `json:"target_type"`
	Target           string  `json:"target"`
	Responses        int     `json:"responses"`
	AverageScore     float64 `json:"average_score"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
	MeetsBar         bool    `json:"meets_bar"`
}

// SatisfactionResponse is GET /dashboard/satisfaction.
type SatisfactionResponse struct {
	OrgID            uint64                           `json:"org_id"`
	OrgName          string                           `json:"org_name"`
	Year             int                              `json:"year"`
	Bar              float64                          `json:"bar"`
	Evaluations      int                              `json:"evaluations"`
	Responses        int                              `json:"responses"`
	AverageScore     float64                          `json:"average_score"`
	SatisfactionRate float64                          `json:"satisfaction_rate"`
	MeetsBar         bool                             `json:"meets_bar"`
	Meeting          int                              `json:"meeting"`
	Colleges         []SatisfactionCollegeResponse    `json:"colleges"`
	Items            []SatisfactionEvaluationResponse `json:"items"`
}

func coverageUnit(o Org, own bool, t CoverageTally) CoverageUnitResponse {
	by := map[string]int{}
	for k, n := range t.ByKind {
		by[k] = n
	}
	return CoverageUnitResponse{OrgID: o.ID, Name: unitName(o, own), Own: own, Cadres: t.Cadres, Covered: t.Covered, Uncovered: t.Uncovered(),
		Rate: t.Rate(), Seniors: t.Seniors, LeadersDue: t.Due, ByKind: by}
}

func coverageResponse(c Coverage) CoverageResponse {
	from, _ := c.Rules.Cycle(yearOf(c.To))
	t := coverageUnit(c.Org, false, c.CoverageTally)
	out := CoverageResponse{OrgID: c.Org.ID, OrgName: c.Org.Name, Years: c.Years, From: c.From, To: c.To, Kind: c.Kind, Kinds: training.Kinds,
		Cadres: t.Cadres, Covered: t.Covered, Uncovered: t.Uncovered, Rate: t.Rate, Seniors: t.Seniors, LeadersDue: t.LeadersDue, ByKind: t.ByKind,
		CycleFrom: from, CycleTo: from + c.Rules.CycleYears - 1, Centralized5y: c.Rules.Centralized5y, Units: make([]CoverageUnitResponse, 0, len(c.Units))}
	for _, u := range c.Units {
		out.Units = append(out.Units, coverageUnit(u.Org, u.Own, u.V))
	}
	return out
}

func coveragePersonResponse(r CoveragePerson) CoveragePersonResponse {
	out := CoveragePersonResponse{ID: r.ID, Name: r.Name, OrgID: r.OrgID, Org: r.OrgName, Level: r.Level, Kinds: r.Kinds, Covered: r.Covered, Senior: r.Senior, Due: r.Due}
	if out.Kinds == nil {
		out.Kinds = []string{}
	}
	if r.Senior {
		c := r.Cycle
		out.CycleCentralized = &c
	}
	return out
}

func coveragePeopleResponse(pp CoveragePeoplePage) CoveragePeopleResponse {
	out := CoveragePeopleResponse{Items: make([]CoveragePersonResponse, 0, len(pp.Rows)), Total: pp.Total, Page: pp.Page.Page, PageSize: pp.Page.PageSize}
	for _, r := range pp.Rows {
		out.Items = append(out.Items, coveragePersonResponse(r))
	}
	return out
}

func quotaRow(t QuotaTally) QuotaRowResponse {
	return QuotaRowResponse{Quota: t.Quota, Used: t.Used, UsedRate: t.UsedRate(), Registered: t.Registered, Pending: t.Pending, Approved: t.Approved, Waitlisted: t.Waitlisted}
}

func registrationsResponse(r Registrations) RegistrationsResponse {
	t := quotaRow(r.QuotaTally)
	out := RegistrationsResponse{OrgID: r.Org.ID, OrgName: r.Org.Name, Year: r.Year, Quota: t.Quota, Used: t.Used, UsedRate: t.UsedRate,
		Registered: t.Registered, Pending: t.Pending, Approved: t.Approved, Waitlisted: t.Waitlisted,
		Units: make([]QuotaRowResponse, 0, len(r.Units)), Classes: make([]QuotaRowResponse, 0, len(r.Classes))}
	for _, u := range r.Units {
		row := quotaRow(u.V)
		row.OrgID, row.Name, row.Own = u.ID, unitName(u.Org, u.Own), u.Own
		out.Units = append(out.Units, row)
	}
	for _, c := range r.Classes {
		row := quotaRow(c.QuotaTally)
		row.ClassID, row.Title, row.Kind, row.StartsOn = c.ID, c.Title, c.Kind, c.StartsOn
		out.Classes = append(out.Classes, row)
	}
	return out
}

func followupUnit(o Org, own bool, t FollowupTally) FollowupUnitResponse {
	return FollowupUnitResponse{OrgID: o.ID, Name: unitName(o, own), Own: own, Due: t.Due, Done: t.Done, Pending: t.Pending, Overdue: t.Overdue,
		Cancelled: t.Cancelled, CompletionRate: t.CompletionRate()}
}

func followupResponse(f Followups) FollowupResponse {
	t := followupUnit(f.Org, false, f.FollowupTally)
	out := FollowupResponse{OrgID: f.Org.ID, OrgName: f.Org.Name, Year: f.Year, Due: t.Due, Done: t.Done, Pending: t.Pending, Overdue: t.Overdue,
		Cancelled: t.Cancelled, CompletionRate: t.CompletionRate, Units: make([]FollowupUnitResponse, 0, len(f.Units))}
	for _, u := range f.Units {
		out.Units = append(out.Units, followupUnit(u.Org, u.Own, u.V))
	}
	return out
}

func satisfactionCollege(s Satisfaction, o Org, t SatisfactionTally) SatisfactionCollegeResponse {
	return SatisfactionCollegeResponse{OrgID: o.ID, Name: o.Name, Evaluations: t.Evaluations, Responses: t.Responses, AverageScore: t.Score(),
		SatisfactionRate: t.Rate(), MeetsBar: s.Meets(t.Top2, t.Ratings), Meeting: t.Meeting}
}

func satisfactionResponse(s Satisfaction) SatisfactionResponse {
	t := satisfactionCollege(s, s.Org, s.SatisfactionTally)
	out := SatisfactionResponse{OrgID: s.Org.ID, OrgName: s.Org.Name, Year: s.Year, Bar: s.Bar, Evaluations: t.Evaluations, Responses: t.Responses,
		AverageScore: t.AverageScore, SatisfactionRate: t.SatisfactionRate, MeetsBar: t.MeetsBar, Meeting: t.Meeting,
		Colleges: make([]SatisfactionCollegeResponse, 0, len(s.Colleges)), Items: make([]SatisfactionEvaluationResponse, 0, len(s.Items))}
	for _, c := range s.Colleges {
		out.Colleges = append(out.Colleges, satisfactionCollege(s, c.College, c.SatisfactionTally))
	}
	for _, e := range s.Items {
		out.Items = append(out.Items, SatisfactionEvaluationResponse{EvaluationID: e.ID, ClassID: e.ClassID, OrgID: e.College.ID, College: e.College.Name,
			TargetType: e.TargetType, Target: e.TargetLabel, Responses: e.Responses, AverageScore: e.Score(), SatisfactionRate: e.Rate(), MeetsBar: s.Meets(e.Top2, e.Ratings)})
	}
	return out
}
