package training

import (
	"context"
	"strings"
	"time"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// What the home pages read of this module: a teacher's coming sessions, a
// unit's nominations awaiting a decision, a college's classes by state.

// homeIndexes are the indexes behind the home reads: a teacher's
// timetable by name and time, and the registrations awaiting a decision
// (a few among many) by org.
var homeIndexes = db.Migration{
	ID: "0025_training_home_indexes",
	Up: func(tx *gorm.DB) error {
		for _, sql := range []string{
			"CREATE INDEX idx_class_sessions_teacher ON class_sessions (teacher, starts_at)",
			"CREATE INDEX idx_registrations_status_org ON registrations (status, org_id)",
		} {
			if err := tx.Exec(sql).Error; err != nil {
				return err
			}
		}
		return nil
	},
}

// teachingStatuses are the states of a class whose timetable a teacher
// works to: approved, taking registrations, or running.
var teachingStatuses = []string{StatusApproved, StatusOpen, StatusClosed, StatusInSession}

// TeachingSession is a timetable session the caller teaches.
type TeachingSession struct {
	Session
	ClassTitle  string
	ClassStatus string
}

// teaches limits a session query to the sessions the caller teaches: the
// timetable names them, or links them to the caller's teacher record, in a
// class hosted in their college's subtree and not a draft or finished.
func teaches(p *web.Principal, teacherIDs []uint64) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		name := strings.TrimSpace(p.Name)
		if !p.Has(web.RoleTeacher) || (name == "" && len(teacherIDs) == 0) {
			return q.Where("1 = 0")
		}
		cond, args := web.OrgSubtree("training_classes.host_org_id", p.OrgPath)
		if p.OrgPath == "" {
			cond, args = "1 = 0", nil
		}
		q = q.Joins("JOIN training_classes ON training_classes.id = class_sessions.class_id").
			Where("training_classes.status IN ?", teachingStatuses).Where(cond, args...)
		if len(teacherIDs) == 0 {
			return q.Where("class_sessions.teacher = ?", name)
		}
		return q.Where("(class_sessions.teacher = ? OR class_sessions.teacher_id IN ?)", name, teacherIDs)
	}
}

// myTeacherIDs are the faculty records linked to the caller's account.
func (s *Service) myTeacherIDs(ctx context.Context, p *web.Principal) ([]uint64, error) {
	if s.teachers == nil || !p.Has(web.RoleTeacher) {
		return nil, nil
	}
	ids, err := s.teachers.TeacherIDsOfUser(ctx, p.UserID)
	if err != nil {
		return nil, web.Internal(err)
	}
	return ids, nil
}

// TeachingSessions lists the caller's sessions that have not ended yet,
// soonest first, at most limit.
func (s *Service) TeachingSessions(ctx context.Context, p *web.Principal, limit int) ([]TeachingSession, error) {
	now := s.now().UTC()
	mine, err := s.myTeacherIDs(ctx, p)
	if err != nil {
		return nil, err
	}
	var rows []TeachingSession
	// A session lasts at most a day, so the index's range starts a day back.
	err = s.db.WithContext(ctx).Model(&Session{}).Scopes(teaches(p, mine)).
		Select("class_sessions.*, training_classes.title AS class_title, training_classes.status AS class_status").
		Where("class_sessions.starts_at >= ? AND class_sessions.ends_at >= ?", now.Add(-24*time.Hour), now).
		Order("class_sessions.starts_at, class_sessions.id").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, web.Internal(err)
	}
	sessions := make([]Session, len(rows))
	for i := range rows {
		sessions[i] = rows[i].Session
	}
	if err := s.withBookedSites(ctx, sessions); err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].Session = sessions[i]
	}
	return rows, nil
}

// TeacherScreen is what the teacher's sign-in screen shows.
type TeacherScreen struct {
	Session    Session
	ClassTitle string
	InSession  bool
	Open       bool // taking sign-ins now
	Code       CodeResponse
}

// TeacherSessionScreen shows the teacher of a session its sign-in code:
// 404 for anyone the timetable does not name, as if there were no such
// session.
func (s *Service) TeacherSessionScreen(ctx context.Context, p *web.Principal, sessionID uint64) (TeacherScreen, error) {
	mine, err := s.myTeacherIDs(ctx, p)
	if err != nil {
		return TeacherScreen{}, err
	}
	x, err := web.Load[Session](s.db.WithContext(ctx).Model(&Session{}).Scopes(teaches(p, mine)).Select("class_sessions.*"), "class_sessions.id = ?", sessionID)
	if err != nil {
		return TeacherScreen{}, err
	}
	c, err := s.classByID(ctx, x.ClassID)
	if err != nil {
		return TeacherScreen{}, err
	}
	if x.Code == "" {
		x.Code = web.NewSignInCode()
		if err := s.db.WithContext(ctx).Model(&Session{}).Where("id = ? AND code = ?", x.ID, "").Update("code", x.Code).Error; err != nil {
			return TeacherScreen{}, web.Internal(err)
		}
		if err := s.db.WithContext(ctx).Model(&Session{}).Where("id = ?", x.ID).Pluck("code", &x.Code).Error; err != nil {
			return TeacherScreen{}, web.Internal(err)
		}
	}
	return TeacherScreen{Session: *x, ClassTitle: c.Title, InSession: c.Status == StatusInSession, Open: s.SessionOpen(ctx, c, x),
		Code: s.codeResponse(ctx, x)}, nil
}

// PendingNominations is one class's registrations from the caller's
// subtree awaiting a decision.
type PendingNominations struct {
	ClassID    uint64
	ClassTitle string
	StartsOn   string
	Pending    int64
	Waitlisted int64
}

// UnitPending counts, per class, the registrations of the caller's org
// subtree still pending or waitlisted, classes starting soonest first, at
// most limit classes.
func (s *Service) UnitPending(ctx context.Context, p *web.Principal, limit int) ([]PendingNominations, error) {
	if !p.HasAny(web.RoleUnitAdmin, web.RoleOrgAdmin) {
		return nil, web.Forbidden()
	}
	var counts []struct {
		ClassID uint64
		Status  string
		N       int64
	}
	err := s.db.WithContext(ctx).Model(&Registration{}).Scopes(web.OrgScope(p, "org_id")).
		Where("status IN ?", []string{RegPending, RegWaitlisted}).
		Select("class_id, status, COUNT(*) AS n").Group("class_id, status").Limit(1000).Scan(&counts).Error
	if err != nil {
		return nil, web.Internal(err)
	}
	if len(counts) == 0 {
		return nil, nil
	}
	byClass := map[uint64]*PendingNominations{}
	ids := []uint64{}
	for _, c := range counts {
		n := byClass[c.ClassID]
		if n == nil {
			n = &PendingNominations{ClassID: c.ClassID}
			byClass[c.ClassID] = n
			ids = append(ids, c.ClassID)
		}
		if c.Status == RegPending {
			n.Pending += c.N
		} else {
			n.Waitlisted += c.N
		}
	}
	var classes []Class
	if err := s.db.WithContext(ctx).Select("id, title, starts_on").Where("id IN ?", ids).Order("starts_on, id").Limit(limit).Find(&classes).Error; err != nil {
		return nil, web.Internal(err)
	}
	out := make([]PendingNominations, 0, len(classes))
	for _, c := range classes {
		n := byClass[c.ID]
		n.ClassTitle, n.StartsOn = c.Title, c.StartsOn
		out = append(out, *n)
	}
	return out, nil
}

// ClassStateCounts counts the classes the caller hosts or oversees by
// state; a class taking registrations past its deadline counts as closed.
func (s *Service) ClassStateCounts(ctx context.Context, p *web.Principal) (map[string]int64, error) {
	if !canHost(p) && !canApprove(p) {
		return nil, web.Forbidden()
	}
	var rows []struct {
		State string
		N     int64
	}
	state := "CASE WHEN status = ? AND registration_closes_at <= ? THEN ? ELSE status END"
	err := s.db.WithContext(ctx).Model(&Class{}).Scopes(web.OrgScope(p, "host_org_id")).
		Select("("+state+") AS state, COUNT(*) AS n", StatusOpen, s.now().UTC(), StatusClosed).
		Group("state").Scan(&rows).Error
	if err != nil {
		return nil, web.Internal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.State] += r.N
	}
	return out, nil
}

// ClassTitles names classes by id; unknown ids are left out.
func (s *Service) ClassTitles(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	out := map[uint64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Class
	if err := s.db.WithContext(ctx).Select("id, title").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	for _, c := range rows {
		out[c.ID] = c.Title
	}
	return out, nil
}
