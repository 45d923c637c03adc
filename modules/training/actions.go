package training

import (
	"slices"

	"college/modules/web"
)

// The life-cycle actions of a class, as the API and the pages name them.
const (
	ActionSubmit  = "submit"
	ActionApprove = "approve"
	ActionReject  = "reject"
	ActionOpen    = "open"
	ActionClose   = "close"
	ActionStart   = "start"
	ActionArchive = "archive"
)

// move is one step of a class's life cycle: from which states, to which,
// and who makes it.
type move struct {
	from []string
	to   string
	by   func(*web.Principal) bool
}

func canManage(p *web.Principal) bool { return canHost(p) || canApprove(p) }

// lifeCycle are the steps of a class's life cycle.
var lifeCycle = map[string]move{
	ActionSubmit:  {[]string{StatusDraft}, StatusFiling, canHost},
	ActionApprove: {[]string{StatusFiling}, StatusApproved, canApprove},
	ActionReject:  {[]string{StatusFiling}, StatusDraft, canApprove},
	ActionOpen:    {[]string{StatusApproved}, StatusOpen, canHost},
	ActionClose:   {[]string{StatusOpen}, StatusClosed, canHost},
	ActionStart:   {[]string{StatusOpen, StatusClosed}, StatusInSession, canHost},
	ActionArchive: {[]string{StatusGraduated}, StatusArchived, canManage},
}

// ClassActions are what a caller may do with a class now.
type ClassActions struct {
	Edit, Submit, Review, Open, Close, Start, Archive bool
	// Quotas: the host until registration opens; the org department
	// while the plan is filed.
	Quotas bool
	// Courses, Sessions: the host until graduation.
	Courses, Sessions bool
	// Upload: the host until the class is archived; RemoveFiles until
	// graduation.
	Upload, RemoveFiles bool
	Graduate            bool
	// Registrations: the host admits, refuses and withdraws trainees
	// until graduation.
	Registrations bool
}

// classActions decides what p, who hosts or oversees c (the caller's scope
// is checked when c is loaded), may do with it now; status is c's status
// with the registration deadline applied. The workspace shows its buttons
// by it and the service checks each action against it.
func classActions(p *web.Principal, c *Class, status string) ClassActions {
	host, approver := canHost(p), canApprove(p)
	may := func(action string) bool {
		m := lifeCycle[action]
		return m.by(p) && slices.Contains(m.from, c.Status)
	}
	running := c.Status != StatusGraduated && c.Status != StatusArchived
	return ClassActions{
		Edit:    host && c.Status == StatusDraft,
		Submit:  may(ActionSubmit),
		Review:  may(ActionApprove),
		Open:    may(ActionOpen),
		Close:   may(ActionClose) && status == StatusOpen,
		Start:   may(ActionStart),
		Archive: may(ActionArchive),
		Quotas: host && slices.Contains([]string{StatusDraft, StatusFiling, StatusApproved}, c.Status) ||
			approver && slices.Contains([]string{StatusDraft, StatusFiling}, c.Status),
		Courses:       host && running,
		Sessions:      host && running,
		Upload:        host && c.Status != StatusArchived,
		RemoveFiles:   host && running,
		Graduate:      host && c.Status == StatusInSession,
		Registrations: host && running,
	}
}
