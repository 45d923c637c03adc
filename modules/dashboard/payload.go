package dashboard

import (
	"college/modules/hours"
	"college/modules/web"
)

var zeroSums hours.UserSums

// UnitResponse is one direct child of the org in the compliance summary.
type UnitResponse struct {
	OrgID  uint64  `json:"org_id"`
	Name   string  `json:"name"`
	Own    bool    `json:"own,omitempty"` // the org's own cadres, not a child unit
	Cadres int     `json:"cadres"`
	Met    int     `json:"met"`
	Behind int     `json:"behind"`
	Rate   float64 `json:"rate"`
}

// RulesResponse are the numbers the figures were computed with.
type RulesResponse struct {
	OnlineYearly      web.Hours `json:"online_yearly"`
	CentralizedYearly web.Hours `json:"centralized_yearly"`
	Centralized5y     web.Hours `json:"centralized_5y"`
	CycleFrom         int       `json:"cycle_from"`
	CycleTo           int       `json:"cycle_to"`
	CycleTarget       web.Hours `json:"cycle_target"` // 县处级及以上: pro rata target for the cycle so far
	CarryOver         bool      `json:"carry_over"`
}

// ComplianceResponse is GET /dashboard/compliance.
type ComplianceResponse struct {
	OrgID   uint64         `json:"org_id"`
	OrgName string         `json:"org_name"`
	Year    int            `json:"year"`
	Cadres  int            `json:"cadres"`
	Met     int            `json:"met"`
	Behind  int            `json:"behind"`
	Rate    float64        `json:"rate"`
	Rules   RulesResponse  `json:"rules"`
	Units   []UnitResponse `json:"units"`
}

// PersonResponse is one cadre of GET /dashboard/compliance/people: the
// person (no ID number, no phone) with the year's hours and the gaps.
type PersonResponse struct {
	ID                uint64     `json:"id"`
	Name              string     `json:"name"`
	OrgID             uint64     `json:"org_id"`
	Org               string     `json:"org"`
	Level             string     `json:"level"`
	Senior            bool       `json:"senior"`
	Online            web.Hours  `json:"online"`
	Centralized       web.Hours  `json:"centralized"`
	CycleCentralized  *web.Hours `json:"cycle_centralized,omitempty"` // 县处级及以上: the cycle so far
	OnlineTarget      web.Hours  `json:"online_target"`
	CentralizedTarget web.Hours  `json:"centralized_target"`
	CarryOnline       web.Hours  `json:"carry_online,omitempty"`
	CarryCentralized  web.Hours  `json:"carry_centralized,omitempty"`
	Status            string     `json:"status"`
	OnlineGap         web.Hours  `json:"online_gap"`
	CentralizedGap    web.Hours  `json:"centralized_gap"`
	Due               bool       `json:"due,omitempty"`
}

// PeopleResponse is the house list shape.
type PeopleResponse struct {
	Items    []PersonResponse `json:"items"`
	Total    int64            `json:"total"`
	Page     int              `json:"page"`
	PageSize int              `json:"page_size"`
}

// ExamRowResponse is one exam's figures for one unit.
type ExamRowResponse struct {
	ExamID     uint64  `json:"exam_id"`
	Exam       string  `json:"exam"`
	OrgID      uint64  `json:"org_id"`
	Unit       string  `json:"unit"`
	Candidates int     `json:"candidates"`
	Sat        int     `json:"sat"`
	Passed     int     `json:"passed"`
	PassRate   float64 `json:"pass_rate"`
}

// ExamsResponse is GET /dashboard/exams.
type ExamsResponse struct {
	OrgID uint64            `json:"org_id"`
	Year  int               `json:"year"`
	Items []ExamRowResponse `json:"items"`
}

func rulesResponse(r Rules, year int) RulesResponse {
	from, _ := r.Cycle(year)
	t := r.Judge("县处级", zeroSums, year)
	return RulesResponse{OnlineYearly: r.OnlineYearly, CentralizedYearly: r.CentralizedYearly, Centralized5y: r.Centralized5y,
		CycleFrom: from, CycleTo: from + r.CycleYears - 1, CycleTarget: t.CentralizedTarget, CarryOver: r.CarryOver}
}

// unitName labels the org's own cadres apart from its child units.
func unitName(o Org, own bool) string {
	if own {
		return o.Name + "（本级）"
	}
	return o.Name
}

func complianceResponse(c Compliance) ComplianceResponse {
	out := ComplianceResponse{OrgID: c.Org.ID, OrgName: c.Org.Name, Year: c.Year, Cadres: c.Cadres, Met: c.Met, Behind: c.Behind, Rate: c.Rate(),
		Rules: rulesResponse(c.Rules, c.Year), Units: make([]UnitResponse, 0, len(c.Units))}
	for _, u := range c.Units {
		out.Units = append(out.Units, UnitResponse{OrgID: u.ID, Name: unitName(u.Org, u.Own), Own: u.Own, Cadres: u.Cadres, Met: u.Met, Behind: u.Behind, Rate: u.Rate()})
	}
	return out
}

// StatusOf names a standing.
func StatusOf(met bool) string {
	if met {
		return StatusMet
	}
	return StatusBehind
}

func personResponse(r PersonRow) PersonResponse {
	out := PersonResponse{ID: r.ID, Name: r.Name, OrgID: r.OrgID, Org: r.OrgName, Level: r.Level, Senior: r.Senior,
		Online: r.Online, Centralized: r.Centralized, OnlineTarget: r.OnlineTarget, CentralizedTarget: r.CentralizedTarget,
		CarryOnline: r.CarryOnline, CarryCentralized: r.CarryCentralized, Status: StatusOf(r.Met),
		OnlineGap: r.OnlineGap, CentralizedGap: r.CentralizedGap, Due: r.Due}
	if r.Senior {
		c := r.Cycle
		out.CycleCentralized = &c
	}
	return out
}

func peopleResponse(pp PeoplePage) PeopleResponse {
	out := PeopleResponse{Items: make([]PersonResponse, 0, len(pp.Rows)), Total: pp.Total, Page: pp.Page.Page, PageSize: pp.Page.PageSize}
	for _, r := range pp.Rows {
		out.Items = append(out.Items, personResponse(r))
	}
	return out
}

func examsResponse(b ExamBoard) ExamsResponse {
	out := ExamsResponse{OrgID: b.Org.ID, Year: b.Year, Items: make([]ExamRowResponse, 0, len(b.Rows))}
	for _, r := range b.Rows {
		out.Items = append(out.Items, ExamRowResponse{ExamID: r.ExamID, Exam: r.ExamTitle, OrgID: r.Unit.ID, Unit: unitName(r.Unit, r.Own),
			Candidates: r.Candidates, Sat: r.Sat, Passed: r.Passed, PassRate: r.PassRate()})
	}
	return out
}
