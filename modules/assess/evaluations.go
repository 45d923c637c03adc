package assess

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"college/modules/training"
	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// Target types: what an evaluation is about.
const (
	TargetClass   = "class"
	TargetCourse  = "course"
	TargetTeacher = "teacher"
	TargetSession = "session"
)

// TargetNames are the Chinese names of the target types.
var TargetNames = map[string]string{TargetClass: "班次", TargetCourse: "课程", TargetTeacher: "授课教师", TargetSession: "课次"}

func (s *Service) evaluation(ctx context.Context, id uint64) (*Evaluation, error) {
	return web.Load[Evaluation](s.db.WithContext(ctx), id)
}

func (s *Service) formByID(ctx context.Context, id uint64) (*Form, []Item, error) {
	var f Form
	if err := s.db.WithContext(ctx).First(&f, id).Error; err != nil {
		return nil, nil, web.Internal(fmt.Errorf("assess: form %d: %w", id, err))
	}
	items, err := decodeItems(f.Items)
	if err != nil {
		return nil, nil, web.Internal(err)
	}
	return &f, items, nil
}

// hostedClass loads a class the caller hosts: 404 when they cannot see it,
// 403 when they only oversee it.
func (s *Service) hostedClass(ctx context.Context, p *web.Principal, classID uint64) (*training.Class, error) {
	ok, err := s.classes.Hosts(ctx, p, classID)
	if err != nil {
		return nil, err
	}
	if !ok {
		if m, err := s.classes.Manages(ctx, p, classID); err != nil || !m {
			return nil, errOr(err, web.NotFound())
		}
		return nil, web.Forbidden()
	}
	return s.classes.ClassByID(ctx, classID)
}

// managedClass loads a class the caller hosts or oversees (404 otherwise).
func (s *Service) managedClass(ctx context.Context, p *web.Principal, classID uint64) (*training.Class, error) {
	ok, err := s.classes.Manages(ctx, p, classID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, web.NotFound()
	}
	return s.classes.ClassByID(ctx, classID)
}

func errOr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// sessionLabel names a session: its topic and teacher.
func sessionLabel(x training.Session) string {
	if x.Teacher == "" {
		return x.Topic
	}
	return x.Topic + "（" + x.Teacher + "）"
}

// CreateEvaluation attaches a form to a target of a class the caller hosts.
func (s *Service) CreateEvaluation(ctx context.Context, p *web.Principal, classID uint64, in EvaluationRequest) (*Evaluation, error) {
	c, err := s.hostedClass(ctx, p, classID)
	if err != nil {
		return nil, err
	}
	f := web.Fields{}
	if in.FormID == 0 {
		f.Add("form_id", "请选择评估表")
	} else if _, err := s.GetForm(ctx, p, in.FormID); err != nil {
		if !web.IsStatus(err, 404) {
			return nil, err
		}
		f.Add("form_id", "评估表不存在")
	}
	e := &Evaluation{ClassID: c.ID, HostOrgID: c.HostOrgID, FormID: in.FormID, TargetType: in.Target.Type, Required: in.Required == nil || *in.Required,
		CreatedBy: p.UserID, CreatedAt: s.now().UTC()}
	switch in.Target.Type {
	case TargetClass:
		if in.Target.ID != 0 && in.Target.ID != c.ID {
			f.Add("target.id", "应为本班次的编号")
		}
		e.TargetID, e.TargetLabel = c.ID, c.Title
	case TargetCourse:
		courses, err := s.classes.Courses(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(courses, func(x training.CourseItem) bool { return x.CourseID == in.Target.ID })
		if i < 0 {
			f.Add("target.id", "不是本班次的课程")
		} else {
			e.TargetID, e.TargetLabel = in.Target.ID, courses[i].Title
		}
	case TargetSession, TargetTeacher:
		sessions, err := s.classes.Sessions(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(sessions, func(x training.Session) bool { return x.ID == in.Target.ID })
		switch {
		case i < 0:
			f.Add("target.id", "不是本班次课表中的课程")
		case in.Target.Type == TargetTeacher && strings.TrimSpace(sessions[i].Teacher) == "":
			f.Add("target.id", "该课程未填写授课人，请先在课表中填写")
		case in.Target.Type == TargetTeacher:
			e.TargetID, e.TargetLabel = in.Target.ID, strings.TrimSpace(sessions[i].Teacher)
		default:
			e.TargetID, e.TargetLabel = in.Target.ID, sessionLabel(sessions[i])
		}
	default:
		f.Add("target.type", "评估对象应为 class（班次）、course（课程）、teacher（授课教师）或 session（课次）")
	}
	if in.TeacherUserID != 0 {
		switch {
		case in.Target.Type != TargetTeacher && in.Target.Type != TargetSession:
			f.Add("teacher_user_id", "只有授课教师或课次评估可以关联教师账号")
		case s.teachers == nil:
			f.Add("teacher_user_id", "无法关联教师账号")
		default:
			t, err := s.teachers.Teacher(ctx, p, in.TeacherUserID)
			if err != nil {
				return nil, web.Internal(err)
			}
			if t == nil {
				f.Add("teacher_user_id", "不是本学院的教师账号")
			} else {
				e.TeacherUserID = t.ID
			}
		}
	}
	if in.OpensAt != nil {
		t := in.OpensAt.UTC()
		e.OpensAt = &t
	}
	if in.ClosesAt != nil {
		t := in.ClosesAt.UTC()
		e.ClosesAt = &t
		if e.OpensAt != nil && !t.After(*e.OpensAt) {
			f.Add("closes_at", "截止时间应晚于开始时间")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		e.ID = 0
		if err := tx.Create(e).Error; err != nil {
			if db.IsDuplicate(err) {
				return web.Conflict("evaluation_exists", "该评估对象已使用这张评估表")
			}
			return fmt.Errorf("assess: create evaluation: %w", err)
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "evaluation.create", "class", c.ID, map[string]any{"evaluation": e.ID, "form": e.FormID,
			"target": e.TargetType, "target_id": e.TargetID, "label": e.TargetLabel, "required": e.Required, "teacher_user_id": e.TeacherUserID}))
	})
	if err != nil {
		return nil, web.AsError(err)
	}
	return e, nil
}

// Remind sends the trainees of the class who have not yet submitted an
// evaluation a notification (the host); it returns how many it reminded.
func (s *Service) Remind(ctx context.Context, p *web.Principal, id uint64) (*Evaluation, int, error) {
	e, err := s.evaluation(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	c, err := s.hostedClass(ctx, p, e.ClassID)
	if err != nil {
		return nil, 0, err
	}
	trainees, err := s.classes.Trainees(ctx, c.ID)
	if err != nil {
		return nil, 0, err
	}
	var done []uint64
	if err := s.db.WithContext(ctx).Model(&Submission{}).Where("evaluation_id = ?", id).Pluck("user_id", &done).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	var pending []uint64
	for _, u := range trainees {
		if !slices.Contains(done, u) {
			pending = append(pending, u)
		}
	}
	if s.notifier == nil {
		pending = nil
	}
	if len(pending) > 0 {
		body := "请在“我的评估”中填写，评估匿名进行。"
		if e.Required {
			body = "这项评估是结业要求之一。" + body
		}
		if err := s.notifier.Notify(ctx, pending, "请填写评估："+e.TargetLabel+"（"+c.Title+"）", body, fmt.Sprintf("/evaluations/%d", e.ID)); err != nil {
			return nil, 0, web.Internal(err)
		}
	}
	if err := s.audit.Record(ctx, web.AuditBy(p, "evaluation.remind", "class", e.ClassID, map[string]any{"evaluation": id, "reminded": len(pending)})); err != nil {
		return nil, 0, err
	}
	return e, len(pending), nil
}

// DeleteEvaluation removes an evaluation nobody has answered yet.
func (s *Service) DeleteEvaluation(ctx context.Context, p *web.Principal, id uint64) (*Evaluation, error) {
	e, err := s.evaluation(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.hostedClass(ctx, p, e.ClassID); err != nil {
		return nil, err
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&Submission{}).Where("evaluation_id = ?", id).Count(&n).Error; err != nil {
		return nil, web.Internal(err)
	}
	if n > 0 {
		return nil, web.Conflict("evaluation_answered", "已有学员提交评估，不能删除")
	}
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Delete(&Evaluation{}, id).Error; err != nil {
			return err
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "evaluation.delete", "class", e.ClassID, map[string]any{"evaluation": id, "label": e.TargetLabel}))
	})
	if err != nil {
		return nil, web.AsError(err)
	}
	return e, nil
}

// ClassEvaluations lists a class's evaluations with how many trainees
// submitted each, for its host and the org department.
func (s *Service) ClassEvaluations(ctx context.Context, p *web.Principal, classID uint64) ([]EvaluationRow, error) {
	c, err := s.managedClass(ctx, p, classID)
	if err != nil {
		return nil, err
	}
	var rows []Evaluation
	if err := s.db.WithContext(ctx).Where("class_id = ?", c.ID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	trainees, err := s.classes.Trainees(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	counts, err := s.submissionCounts(ctx, rows)
	if err != nil {
		return nil, err
	}
	titles, err := s.formTitles(ctx, rows)
	if err != nil {
		return nil, err
	}
	tallies, err := s.tallies(ctx, rows)
	if err != nil {
		return nil, err
	}
	bar := s.Bar(ctx)
	out := make([]EvaluationRow, len(rows))
	for i, e := range rows {
		t := tallies[e.ID]
		score, rate := totals(t.scoreSum, t.scored, t.top2, t.ratings)
		out[i] = EvaluationRow{ID: e.ID, ClassID: e.ClassID, FormID: e.FormID, Title: titles[e.FormID], Target: Target{Type: e.TargetType, ID: e.TargetID, Label: e.TargetLabel},
			TeacherUserID: e.TeacherUserID, Required: e.Required, OpensAt: e.OpensAt, ClosesAt: e.ClosesAt, Submitted: counts[e.ID], Trainees: len(trainees),
			Score: score, SatisfactionRate: round(rate, 4), MeetsBar: t.ratings > 0 && meets(rate, bar), CreatedAt: e.CreatedAt}
	}
	return out, nil
}

func (s *Service) submissionCounts(ctx context.Context, rows []Evaluation) (map[uint64]int64, error) {
	out := map[uint64]int64{}
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]uint64, len(rows))
	for i, e := range rows {
		ids[i] = e.ID
	}
	counts, err := db.CountBy[uint64](s.db.WithContext(ctx).Model(&Submission{}).Where("evaluation_id IN ?", ids), "evaluation_id")
	if err != nil {
		return nil, web.Internal(err)
	}
	return counts, nil
}

func (s *Service) formTitles(ctx context.Context, rows []Evaluation) (map[uint64]string, error) {
	out := map[uint64]string{}
	var ids []uint64
	for _, e := range rows {
		if !slices.Contains(ids, e.FormID) {
			ids = append(ids, e.FormID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	var forms []Form
	if err := s.db.WithContext(ctx).Select("id", "title").Where("id IN ?", ids).Find(&forms).Error; err != nil {
		return nil, web.Internal(err)
	}
	for _, f := range forms {
		out[f.ID] = f.Title
	}
	return out, nil
}
