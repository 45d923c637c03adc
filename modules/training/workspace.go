package training

import (
	"context"
	"time"

	"college/modules/web"
)

// WorkspaceQuery is what the workspace page asks of a class beyond the
// class itself: a page of its registrations.
type WorkspaceQuery struct {
	RegStatus string
	RegQ      string
	RegPage   web.Page
}

// Workspace is everything the class workspace shows: the class, loaded and
// checked once, what the caller may do with it, and the records of each
// section the caller may see.
type Workspace struct {
	Class    *Class
	Detail   ClassResponse
	Actions  ClassActions
	Host     bool // the caller runs the class
	Approver bool // the caller is the org department

	Audience   []string // the names of the audience orgs
	ExamTitle  string
	DayHours   web.Hours
	ClassHours web.Hours

	// OrgOptions and CourseOptions are the choices of the quota and course
	// forms, when the caller may change them.
	OrgOptions    []adminOrgOption
	CourseOptions []adminPickItem

	Sessions  []Session
	SignedPer map[uint64]int64 // sign-ins per session

	// TeacherOptions and SiteOptions are the faculty's teachers and the
	// in-use field teaching sites the timetable's forms offer the host.
	TeacherOptions []TeacherOption
	SiteOptions    []SiteOption
	Faculty        bool // one-off speakers may be taken into the faculty

	// Registrations: a page of them, once the class is published.
	ShowRegs  bool
	Regs      []RegistrationResponse
	RegTotal  int64
	RegCounts map[string]int64

	// Roster: the trainees, once the class has started.
	ShowRoster bool
	Roster     []RosterRow
	Signed     map[uint64]map[uint64]time.Time

	Leaves     []LeaveResponse
	LeaveLimit web.Hours
	LeaveDenom int

	Files         []FileResponse
	FilesRequired bool

	Certificates []Certificate // once graduated
}

// Workspace loads the class workspace of a class the caller hosts or
// oversees.
func (s *Service) Workspace(ctx context.Context, p *web.Principal, id uint64, q WorkspaceQuery) (*Workspace, error) {
	c, err := s.managedClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	det, err := s.Detail(ctx, p, c)
	if err != nil {
		return nil, err
	}
	w := &Workspace{Class: c, Detail: det, Actions: classActions(p, c, det.Status), Host: canHost(p), Approver: canApprove(p),
		ClassHours: det.Hours, LeaveDenom: max(s.settings.Int(ctx, SetLeaveDenom), 1), FilesRequired: s.settings.Bool(ctx, SetRequireFiles),
		ShowRegs: published(c.Status), ShowRoster: c.Status == StatusInSession || c.Status == StatusGraduated || c.Status == StatusArchived}
	if s.ledger != nil {
		w.DayHours = s.ledger.DayHours(ctx)
	}
	for _, oid := range det.AudienceOrgIDs {
		w.Audience = append(w.Audience, s.people.OrgName(ctx, oid))
	}
	if c.ExamID != 0 && s.progress != nil {
		w.ExamTitle, _ = s.progress.ExamTitle(ctx, c.ExamID, s.orgPath(ctx, c.HostOrgID))
		if w.ExamTitle == "" {
			w.ExamTitle = "考试 #" + web.Itoa(c.ExamID)
		}
	}
	if w.Actions.Quotas {
		if w.OrgOptions, err = s.adminOrgOptions(ctx, "unit", "department"); err != nil {
			return nil, err
		}
	}
	if w.Actions.Courses {
		if w.CourseOptions, err = s.adminPublishedCourses(ctx); err != nil {
			return nil, err
		}
	}
	if w.Sessions, err = s.Sessions(ctx, id); err != nil {
		return nil, err
	}
	w.Faculty = w.Host && s.teachers != nil
	if w.Actions.Sessions && s.teachers != nil {
		if w.TeacherOptions, err = s.teachers.TeachingOptions(ctx, p); err != nil {
			return nil, web.Internal(err)
		}
	}
	if w.Host && s.sites != nil && c.Status != StatusGraduated && c.Status != StatusArchived {
		if w.SiteOptions, err = s.sites.BookableSites(ctx, p); err != nil {
			return nil, web.Internal(err)
		}
	}
	if w.SignedPer, err = s.adminSessionAttendance(ctx, id); err != nil {
		return nil, err
	}
	if w.ShowRegs {
		if w.Regs, w.RegTotal, err = s.classRegistrations(ctx, p, c, true, RegistrationFilter{Status: q.RegStatus, Q: q.RegQ}, q.RegPage); err != nil {
			return nil, err
		}
		if w.RegCounts, err = s.adminRegistrationCounts(ctx, id); err != nil {
			return nil, err
		}
		if w.Leaves, err = s.classLeaves(ctx, p, c, true); err != nil {
			return nil, err
		}
		w.LeaveLimit = s.leaveLimit(ctx, c)
	}
	if w.ShowRoster {
		if w.Roster, _, w.Signed, err = s.roster(ctx, c); err != nil {
			return nil, err
		}
	}
	if w.Files, err = s.classFiles(ctx, id); err != nil {
		return nil, err
	}
	if c.Status == StatusGraduated || c.Status == StatusArchived {
		if w.Certificates, err = s.adminClassCertificates(ctx, id); err != nil {
			return nil, err
		}
	}
	return w, nil
}
