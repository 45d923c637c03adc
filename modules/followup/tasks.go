package followup

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path"
	"sort"
	"strings"

	"college/modules/media"
	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// Limits of the graduate's filings.
const (
	maxContent = 5000
	// MaxAttachmentBytes bounds a 述学讲学 attachment.
	MaxAttachmentBytes = 20 << 20
)

// ownPlan loads the caller's plan for a class (404 when none).
func (s *Service) ownPlan(ctx context.Context, p *web.Principal, classID uint64) (*Plan, error) {
	plan, err := web.Load[Plan](s.db.WithContext(ctx).Where("user_id = ? AND class_id = ?", p.UserID, classID))
	if web.IsStatus(err, http.StatusNotFound) {
		e := web.NotFound()
		e.Message = "您没有该班次的跟踪问效计划"
		return nil, e
	}
	return plan, err
}

// FileStudyPlan files or updates the graduate's self-study plan of a class.
func (s *Service) FileStudyPlan(ctx context.Context, p *web.Principal, in StudyPlanRequest) (StudyPlanResponse, bool, error) {
	in.Content = strings.TrimSpace(in.Content)
	f := web.Fields{}
	f.Check(in.ClassID != 0, "class_id", "必填")
	f.Required("content", in.Content)
	f.MaxLen("content", in.Content, maxContent)
	if err := f.Err(); err != nil {
		return StudyPlanResponse{}, false, err
	}
	plan, err := s.ownPlan(ctx, p, in.ClassID)
	if err != nil {
		return StudyPlanResponse{}, false, err
	}
	now := s.now().UTC()
	var sp StudyPlan
	created := false
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		sp, created = StudyPlan{UserID: p.UserID, ClassID: in.ClassID}, false
		res := tx.Model(&StudyPlan{}).Where("user_id = ? AND class_id = ?", p.UserID, in.ClassID).
			Updates(map[string]any{"content": in.Content, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			sp.Content, sp.FiledAt, sp.UpdatedAt = in.Content, now, now
			if err := tx.Create(&sp).Error; err != nil {
				return err
			}
			created = true
		} else if err := tx.Where("user_id = ? AND class_id = ?", p.UserID, in.ClassID).Take(&sp).Error; err != nil {
			return err
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "followup.study_plan", "followup_plan", plan.ID, map[string]any{"class_id": in.ClassID, "created": created}))
	})
	if err != nil {
		return StudyPlanResponse{}, false, web.AsError(err)
	}
	return studyPlanResponse(sp, plan), created, nil
}

func studyPlanResponse(sp StudyPlan, plan *Plan) StudyPlanResponse {
	due := GraduationTasksDue(plan.GraduatedOn)
	return StudyPlanResponse{ClassID: sp.ClassID, Content: sp.Content, FiledAt: sp.FiledAt, UpdatedAt: sp.UpdatedAt, DueOn: due,
		OnTime: dateOf(&sp.FiledAt) <= due}
}

// RecordReportBack records a 述学讲学 the graduate gave to the unit. One
// held more than a month after graduation is accepted and marked late.
func (s *Service) RecordReportBack(ctx context.Context, p *web.Principal, in ReportBackRequest) (ReportBackResponse, error) {
	in.HeldOn, in.Audience, in.Summary = strings.TrimSpace(in.HeldOn), strings.TrimSpace(in.Audience), strings.TrimSpace(in.Summary)
	f := web.Fields{}
	f.Check(in.ClassID != 0, "class_id", "必填")
	f.Check(validDate(in.HeldOn), "held_on", "日期格式应为 YYYY-MM-DD")
	f.Required("audience", in.Audience)
	f.MaxLen("audience", in.Audience, 200)
	f.MaxLen("summary", in.Summary, maxContent)
	if err := f.Err(); err != nil {
		return ReportBackResponse{}, err
	}
	plan, err := s.ownPlan(ctx, p, in.ClassID)
	if err != nil {
		return ReportBackResponse{}, err
	}
	if in.HeldOn < plan.GraduatedOn {
		return ReportBackResponse{}, web.Invalid(map[string]string{"held_on": "述学讲学应在结业（" + plan.GraduatedOn + "）之后"})
	}
	if in.HeldOn > s.today() {
		return ReportBackResponse{}, web.Invalid(map[string]string{"held_on": "请在述学讲学举行后登记"})
	}
	now := s.now().UTC()
	rb := ReportBack{UserID: p.UserID, ClassID: in.ClassID, HeldOn: in.HeldOn, Audience: in.Audience, Summary: in.Summary, CreatedAt: now, UpdatedAt: now}
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		rb.ID = 0
		if err := tx.Create(&rb).Error; err != nil {
			return err
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "followup.report_back", "report_back", rb.ID, map[string]any{"class_id": in.ClassID, "held_on": in.HeldOn}))
	})
	if err != nil {
		return ReportBackResponse{}, web.AsError(err)
	}
	return reportBackResponse(rb, plan), nil
}

func reportBackResponse(rb ReportBack, plan *Plan) ReportBackResponse {
	due := GraduationTasksDue(plan.GraduatedOn)
	return ReportBackResponse{ID: rb.ID, ClassID: rb.ClassID, HeldOn: rb.HeldOn, Audience: rb.Audience, Summary: rb.Summary, DueOn: due,
		OnTime: rb.HeldOn <= due, AttachmentName: rb.AttachmentName, AttachmentSize: rb.AttachmentSize, CreatedAt: rb.CreatedAt}
}

// AttachToReportBack stores the slides, text or photo of the graduate's own
// 述学讲学, replacing an earlier attachment.
func (s *Service) AttachToReportBack(ctx context.Context, p *web.Principal, id uint64, name string, r io.Reader) (ReportBackResponse, error) {
	rb, err := web.Load[ReportBack](s.db.WithContext(ctx).Where("user_id = ?", p.UserID), id)
	if err != nil {
		return ReportBackResponse{}, err
	}
	plan, err := s.ownPlan(ctx, p, rb.ClassID)
	if err != nil {
		return ReportBackResponse{}, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxAttachmentBytes+1))
	if err != nil {
		return ReportBackResponse{}, web.BadRequest("bad_upload", "上传中断，请重试").WithCause(err)
	}
	if len(data) > MaxAttachmentBytes {
		return ReportBackResponse{}, web.TooLarge(fmt.Sprintf("文件过大，不能超过 %d MB", MaxAttachmentBytes>>20))
	}
	if len(data) == 0 {
		return ReportBackResponse{}, web.Invalid(map[string]string{"file": "文件为空"})
	}
	ct, ok := media.DocumentType(data[:min(len(data), 16)], name)
	if !ok {
		return ReportBackResponse{}, web.NewError(415, "unsupported_type", "只能上传 PDF、Word、PPT、Excel 文件或 PNG、JPEG 图片")
	}
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), "\\", "/"))
	if name == "" || name == "." || name == "/" {
		name = "述学讲学材料"
	}
	name = truncate(name, 200)
	ext := strings.ToLower(path.Ext(name))
	if len(ext) > 8 {
		ext = ""
	}
	key := fmt.Sprintf("followup/report-backs/%d-%d%s", rb.ID, s.now().UnixNano(), ext)
	if _, err := s.objects.Put(ctx, key, bytes.NewReader(data), int64(len(data)), ct); err != nil {
		return ReportBackResponse{}, web.Internal(err)
	}
	old := rb.AttachmentKey
	rb.AttachmentKey, rb.AttachmentName, rb.AttachmentSize, rb.UpdatedAt = key, name, int64(len(data)), s.now().UTC()
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Model(&ReportBack{}).Where("id = ?", rb.ID).Updates(map[string]any{"attachment_key": key,
			"attachment_name": name, "attachment_size": rb.AttachmentSize, "updated_at": rb.UpdatedAt}).Error; err != nil {
			return err
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "followup.report_back.attach", "report_back", rb.ID, map[string]any{"name": name, "size": rb.AttachmentSize}))
	})
	if err != nil {
		_ = s.objects.Delete(ctx, key)
		return ReportBackResponse{}, web.AsError(err)
	}
	if old != "" {
		_ = s.objects.Delete(ctx, old)
	}
	return reportBackResponse(*rb, plan), nil
}

// ReportBackFile loads a 述学讲学 whose attachment the caller may download:
// the cadre, and those who may see the cadre's plan.
func (s *Service) ReportBackFile(ctx context.Context, p *web.Principal, id uint64) (*ReportBack, error) {
	rb, err := web.Load[ReportBack](s.db.WithContext(ctx), id)
	if err != nil {
		return nil, err
	}
	if rb.AttachmentKey == "" {
		return nil, web.NotFound()
	}
	if rb.UserID != p.UserID {
		var plan Plan
		if err := s.db.WithContext(ctx).Where("user_id = ? AND class_id = ?", rb.UserID, rb.ClassID).Take(&plan).Error; err != nil {
			return nil, web.NotFound()
		}
		if _, _, err := s.plan(ctx, p, plan.ID); err != nil {
			return nil, err
		}
	}
	return rb, nil
}

// WriteSelfReport stores the cadre's yearly self-report in a pending round.
func (s *Service) WriteSelfReport(ctx context.Context, p *web.Principal, roundID uint64, content string) error {
	content = strings.TrimSpace(content)
	f := web.Fields{}
	f.Required("content", content)
	f.MaxLen("content", content, maxContent)
	if err := f.Err(); err != nil {
		return err
	}
	r, err := web.Load[Round](s.db.WithContext(ctx).Where("user_id = ?", p.UserID), roundID)
	if err != nil {
		return err
	}
	if r.Status != RoundPending {
		return web.Conflict("wrong_state", "本轮问效已"+RoundStatusNames[r.Status]+"，不能再修改年度自述")
	}
	now := s.now().UTC()
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&Round{}).Where("id = ? AND status = ?", r.ID, RoundPending).
			Updates(map[string]any{"self_report": content, "self_report_at": now, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return web.Conflict("wrong_state", "本轮问效已结束，不能再修改年度自述")
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "followup.self_report", "followup_round", r.ID, nil))
	})
	if err != nil {
		return web.AsError(err)
	}
	return nil
}

// tasksOf lists a plan's tasks for the graduate: the self-study plan and
// the 述学讲学 due a month after graduation, and a self-report per round
// due with the round. Tasks of a plan that is over are left out unless done.
func tasksOf(plan Plan, rounds []Round, sp *StudyPlan, rbs []ReportBack, today string) []Task {
	due := GraduationTasksDue(plan.GraduatedOn)
	base := Task{PlanID: plan.ID, ClassID: plan.ClassID, ClassTitle: plan.ClassTitle, UserID: plan.UserID}
	var out []Task
	active := plan.Status == PlanActive
	t := base
	t.Kind, t.Name, t.DueOn = TaskStudyPlan, TaskNames[TaskStudyPlan], due
	if sp != nil {
		t.Done, t.DoneOn = true, dateOf(&sp.FiledAt)
		t.Late = t.DoneOn > due
	}
	if active || t.Done {
		out = append(out, t)
	}
	t = base
	t.Kind, t.Name, t.DueOn = TaskReportBack, TaskNames[TaskReportBack], due
	for _, rb := range rbs {
		if !t.Done || rb.HeldOn < t.DoneOn {
			t.Done, t.DoneOn = true, rb.HeldOn
		}
	}
	t.Late = t.Done && t.DoneOn > due
	if active || t.Done {
		out = append(out, t)
	}
	for _, r := range rounds {
		if r.Status == RoundCancelled || r.SelfReport == "" && (r.Status == RoundDone || r.DueOn[:4] > today[:4]) {
			continue // nothing written, and nothing to write yet (or any more)
		}
		t = base
		t.Kind, t.Name, t.RoundID, t.Year, t.DueOn, t.Content = TaskSelfReport, fmt.Sprintf("%d 年度自述", r.Year), r.ID, r.Year, r.DueOn, r.SelfReport
		t.Closed = r.Status != RoundPending
		if r.SelfReport != "" {
			t.Done, t.DoneOn = true, dateOf(r.SelfReportAt)
			t.Late = t.DoneOn > r.DueOn
		}
		out = append(out, t)
	}
	for i := range out {
		out[i].Overdue = !out[i].Done && out[i].DueOn < today
	}
	return out
}

// MyFollowUp is the graduate's follow-up: plans with rounds, tasks, the
// filed study plans and report-backs, and whether the caller is on the team.
func (s *Service) MyFollowUp(ctx context.Context, p *web.Principal) (MyFollowUpResponse, error) {
	out := MyFollowUpResponse{Plans: []PlanResponse{}, Tasks: []Task{}, StudyPlans: map[uint64]StudyPlanResponse{}, ReportBacks: []ReportBackResponse{}}
	var plans []Plan
	if err := s.db.WithContext(ctx).Where("user_id = ?", p.UserID).Order("graduated_on DESC, class_id").Limit(100).Find(&plans).Error; err != nil {
		return out, web.Internal(err)
	}
	team, err := s.IsTeamMember(ctx, p.UserID)
	if err != nil {
		return out, web.Internal(err)
	}
	out.TeamMember = team
	if len(plans) == 0 {
		return out, nil
	}
	if out.Plans, err = s.planResponses(ctx, plans); err != nil {
		return out, err
	}
	classIDs := make([]uint64, len(plans))
	planIDs := make([]uint64, len(plans))
	for i, pl := range plans {
		classIDs[i], planIDs[i] = pl.ClassID, pl.ID
	}
	var rounds []Round
	var sps []StudyPlan
	var rbs []ReportBack
	conn := s.db.WithContext(ctx)
	if err := conn.Where("plan_id IN ?", planIDs).Order("year").Find(&rounds).Error; err != nil {
		return out, web.Internal(err)
	}
	if err := conn.Where("user_id = ? AND class_id IN ?", p.UserID, classIDs).Find(&sps).Error; err != nil {
		return out, web.Internal(err)
	}
	if err := conn.Where("user_id = ? AND class_id IN ?", p.UserID, classIDs).Order("held_on DESC, id DESC").Find(&rbs).Error; err != nil {
		return out, web.Internal(err)
	}
	byPlan := map[uint64][]Round{}
	for _, r := range rounds {
		byPlan[r.PlanID] = append(byPlan[r.PlanID], r)
	}
	spOf := map[uint64]*StudyPlan{}
	for i := range sps {
		spOf[sps[i].ClassID] = &sps[i]
	}
	rbOf := map[uint64][]ReportBack{}
	for _, rb := range rbs {
		rbOf[rb.ClassID] = append(rbOf[rb.ClassID], rb)
	}
	today := s.today()
	for i := range plans {
		pl := &plans[i]
		out.Tasks = append(out.Tasks, tasksOf(*pl, byPlan[pl.ID], spOf[pl.ClassID], rbOf[pl.ClassID], today)...)
		if sp := spOf[pl.ClassID]; sp != nil {
			out.StudyPlans[pl.ClassID] = studyPlanResponse(*sp, pl)
		}
		for _, rb := range rbOf[pl.ClassID] {
			out.ReportBacks = append(out.ReportBacks, reportBackResponse(rb, pl))
		}
	}
	sort.SliceStable(out.Tasks, func(i, j int) bool {
		a, b := out.Tasks[i], out.Tasks[j]
		if a.Done != b.Done {
			return !a.Done
		}
		return a.DueOn < b.DueOn
	})
	return out, nil
}

// OverdueTasks lists the overdue tasks of the graduates whose plans the
// caller oversees as a unit (ScopeUnit) or manages (ScopeManage).
func (s *Service) OverdueTasks(ctx context.Context, p *web.Principal, scope string) ([]Task, error) {
	q := s.db.WithContext(ctx).Table("followup_plans AS pl").Select("pl.*").Where("pl.status = ?", PlanActive)
	if scope == ScopeManage {
		q = q.Scopes(manageScope(p))
	} else {
		q = q.Scopes(unitScope(p))
	}
	var plans []Plan
	if err := q.Order("pl.graduated_on, pl.id").Limit(1000).Find(&plans).Error; err != nil {
		return nil, web.Internal(err)
	}
	out := []Task{}
	if len(plans) == 0 {
		return out, nil
	}
	ids, users := make([]uint64, len(plans)), make([]uint64, len(plans))
	for i, pl := range plans {
		ids[i], users[i] = pl.ID, pl.UserID
	}
	conn := s.db.WithContext(ctx)
	var rounds []Round
	var sps []StudyPlan
	var rbs []ReportBack
	if err := conn.Where("plan_id IN ?", ids).Find(&rounds).Error; err != nil {
		return nil, web.Internal(err)
	}
	if err := conn.Where("user_id IN ?", users).Find(&sps).Error; err != nil {
		return nil, web.Internal(err)
	}
	if err := conn.Where("user_id IN ?", users).Find(&rbs).Error; err != nil {
		return nil, web.Internal(err)
	}
	key := func(u, c uint64) string { return fmt.Sprint(u, ":", c) }
	byPlan := map[uint64][]Round{}
	for _, r := range rounds {
		byPlan[r.PlanID] = append(byPlan[r.PlanID], r)
	}
	spOf := map[string]*StudyPlan{}
	for i := range sps {
		spOf[key(sps[i].UserID, sps[i].ClassID)] = &sps[i]
	}
	rbOf := map[string][]ReportBack{}
	for _, rb := range rbs {
		rbOf[key(rb.UserID, rb.ClassID)] = append(rbOf[key(rb.UserID, rb.ClassID)], rb)
	}
	people, err := s.people.People(ctx, users)
	if err != nil {
		return nil, web.Internal(err)
	}
	today := s.today()
	for _, pl := range plans {
		k := key(pl.UserID, pl.ClassID)
		for _, t := range tasksOf(pl, byPlan[pl.ID], spOf[k], rbOf[k], today) {
			if t.Overdue {
				t.Content, t.Cadre = "", people[pl.UserID].Name
				out = append(out, t)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DueOn < out[j].DueOn })
	return out, nil
}
