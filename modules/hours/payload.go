package hours

import (
	"time"

	"college/modules/web"
)

// HourEntryResponse is one ledger entry in the API.
type HourEntryResponse struct {
	Hours    web.Hours `json:"hours"`
	Source   string    `json:"source"` // source type: course, exam or class
	RefID    uint64    `json:"ref_id"` // the source's id
	Title    string    `json:"title"`
	EarnedAt time.Time `json:"earned_at"`
	Category string    `json:"category"`
	Kind     string    `json:"kind"`
}

// HourTargetsResponse lists the requirements that apply to the learner; a
// rule that does not apply to the learner's level is null.
type HourTargetsResponse struct {
	Online            web.Hours  `json:"online"`
	Centralized       *web.Hours `json:"centralized"`
	Centralized5y     *web.Hours `json:"centralized_5y"`
	Centralized5yDone web.Hours  `json:"centralized_5y_done"`
	Centralized5yFrom int        `json:"centralized_5y_from"`
}

// HourCarryResponse is last year's surplus counted toward this year's
// targets (only when carry-over is on; not part of the totals).
type HourCarryResponse struct {
	Online      web.Hours `json:"online"`
	Centralized web.Hours `json:"centralized"`
}

// HoursResponse is a learner's year (GET /me/hours).
type HoursResponse struct {
	UserID      uint64              `json:"user_id"`
	Year        int                 `json:"year"`
	Level       string              `json:"level"`
	Total       web.Hours           `json:"total"`
	Online      web.Hours           `json:"online"`
	Centralized web.Hours           `json:"centralized"`
	Required    web.Hours           `json:"required"`
	Elective    web.Hours           `json:"elective"`
	Target      web.Hours           `json:"target"` // the yearly online target
	Targets     HourTargetsResponse `json:"targets"`
	CarriedOver *HourCarryResponse  `json:"carried_over,omitempty"`
	Entries     []HourEntryResponse `json:"entries"`
}

func entryResponses(entries []Entry) []HourEntryResponse {
	out := make([]HourEntryResponse, 0, len(entries))
	for _, e := range entries {
		out = append(out, HourEntryResponse{Hours: e.Hours, Source: e.SourceType, RefID: e.SourceID, Title: e.Title, EarnedAt: e.EarnedAt.UTC(), Category: e.Category, Kind: e.Kind})
	}
	return out
}

func hoursResponse(s Summary) HoursResponse {
	r := HoursResponse{
		UserID: s.UserID, Year: s.Year, Level: s.Level,
		Total: s.Totals.Total, Online: s.Totals.Online, Centralized: s.Totals.Centralized,
		Required: s.Totals.Required, Elective: s.Totals.Elective,
		Target:  s.Targets.Online,
		Targets: HourTargetsResponse{Online: s.Targets.Online},
		Entries: entryResponses(s.Entries),
	}
	if s.Targets.Senior {
		t := s.Targets.Centralized5y
		r.Targets.Centralized5y = &t
		r.Targets.Centralized5yDone = s.Targets.Centralized5yDone
		r.Targets.Centralized5yFrom = s.Targets.Centralized5yFrom
	} else {
		t := s.Targets.Centralized
		r.Targets.Centralized = &t
	}
	if s.Carry != nil {
		r.CarriedOver = &HourCarryResponse{Online: s.Carry.Online, Centralized: s.Carry.Centralized}
	}
	return r
}
