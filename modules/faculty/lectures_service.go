package faculty

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"college/modules/web"

	"gorm.io/gorm"
)

// LectureFilter selects lectures in a list; Year 0: every year.
type LectureFilter struct {
	Series string
	Status string
	Year   int
}

// where applies a filter to a query on lectures.
func (f LectureFilter) where(q *gorm.DB) *gorm.DB {
	if f.Series != "" {
		q = q.Where("series = ?", f.Series)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Year != 0 {
		from := time.Date(f.Year, 1, 1, 0, 0, 0, 0, web.Shanghai)
		q = q.Where("starts_at >= ? AND starts_at < ?", from.UTC(), from.AddDate(1, 0, 0).UTC())
	}
	return q
}

// public are the statuses every cadre of the city sees.
var public = []string{LecturePublished, LectureHeld, LectureCancelled}

// managedLecture loads a lecture hosted inside the caller's subtree: 403 for
// roles that do not keep lectures, 404 outside the subtree.
func (s *Service) managedLecture(ctx context.Context, tx *gorm.DB, p *web.Principal, id uint64) (*Lecture, error) {
	if !canManage(p) {
		return nil, web.Forbidden()
	}
	return web.Load[Lecture](tx.WithContext(ctx).Scopes(web.OrgScope(p, "owner_org_id")), id)
}

// Lecture loads a lecture the caller may read: a host its own in every
// status, every cadre the published, held and cancelled ones.
func (s *Service) Lecture(ctx context.Context, p *web.Principal, id uint64) (LectureItem, error) {
	l, err := s.visibleLecture(ctx, p, id)
	if err != nil {
		return LectureItem{}, err
	}
	return s.lectureView(ctx, l)
}

func (s *Service) visibleLecture(ctx context.Context, p *web.Principal, id uint64) (*Lecture, error) {
	if canManage(p) {
		if l, err := s.managedLecture(ctx, s.db, p, id); err == nil || !web.IsStatus(err, 404) {
			return l, err
		}
	}
	if p.IsSystemAdmin() {
		return nil, web.NotFound()
	}
	return web.Load[Lecture](s.db.WithContext(ctx).Where("status IN ?", public), id)
}

// lectureView adds the course of the recording and the attendance count.
func (s *Service) lectureView(ctx context.Context, l *Lecture) (LectureItem, error) {
	out := lectureItem(l)
	if err := s.db.WithContext(ctx).Model(&LectureAttendance{}).Where("lecture_id = ?", l.ID).Count(&out.Attendance).Error; err != nil {
		return out, web.Internal(err)
	}
	if l.CourseID != 0 && s.deps.Lectures != nil {
		c, found, err := s.deps.Lectures.Course(ctx, l.CourseID)
		if err != nil {
			return out, web.Internal(err)
		}
		if found {
			out.CourseTitle = c.Title
		}
	}
	return out, nil
}

// Lectures is a page of lectures: a host's own, newest first; for every
// other cadre, those the city sees.
func (s *Service) Lectures(ctx context.Context, p *web.Principal, f LectureFilter, pg web.Page) ([]LectureItem, int64, error) {
	if f.Status != "" && LectureStatusNames[f.Status] == "" {
		return nil, 0, web.Invalid(map[string]string{"status": "状态只能是 draft、published、held 或 cancelled"})
	}
	q := s.db.WithContext(ctx).Model(&Lecture{})
	switch {
	case canManage(p):
		q = q.Scopes(web.OrgScope(p, "owner_org_id"))
	case p.IsSystemAdmin():
		return nil, 0, web.Forbidden()
	default:
		q = q.Where("status IN ?", public)
	}
	return s.lecturePage(ctx, f.where(q), "starts_at DESC, id DESC", pg)
}

// Upcoming is a page of the published lectures not yet over, soonest first:
// what the cadres of the city may attend.
func (s *Service) Upcoming(ctx context.Context, p *web.Principal, pg web.Page) ([]LectureItem, int64, error) {
	if err := web.MayStudy(p); err != nil {
		return nil, 0, err
	}
	q := s.db.WithContext(ctx).Model(&Lecture{}).Where("status = ? AND starts_at >= ?", LecturePublished, s.today())
	return s.lecturePage(ctx, q, "starts_at, id", pg)
}

// today is the start of the day, Beijing time.
func (s *Service) today() time.Time {
	n := s.now().In(web.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, web.Shanghai).UTC()
}

func (s *Service) lecturePage(ctx context.Context, q *gorm.DB, order string, pg web.Page) ([]LectureItem, int64, error) {
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, web.Internal(fmt.Errorf("faculty: count lectures: %w", err))
	}
	var ls []Lecture
	if err := q.Order(order).Offset(pg.Offset()).Limit(pg.PageSize).Find(&ls).Error; err != nil {
		return nil, 0, web.Internal(fmt.Errorf("faculty: lectures: %w", err))
	}
	out := make([]LectureItem, len(ls))
	for i := range ls {
		out[i] = lectureItem(&ls[i])
	}
	return out, total, nil
}

// eachLecture calls fn with the host's lectures in batches, for the export.
func (s *Service) eachLecture(ctx context.Context, p *web.Principal, f LectureFilter, fn func([]Lecture) error) error {
	var after uint64
	for {
		var batch []Lecture
		q := f.where(s.db.WithContext(ctx).Model(&Lecture{}).Scopes(web.OrgScope(p, "owner_org_id")))
		if err := q.Where("id > ?", after).Order("id").Limit(500).Find(&batch).Error; err != nil {
			return fmt.Errorf("faculty: export lectures: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		if err := fn(batch); err != nil {
			return err
		}
		after = batch[len(batch)-1].ID
	}
}

// fillLecture checks a request and its speaker and copies them into l.
func (s *Service) fillLecture(ctx context.Context, l *Lecture, in LectureRequest) error {
	start, end, err := in.validate()
	if err != nil {
		return err
	}
	name, err := s.TeachingName(ctx, in.TeacherID)
	if err != nil {
		return err
	}
	l.Series, l.Topic, l.TeacherID, l.Speaker, l.StartsAt, l.EndsAt = in.Series, in.Topic, in.TeacherID, name, start, end
	l.Place, l.Audience, l.Capacity = in.Place, in.Audience, in.Capacity
	return nil
}

// CreateLecture drafts a lecture hosted by the caller's org.
func (s *Service) CreateLecture(ctx context.Context, p *web.Principal, in LectureRequest) (LectureItem, error) {
	if !canManage(p) {
		return LectureItem{}, web.Forbidden()
	}
	l := &Lecture{OwnerOrgID: p.OrgID, Status: LectureDraft, CreatedBy: p.UserID}
	if err := s.fillLecture(ctx, l, in); err != nil {
		return LectureItem{}, err
	}
	err := web.ChangeAudited(ctx, s.db, s.deps.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Create(l).Error; err != nil {
			return web.AuditEntry{}, fmt.Errorf("faculty: create lecture: %w", err)
		}
		return web.AuditBy(p, "lecture.create", "lecture", l.ID, map[string]any{"series": l.Series, "topic": l.Topic, "teacher": l.TeacherID}), nil
	})
	if err != nil {
		return LectureItem{}, err
	}
	return lectureItem(l), nil
}

// wrongState is the refusal of a step the lecture's status does not allow.
func wrongState(l *Lecture, what string) error {
	return web.Conflict("wrong_state", fmt.Sprintf("讲座当前为“%s”，不能%s", LectureStatusNames[l.Status], what))
}

// UpdateLecture edits a lecture still drafted or published.
func (s *Service) UpdateLecture(ctx context.Context, p *web.Principal, id uint64, in LectureRequest) (LectureItem, error) {
	l, err := s.managedLecture(ctx, s.db, p, id)
	if err != nil {
		return LectureItem{}, err
	}
	if l.Status != LectureDraft && l.Status != LecturePublished {
		return LectureItem{}, wrongState(l, "修改")
	}
	if err := s.fillLecture(ctx, l, in); err != nil {
		return LectureItem{}, err
	}
	err = web.ChangeAudited(ctx, s.db, s.deps.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		r := tx.Model(&Lecture{}).Where("id = ? AND status IN ?", l.ID, []string{LectureDraft, LecturePublished}).Updates(map[string]any{
			"series": l.Series, "topic": l.Topic, "teacher_id": l.TeacherID, "speaker": l.Speaker, "starts_at": l.StartsAt, "ends_at": l.EndsAt,
			"place": l.Place, "audience": l.Audience, "capacity": l.Capacity, "updated_at": s.now().UTC()})
		if r.Error != nil {
			return web.AuditEntry{}, fmt.Errorf("faculty: update lecture: %w", r.Error)
		}
		if r.RowsAffected == 0 {
			return web.AuditEntry{}, wrongState(l, "修改")
		}
		return web.AuditBy(p, "lecture.update", "lecture", l.ID, map[string]any{"topic": l.Topic, "teacher": l.TeacherID}), nil
	})
	if err != nil {
		return LectureItem{}, err
	}
	return s.lectureView(ctx, l)
}

// lectureStep is one move of a lecture's life cycle.
type lectureStep struct {
	action string
	from   []string
	to     string
	what   string // the refused step, in words
}

var lectureSteps = map[string]lectureStep{
	"publish": {action: "lecture.publish", from: []string{LectureDraft}, to: LecturePublished, what: "发布"},
	"hold":    {action: "lecture.hold", from: []string{LecturePublished}, to: LectureHeld, what: "登记为已举办"},
	"cancel":  {action: "lecture.cancel", from: []string{LectureDraft, LecturePublished}, to: LectureCancelled, what: "取消"},
}

// LectureStepNames are the steps the pages offer.
var LectureStepNames = map[string]string{"publish": "发布", "hold": "登记已举办", "cancel": "取消讲座"}

// StepLecture moves a lecture one step: publish (which gives it its
// sign-in code), hold (once it has begun) or cancel (with a reason); 409
// wrong_state from a status that does not allow it.
func (s *Service) StepLecture(ctx context.Context, p *web.Principal, id uint64, step string, in CancelRequest) (LectureItem, error) {
	st, ok := lectureSteps[step]
	if !ok {
		return LectureItem{}, web.NotFound()
	}
	reason := strings.TrimSpace(in.Reason)
	if step == "cancel" {
		f := web.Fields{}
		f.Required("reason", reason)
		f.MaxLen("reason", reason, 500)
		if err := f.Err(); err != nil {
			return LectureItem{}, err
		}
	}
	var l *Lecture
	err := web.ChangeAudited(ctx, s.db, s.deps.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		var err error
		if l, err = s.managedLecture(ctx, tx, p, id); err != nil {
			return web.AuditEntry{}, err
		}
		if !slices.Contains(st.from, l.Status) {
			return web.AuditEntry{}, wrongState(l, st.what)
		}
		now := s.now().UTC()
		if step == "hold" && now.Before(l.StartsAt) {
			return web.AuditEntry{}, web.Conflict("not_started", "讲座尚未开始，开始后才能登记为已举办")
		}
		upd := map[string]any{"status": st.to, "updated_at": now}
		switch step {
		case "publish":
			upd["code"], upd["published_at"] = web.NewSignInCode(), now
		case "cancel":
			upd["reason"] = reason
		}
		r := tx.Model(&Lecture{}).Where("id = ? AND status IN ?", l.ID, st.from).Updates(upd)
		if r.Error != nil {
			return web.AuditEntry{}, fmt.Errorf("faculty: %s lecture: %w", step, r.Error)
		}
		if r.RowsAffected == 0 {
			return web.AuditEntry{}, wrongState(l, st.what)
		}
		from := l.Status
		if err := tx.First(l, l.ID).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, st.action, "lecture", l.ID, map[string]any{"from": from, "to": st.to, "reason": reason}), nil
	})
	if err != nil {
		return LectureItem{}, err
	}
	return s.lectureView(ctx, l)
}

// LinkRecording links a held lecture to the published catalog course of
// its recording; linking again replaces the course.
func (s *Service) LinkRecording(ctx context.Context, p *web.Principal, id uint64, in RecordingRequest) (LectureItem, error) {
	if in.CourseID == 0 {
		return LectureItem{}, web.Invalid(map[string]string{"course_id": "请填写录像所在课程的编号"})
	}
	l, err := s.managedLecture(ctx, s.db, p, id)
	if err != nil {
		return LectureItem{}, err
	}
	if l.Status != LectureHeld {
		return LectureItem{}, wrongState(l, "关联录像课程（举办后才能关联）")
	}
	c, found, err := s.deps.Lectures.Course(ctx, in.CourseID)
	if err != nil {
		return LectureItem{}, web.Internal(err)
	}
	if !found || !c.Published {
		e := web.Unprocessable("course_unavailable", "课程不存在或尚未发布，请先在课程管理中上传录像并发布课程")
		e.Fields = map[string]string{"course_id": e.Message}
		return LectureItem{}, e
	}
	err = web.ChangeAudited(ctx, s.db, s.deps.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		r := tx.Model(&Lecture{}).Where("id = ? AND status = ?", l.ID, LectureHeld).Updates(map[string]any{"course_id": c.ID, "updated_at": s.now().UTC()})
		if r.Error != nil {
			return web.AuditEntry{}, fmt.Errorf("faculty: link recording: %w", r.Error)
		}
		if r.RowsAffected == 0 {
			return web.AuditEntry{}, wrongState(l, "关联录像课程")
		}
		return web.AuditBy(p, "lecture.recording", "lecture", l.ID, map[string]any{"course": c.ID, "before": l.CourseID}), nil
	})
	if err != nil {
		return LectureItem{}, err
	}
	l.CourseID = c.ID
	return s.lectureView(ctx, l)
}

// heldLectures counts the held lectures each teacher gave in [from, to):
// they count toward the leaders' 上讲台 as the timetable's sessions do.
func (s *Service) heldLectures(ctx context.Context, teacherIDs []uint64, from, to time.Time) (map[uint64]int, error) {
	out := map[uint64]int{}
	if len(teacherIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		TeacherID uint64
		N         int
	}
	err := s.db.WithContext(ctx).Model(&Lecture{}).Select("teacher_id, COUNT(*) AS n").
		Where("teacher_id IN ? AND status = ? AND starts_at >= ? AND starts_at < ?", teacherIDs, LectureHeld, from.UTC(), to.UTC()).
		Group("teacher_id").Scan(&rows).Error
	if err != nil {
		return nil, web.Internal(fmt.Errorf("faculty: held lectures: %w", err))
	}
	for _, r := range rows {
		out[r.TeacherID] = r.N
	}
	return out, nil
}

// LectureSeries lists the series names the caller's lectures use, for the
// list's filter.
func (s *Service) LectureSeries(ctx context.Context, p *web.Principal) ([]string, error) {
	var out []string
	err := s.db.WithContext(ctx).Model(&Lecture{}).Scopes(web.OrgScope(p, "owner_org_id")).Distinct("series").Order("series").Limit(200).Pluck("series", &out).Error
	if err != nil {
		return nil, web.Internal(err)
	}
	return out, nil
}

// speakerLimit bounds the teachers the lecture form offers.
const speakerLimit = 1000

// SpeakerChoices are the active teachers of the whole faculty a host may
// invite to speak (a college invites the department's leaders too), by
// kind and name.
func (s *Service) SpeakerChoices(ctx context.Context, p *web.Principal) ([]Teacher, error) {
	if !canManage(p) {
		return nil, web.Forbidden()
	}
	var out []Teacher
	err := s.db.WithContext(ctx).Select("id", "name", "kind", "post", "unit").Where("status = ?", StatusActive).
		Order("kind, name, id").Limit(speakerLimit).Find(&out).Error
	if err != nil {
		return nil, web.Internal(err)
	}
	return out, nil
}
