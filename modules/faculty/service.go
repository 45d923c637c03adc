package faculty

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"college/modules/settings"
	"college/modules/web"
	"college/storage/cache"
	"college/storage/db"
	"college/storage/objects"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Timetable is what the faculty reads of the training module's timetable.
type Timetable interface {
	// SessionsTaughtBy lists the sessions linked to a teacher, newest first.
	SessionsTaughtBy(ctx context.Context, teacherID uint64, limit int) ([]TaughtSession, error)
	// SessionCounts counts the sessions each teacher gave in [from, to).
	SessionCounts(ctx context.Context, teacherIDs []uint64, from, to time.Time) (map[uint64]int, error)
	// SessionsOfTeachers lists the sessions the teachers gave in [from, to).
	SessionsOfTeachers(ctx context.Context, teacherIDs []uint64, from, to time.Time) ([]TeacherSession, error)
	// UpcomingSessions lists a teacher's sessions starting at or after from,
	// soonest first.
	UpcomingSessions(ctx context.Context, teacherID uint64, from time.Time, limit int) ([]ScheduledSession, error)
}

// TeacherSession is one session given by one of several teachers.
type TeacherSession struct {
	ID        uint64
	TeacherID uint64
	Hours     web.Hours
}

// Evaluations is what the faculty reads of the assess module.
type Evaluations interface {
	// TeacherEvaluation sums up the evaluations of the given sessions and
	// of the given account (0: none).
	TeacherEvaluation(ctx context.Context, sessionIDs []uint64, userID uint64) (Evaluation, error)
}

// Settings of the faculty.
const (
	SetCorrectionDays = "faculty.correction_days"
	SetLeaderTarget   = "faculty.leader_lectures"
)

// SettingDefs are the faculty's settings.
var SettingDefs = []settings.Def{
	{Key: SetCorrectionDays, Group: "师资管理", Label: "满意率未达标教师的整改期限（天）", Help: "评估满意率低于达标线时，为教师生成整改任务，须在此天数内完成",
		Kind: settings.KindInt, Default: "30", Min: 1, Max: 365},
	{Key: SetLeaderTarget, Group: "师资管理", Label: "领导干部每年上讲台授课次数要求", Help: "师资库中的领导干部每年应授课的次数",
		Kind: settings.KindInt, Default: "1", Min: 1, Max: 50},
}

// recordLimit bounds the sessions a teaching record shows and counts;
// upcomingLimit the coming sessions it shows.
const (
	recordLimit   = 2000
	upcomingLimit = 50
)

// Deps are what the service needs.
type Deps struct {
	DB          *gorm.DB
	Settings    *settings.Service
	Timetable   Timetable
	Evaluations Evaluations
	Trainings   TeacherTrainings
	Lectures    LectureSources // the catalog and the org names lectures read
	Cache       *cache.Cache   // leases the periodic sweep and counts wrong lecture sign-in codes; nil in some tests
	Audit       web.Auditor
	Log         *slog.Logger
}

// Service keeps the teachers and their corrections.
type Service struct {
	store    *store
	db       *gorm.DB
	deps     Deps
	now      func() time.Time
	speakers Speakers
	objects  objects.Store
	courses  CourseShelf
}

// NewService builds the service and declares its settings.
func NewService(d Deps) *Service {
	d.Settings.Define(SettingDefs...)
	d.Settings.Define(masterSettingDefs...)
	return &Service{store: &store{db: d.DB}, db: d.DB, deps: d, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Managers are the roles that keep the faculty: a college's admins for
// their college, the org department city-wide.
var Managers = []string{web.RoleCollegeAdmin, web.RoleOrgAdmin}

func canManage(p *web.Principal) bool { return p.HasAny(Managers...) }

// Teacher loads a teacher the caller manages.
func (s *Service) Teacher(ctx context.Context, p *web.Principal, id uint64) (*Teacher, error) {
	if !canManage(p) {
		return nil, web.Forbidden()
	}
	return s.store.managed(ctx, p, id)
}

// List is a page of the teachers the caller manages, with their standing
// 名师 titles.
func (s *Service) List(ctx context.Context, p *web.Principal, f Filter, pg web.Page) ([]TeacherItem, int64, error) {
	if !canManage(p) {
		return nil, 0, web.Forbidden()
	}
	ts, total, err := s.store.list(ctx, p, f, pg)
	if err != nil {
		return nil, 0, web.Internal(err)
	}
	titles, err := s.store.activeTitles(ctx, teacherIDs(ts))
	if err != nil {
		return nil, 0, web.Internal(err)
	}
	items := make([]TeacherItem, len(ts))
	for i := range ts {
		items[i] = withMaster(teacherItem(&ts[i]), titles)
	}
	return items, total, nil
}

// fill copies a valid request into t.
func fill(t *Teacher, in TeacherRequest) {
	t.Name, t.Kind, t.Post, t.Unit, t.Title, t.Fields, t.Intro, t.Status = in.Name, in.Kind, in.Post, in.Unit, in.Title, in.Fields, in.Intro, in.Status
	t.UserID, t.OrgID = in.UserID, in.OrgID
	if t.Kind != KindLeader {
		t.OrgID = 0
	}
}

// Create adds a teacher owned by the caller's org.
func (s *Service) Create(ctx context.Context, p *web.Principal, in TeacherRequest) (*Teacher, error) {
	if !canManage(p) {
		return nil, web.Forbidden()
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	t := &Teacher{OwnerOrgID: p.OrgID, CreatedBy: p.UserID}
	fill(t, in)
	err := web.ChangeAudited(ctx, s.db, s.deps.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Create(t).Error; err != nil {
			return web.AuditEntry{}, fmt.Errorf("faculty: create teacher: %w", err)
		}
		return web.AuditBy(p, "teacher.create", "teacher", t.ID, map[string]any{"name": t.Name, "kind": t.Kind}), nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Update edits a teacher the caller manages.
func (s *Service) Update(ctx context.Context, p *web.Principal, id uint64, in TeacherRequest) (*Teacher, error) {
	t, err := s.Teacher(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	fill(t, in)
	err = web.ChangeAudited(ctx, s.db, s.deps.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Save(t).Error; err != nil {
			return web.AuditEntry{}, fmt.Errorf("faculty: update teacher: %w", err)
		}
		return web.AuditBy(p, "teacher.update", "teacher", t.ID, map[string]any{"name": t.Name, "kind": t.Kind, "status": t.Status}), nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Delete removes a teacher who has taught nothing yet; one with a record is
// made inactive instead.
func (s *Service) Delete(ctx context.Context, p *web.Principal, id uint64) error {
	t, err := s.Teacher(ctx, p, id)
	if err != nil {
		return err
	}
	taught, err := s.deps.Timetable.SessionsTaughtBy(ctx, t.ID, 1)
	if err != nil {
		return err
	}
	var lectures int64
	if err := s.db.WithContext(ctx).Model(&Lecture{}).Where("teacher_id = ?", t.ID).Count(&lectures).Error; err != nil {
		return web.Internal(err)
	}
	if len(taught) > 0 || lectures > 0 {
		return web.Conflict("has_record", "该教师已有授课记录，不能删除，可改为停用")
	}
	return web.ChangeAudited(ctx, s.db, s.deps.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Delete(&Teacher{}, t.ID).Error; err != nil {
			return web.AuditEntry{}, fmt.Errorf("faculty: delete teacher: %w", err)
		}
		return web.AuditBy(p, "teacher.delete", "teacher", t.ID, map[string]any{"name": t.Name}), nil
	})
}

// TeachingName is the name of an active teacher for a timetable session:
// an unknown or inactive teacher is refused (422).
func (s *Service) TeachingName(ctx context.Context, id uint64) (string, error) {
	var t Teacher
	err := s.db.WithContext(ctx).Select("name", "status").First(&t, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && t.Status != StatusActive) {
		e := web.Unprocessable("unknown_teacher", "所选教师不存在或已停用")
		e.Fields = map[string]string{"teacher_id": e.Message}
		return "", e
	}
	if err != nil {
		return "", web.Internal(err)
	}
	return t.Name, nil
}

// Record is a teacher with the teaching record: sessions and hours by year,
// how trainees rated them, and their corrections. Reading it opens the
// corrections the ratings call for.
func (s *Service) Record(ctx context.Context, p *web.Principal, id uint64) (TeacherResponse, error) {
	t, err := s.Teacher(ctx, p, id)
	if err != nil {
		return TeacherResponse{}, err
	}
	out := TeacherResponse{TeacherItem: teacherItem(t), Intro: t.Intro, Years: []YearHours{}}
	out.Sessions, err = s.deps.Timetable.SessionsTaughtBy(ctx, t.ID, recordLimit)
	if err != nil {
		return out, err
	}
	if out.Sessions == nil {
		out.Sessions = []TaughtSession{}
	}
	ids := make([]uint64, len(out.Sessions))
	years := map[int]*YearHours{}
	for i, x := range out.Sessions {
		ids[i] = x.ID
		out.HoursTaught += x.Hours
		y := x.StartsAt.In(web.Shanghai).Year()
		if years[y] == nil {
			years[y] = &YearHours{Year: y}
			out.Years = append(out.Years, YearHours{Year: y})
		}
		years[y].Sessions++
		years[y].Hours += x.Hours
	}
	for i := range out.Years { // newest first, as the sessions come
		out.Years[i] = *years[out.Years[i].Year]
	}
	out.SessionsTaught = len(out.Sessions)
	out.Upcoming, err = s.deps.Timetable.UpcomingSessions(ctx, t.ID, s.now(), upcomingLimit)
	if err != nil {
		return out, err
	}
	if out.Upcoming == nil {
		out.Upcoming = []ScheduledSession{}
	}
	if out.Courses, err = s.recordCourses(ctx, t.Name); err != nil {
		return out, err
	}
	if out.Lectures, err = s.recordLectures(ctx, t.ID); err != nil {
		return out, err
	}
	out.Evaluation, err = s.deps.Evaluations.TeacherEvaluation(ctx, ids, t.UserID)
	if err != nil {
		return out, err
	}
	if _, err := s.openCorrections(ctx, t, out.Evaluation); err != nil {
		return out, err
	}
	cs, err := s.store.corrections(ctx, t.ID)
	if err != nil {
		return out, web.Internal(err)
	}
	out.Corrections = make([]CorrectionItem, len(cs))
	for i := range cs {
		out.Corrections[i] = correctionItem(&cs[i], "")
	}
	hist, err := s.store.masterHistory(ctx, t.ID)
	if err != nil {
		return out, web.Internal(err)
	}
	out.MasterHistory = make([]MasterDecision, len(hist))
	for i := range hist {
		out.MasterHistory[i] = masterDecision(&hist[i], "")
		if hist[i].Active {
			out.Master = &MasterInfo{Year: hist[i].Year, GrantedAt: hist[i].DecidedAt}
		}
	}
	return out, nil
}

// openCorrections opens one correction for each answered evaluation of the
// teacher under the bar that has none yet, and returns how many it opened;
// the unique key keeps it to one per evaluation.
func (s *Service) openCorrections(ctx context.Context, t *Teacher, ev Evaluation) (int, error) {
	var under []EvaluationScore
	for _, e := range ev.Evaluations {
		if e.Responses > 0 && !e.MeetsBar {
			under = append(under, e)
		}
	}
	if len(under) == 0 {
		return 0, nil
	}
	var have []uint64
	if err := s.db.WithContext(ctx).Model(&Correction{}).Where("teacher_id = ?", t.ID).Pluck("evaluation_id", &have).Error; err != nil {
		return 0, web.Internal(err)
	}
	seen := map[uint64]bool{}
	for _, id := range have {
		seen[id] = true
	}
	now := s.now().UTC()
	due := now.In(web.Shanghai).AddDate(0, 0, s.deps.Settings.Int(ctx, SetCorrectionDays)).Format(time.DateOnly)
	opened := 0
	for _, e := range under {
		if seen[e.ID] {
			continue
		}
		c := &Correction{TeacherID: t.ID, EvaluationID: e.ID, OwnerOrgID: t.OwnerOrgID, Label: trim(e.ClassTitle+" · "+e.Label, 300),
			Rate: e.SatisfactionRate, Bar: ev.Bar, Status: CorrectionOpen, DueOn: due, CreatedAt: now}
		err := db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
			r := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(c)
			if r.Error != nil || r.RowsAffected == 0 {
				return r.Error
			}
			opened++
			return web.RecordTx(s.deps.Audit, tx, web.AuditBy(nil, "teacher.correction.open", "teacher", t.ID,
				map[string]any{"evaluation": e.ID, "satisfaction_rate": e.SatisfactionRate, "bar": ev.Bar, "due_on": due}))
		})
		if err != nil {
			return opened, web.Internal(fmt.Errorf("faculty: open correction: %w", err))
		}
	}
	return opened, nil
}

// trim cuts s to at most n runes.
func trim(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// Corrections is a page of the corrections the caller manages.
func (s *Service) Corrections(ctx context.Context, p *web.Principal, status string, pg web.Page) ([]CorrectionItem, int64, error) {
	if !canManage(p) {
		return nil, 0, web.Forbidden()
	}
	if CorrectionNames[status] == "" {
		status = ""
	}
	rows, total, err := s.store.allCorrections(ctx, p, status, pg)
	if err != nil {
		return nil, 0, web.Internal(err)
	}
	out := make([]CorrectionItem, len(rows))
	for i := range rows {
		out[i] = correctionItem(&rows[i].Correction, rows[i].TeacherName)
	}
	return out, total, nil
}

// CloseCorrection closes an open correction with a note of what was done.
func (s *Service) CloseCorrection(ctx context.Context, p *web.Principal, id uint64, in CloseRequest) (CorrectionItem, error) {
	if !canManage(p) {
		return CorrectionItem{}, web.Forbidden()
	}
	c, err := web.Load[Correction](s.db.WithContext(ctx).Scopes(web.OrgScope(p, "owner_org_id")), id)
	if err != nil {
		return CorrectionItem{}, err
	}
	in.Note = strings.TrimSpace(in.Note)
	f := web.Fields{}
	f.Required("note", in.Note)
	f.Check(len([]rune(in.Note)) <= 2000, "note", "整改说明不能超过 2000 个字")
	if err := f.Err(); err != nil {
		return CorrectionItem{}, err
	}
	if c.Status != CorrectionOpen {
		return CorrectionItem{}, web.Conflict("correction_closed", "该整改任务已关闭")
	}
	now := s.now().UTC()
	err = web.ChangeAudited(ctx, s.db, s.deps.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		r := tx.Model(&Correction{}).Where("id = ? AND status = ?", c.ID, CorrectionOpen).
			Updates(map[string]any{"status": CorrectionClosed, "note": in.Note, "closed_by": p.UserID, "closed_at": now})
		if r.Error != nil {
			return web.AuditEntry{}, fmt.Errorf("faculty: close correction: %w", r.Error)
		}
		if r.RowsAffected == 0 {
			return web.AuditEntry{}, web.Conflict("correction_closed", "该整改任务已关闭")
		}
		return web.AuditBy(p, "teacher.correction.close", "teacher", c.TeacherID, map[string]any{"correction": c.ID, "evaluation": c.EvaluationID}), nil
	})
	if err != nil {
		return CorrectionItem{}, err
	}
	c.Status, c.Note, c.ClosedBy, c.ClosedAt = CorrectionClosed, in.Note, p.UserID, &now
	return correctionItem(c, ""), nil
}

// Any reports whether the faculty has a teacher (the demo seed adds its
// teachers once).
func (s *Service) Any(ctx context.Context) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Teacher{}).Limit(1).Count(&n).Error; err != nil {
		return false, web.Internal(err)
	}
	return n > 0, nil
}

// ByName is the id of the first teacher of that name owned by an org; 0 when
// there is none.
func (s *Service) ByName(ctx context.Context, ownerOrgID uint64, name string) (uint64, error) {
	var ids []uint64
	if err := s.db.WithContext(ctx).Model(&Teacher{}).Where("owner_org_id = ? AND name = ?", ownerOrgID, name).Order("id").Limit(1).Pluck("id", &ids).Error; err != nil {
		return 0, web.Internal(err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}
