package assess

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

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

// Target is what an evaluation is about. For a teacher the id is the
// session they taught and the label their name.
type Target struct {
	Type  string `json:"type"`
	ID    uint64 `json:"id"`
	Label string `json:"label,omitempty"`
}

// EvaluationRequest attaches a form to a target of a class. Required
// (default true) makes it a graduation requirement when the class asks
// for its evaluations; teacher_user_id links a teacher or session
// evaluation to the teacher's account, who may then read its results.
type EvaluationRequest struct {
	FormID        uint64     `json:"form_id"`
	Target        Target     `json:"target"`
	Required      *bool      `json:"required"`
	TeacherUserID uint64     `json:"teacher_user_id"`
	OpensAt       *time.Time `json:"opens_at"`
	ClosesAt      *time.Time `json:"closes_at"`
}

// EvaluationRow is an evaluation of a class with its completion.
type EvaluationRow struct {
	ID            uint64     `json:"id"`
	ClassID       uint64     `json:"class_id"`
	FormID        uint64     `json:"form_id"`
	Title         string     `json:"title"`
	Target        Target     `json:"target"`
	TeacherUserID uint64     `json:"teacher_user_id,omitempty"`
	Required      bool       `json:"required"`
	OpensAt       *time.Time `json:"opens_at,omitempty"`
	ClosesAt      *time.Time `json:"closes_at,omitempty"`
	Submitted     int64      `json:"submitted"`
	Trainees      int        `json:"trainees"`
	// The results so far: the mean total out of 100 and the satisfaction rate.
	Score            float64   `json:"score"`
	SatisfactionRate float64   `json:"satisfaction_rate"`
	MeetsBar         bool      `json:"meets_bar"`
	CreatedAt        time.Time `json:"created_at"`
}

// MyEvaluation is an evaluation a trainee has to fill.
type MyEvaluation struct {
	ID         uint64     `json:"id"`
	Title      string     `json:"title"`
	Target     Target     `json:"target"`
	ClassID    uint64     `json:"class_id"`
	ClassTitle string     `json:"class_title"`
	Done       bool       `json:"done"`
	Required   bool       `json:"required"`
	Open       bool       `json:"open"`             // may be answered now
	Reason     string     `json:"reason,omitempty"` // why not, when not open and not done
	ClosesAt   *time.Time `json:"closes_at,omitempty"`
}

// EvaluationDetail is an evaluation with its questions, for filling in.
type EvaluationDetail struct {
	MyEvaluation
	Trainee   bool   `json:"trainee"` // the caller is a trainee of the class
	Questions []Item `json:"questions"`
}

func (s *Service) evaluation(ctx context.Context, id uint64) (*Evaluation, error) {
	var e Evaluation
	err := s.db.WithContext(ctx).First(&e, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, web.NotFound()
	}
	if err != nil {
		return nil, web.Internal(err)
	}
	return &e, nil
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
	if err := s.db.WithContext(ctx).Create(e).Error; err != nil {
		if db.IsDuplicate(err) {
			return nil, web.Conflict("evaluation_exists", "该评估对象已使用这张评估表")
		}
		return nil, web.Internal(fmt.Errorf("assess: create evaluation: %w", err))
	}
	return e, nil
}

// DeleteEvaluation removes an evaluation nobody has answered yet.
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
	if len(pending) == 0 || s.notifier == nil {
		return e, 0, nil
	}
	body := "请在“我的评估”中填写，评估匿名进行。"
	if e.Required {
		body = "这项评估是结业要求之一。" + body
	}
	if err := s.notifier.Notify(ctx, pending, "请填写评估："+e.TargetLabel+"（"+c.Title+"）", body, fmt.Sprintf("/evaluations/%d", e.ID)); err != nil {
		return nil, 0, web.Internal(err)
	}
	return e, len(pending), nil
}

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
	if err := s.db.WithContext(ctx).Delete(&Evaluation{}, id).Error; err != nil {
		return nil, web.Internal(err)
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
	var counts []struct {
		EvaluationID uint64
		N            int64
	}
	if err := s.db.WithContext(ctx).Model(&Submission{}).Select("evaluation_id, COUNT(*) AS n").Where("evaluation_id IN ?", ids).
		Group("evaluation_id").Scan(&counts).Error; err != nil {
		return nil, web.Internal(err)
	}
	for _, c := range counts {
		out[c.EvaluationID] = c.N
	}
	return out, nil
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

// openFor tells whether trainees may answer now, and if not, why.
func (s *Service) openFor(c *training.Class, e *Evaluation) (bool, string) {
	now := s.now()
	switch {
	case c.Status != training.StatusInSession && c.Status != training.StatusGraduated:
		return false, "班次开班后才能填写评估"
	case e.OpensAt != nil && now.Before(*e.OpensAt):
		return false, "评估尚未开始，开始时间：" + e.OpensAt.In(web.Shanghai).Format("2006-01-02 15:04")
	case e.ClosesAt != nil && !now.Before(*e.ClosesAt):
		return false, "评估已截止"
	}
	return true, ""
}

// traineeStatuses are the registrations that make a trainee.
var traineeStatuses = []string{training.RegApproved, training.RegGraduated, training.RegIncomplete}

// MyEvaluations lists the evaluations of the classes the caller is a
// trainee of, newest class first, in the order they were published.
func (s *Service) MyEvaluations(ctx context.Context, p *web.Principal) ([]MyEvaluation, error) {
	regs, err := s.classes.MyRegistrations(ctx, p)
	if err != nil {
		return nil, err
	}
	var classIDs []uint64
	titles := map[uint64]string{}
	for _, r := range regs {
		if slices.Contains(traineeStatuses, r.Status) && !slices.Contains(classIDs, r.ClassID) {
			classIDs = append(classIDs, r.ClassID)
			titles[r.ClassID] = r.Class.Title
		}
	}
	out := []MyEvaluation{}
	if len(classIDs) == 0 {
		return out, nil
	}
	var rows []Evaluation
	if err := s.db.WithContext(ctx).Where("class_id IN ?", classIDs).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	done, err := s.doneBy(ctx, p.UserID, rows)
	if err != nil {
		return nil, err
	}
	forms, err := s.formTitles(ctx, rows)
	if err != nil {
		return nil, err
	}
	classes := map[uint64]*training.Class{}
	for _, id := range classIDs {
		c, err := s.classes.ClassByID(ctx, id)
		if err != nil {
			return nil, err
		}
		classes[id] = c
	}
	for _, cid := range classIDs {
		for i := range rows {
			e := &rows[i]
			if e.ClassID != cid {
				continue
			}
			m := MyEvaluation{ID: e.ID, Title: forms[e.FormID], Target: Target{Type: e.TargetType, ID: e.TargetID, Label: e.TargetLabel},
				ClassID: e.ClassID, ClassTitle: titles[e.ClassID], Done: done[e.ID], Required: e.Required, ClosesAt: e.ClosesAt}
			m.Open, m.Reason = s.openFor(classes[cid], e)
			if m.Done {
				m.Open, m.Reason = false, ""
			}
			out = append(out, m)
		}
	}
	return out, nil
}

func (s *Service) doneBy(ctx context.Context, userID uint64, rows []Evaluation) (map[uint64]bool, error) {
	out := map[uint64]bool{}
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]uint64, len(rows))
	for i, e := range rows {
		ids[i] = e.ID
	}
	var got []uint64
	if err := s.db.WithContext(ctx).Model(&Submission{}).Where("user_id = ? AND evaluation_id IN ?", userID, ids).Pluck("evaluation_id", &got).Error; err != nil {
		return nil, web.Internal(err)
	}
	for _, id := range got {
		out[id] = true
	}
	return out, nil
}

// Evaluation returns an evaluation with its questions to a trainee of the
// class, its host, the org department or its teacher.
func (s *Service) Evaluation(ctx context.Context, p *web.Principal, id uint64) (EvaluationDetail, error) {
	var d EvaluationDetail
	e, err := s.evaluation(ctx, id)
	if err != nil {
		return d, err
	}
	trainee, err := s.classes.IsTrainee(ctx, e.ClassID, p.UserID)
	if err != nil {
		return d, web.Internal(err)
	}
	if !trainee && !(e.TeacherUserID != 0 && e.TeacherUserID == p.UserID) {
		if ok, err := s.classes.Manages(ctx, p, e.ClassID); err != nil || !ok {
			return d, errOr(err, web.NotFound())
		}
	}
	c, err := s.classes.ClassByID(ctx, e.ClassID)
	if err != nil {
		return d, err
	}
	f, items, err := s.formByID(ctx, e.FormID)
	if err != nil {
		return d, err
	}
	d = EvaluationDetail{MyEvaluation: MyEvaluation{ID: e.ID, Title: f.Title, Target: Target{Type: e.TargetType, ID: e.TargetID, Label: e.TargetLabel},
		ClassID: c.ID, ClassTitle: c.Title, Required: e.Required, ClosesAt: e.ClosesAt}, Trainee: trainee, Questions: items}
	if trainee {
		done, err := s.doneBy(ctx, p.UserID, []Evaluation{*e})
		if err != nil {
			return d, err
		}
		d.Done = done[e.ID]
		if !d.Done {
			d.Open, d.Reason = s.openFor(c, e)
		}
	}
	return d, nil
}

// Respond records a trainee's answers: who answered in one table, what was
// answered in another, in one transaction. A second answer is refused.
func (s *Service) Respond(ctx context.Context, p *web.Principal, id uint64, in ResponseRequest) error {
	if err := web.MayStudy(p); err != nil {
		return err
	}
	e, err := s.evaluation(ctx, id)
	if err != nil {
		return err
	}
	trainee, err := s.classes.IsTrainee(ctx, e.ClassID, p.UserID)
	if err != nil {
		return web.Internal(err)
	}
	if !trainee {
		return web.NewError(403, "not_trainee", "只有本班次的学员可以填写评估")
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&Submission{}).Where("evaluation_id = ? AND user_id = ?", id, p.UserID).Count(&n).Error; err != nil {
		return web.Internal(err)
	}
	if n > 0 {
		return errAnswered()
	}
	c, err := s.classes.ClassByID(ctx, e.ClassID)
	if err != nil {
		return err
	}
	if open, why := s.openFor(c, e); !open {
		return web.Unprocessable("evaluation_closed", why)
	}
	_, items, err := s.formByID(ctx, e.FormID)
	if err != nil {
		return err
	}
	answers, fields := ValidateAnswers(items, in.Answers)
	if err := fields.Err(); err != nil {
		return err
	}
	raw, err := json.Marshal(answers)
	if err != nil {
		return web.Internal(err)
	}
	now := s.now()
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&Submission{EvaluationID: id, UserID: p.UserID, SubmittedAt: now.UTC()}).Error; err != nil {
			return err
		}
		return tx.Create(&Response{ID: randomID(), EvaluationID: id, Answers: string(raw), Period: now.In(web.Shanghai).Format("2006-01")}).Error
	})
	if db.IsDuplicate(err) {
		return errAnswered()
	}
	if err != nil {
		return web.Internal(fmt.Errorf("assess: save response: %w", err))
	}
	return nil
}

func errAnswered() error {
	return web.Conflict("already_answered", "您已提交过这份评估，每人只能提交一次")
}

// randomID is a response key that says nothing of when it was made.
func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Missing counts, per user, the class's required evaluations they have not
// submitted (users with none missing are left out): the graduation rule.
func (s *Service) Missing(ctx context.Context, classID uint64, userIDs []uint64) (map[uint64]int, error) {
	out := map[uint64]int{}
	var required []uint64
	if err := s.db.WithContext(ctx).Model(&Evaluation{}).Where("class_id = ? AND required = ?", classID, true).Pluck("id", &required).Error; err != nil {
		return nil, fmt.Errorf("assess: required evaluations: %w", err)
	}
	if len(required) == 0 || len(userIDs) == 0 {
		return out, nil
	}
	done := map[uint64]int{}
	for i := 0; i < len(userIDs); i += 1000 {
		var rows []struct {
			UserID uint64
			N      int
		}
		if err := s.db.WithContext(ctx).Model(&Submission{}).Select("user_id, COUNT(*) AS n").
			Where("evaluation_id IN ? AND user_id IN ?", required, userIDs[i:min(i+1000, len(userIDs))]).Group("user_id").Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("assess: submissions: %w", err)
		}
		for _, r := range rows {
			done[r.UserID] = r.N
		}
	}
	for _, u := range userIDs {
		if n := len(required) - done[u]; n > 0 {
			out[u] = n
		}
	}
	return out, nil
}
