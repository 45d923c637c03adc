package followup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"college/modules/notify"
	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// roundRights is what the caller may do with a round.
type roundRights struct {
	planRights
	assignee bool // the team member the round is given to
}

// fill: edit the form and its questionnaires.
func (r roundRights) fill() bool { return r.manage || r.assignee }

// read: the form and the report; the cadre reads only a finished report.
func (r roundRights) read(status string) bool {
	return r.fill() || r.unit || r.self && status == RoundDone
}

// receipt: the reader is one of the report's recipients.
func (r roundRights) receipt() bool { return (r.org || r.unit) && !r.self }

// round loads a round and its plan if the caller may read it (404 otherwise).
func (s *Service) round(ctx context.Context, p *web.Principal, id uint64) (*Round, *Plan, roundRights, error) {
	r, err := web.Load[Round](s.db.WithContext(ctx), id)
	if err != nil {
		return nil, nil, roundRights{}, err
	}
	var plan Plan
	if err := s.db.WithContext(ctx).First(&plan, r.PlanID).Error; err != nil {
		return nil, nil, roundRights{}, web.Internal(err)
	}
	pr, err := s.planRights(ctx, p, &plan)
	if err != nil {
		return nil, nil, roundRights{}, web.Internal(err)
	}
	rights := roundRights{planRights: pr, assignee: p != nil && r.AssigneeID != 0 && r.AssigneeID == p.UserID && !pr.self}
	if !rights.read(r.Status) {
		return nil, nil, rights, web.NotFound()
	}
	return r, &plan, rights, nil
}

// GetRound returns a round with its form, templates and questionnaires.
func (s *Service) GetRound(ctx context.Context, p *web.Principal, id uint64) (RoundResponse, error) {
	r, plan, rights, err := s.round(ctx, p, id)
	if err != nil {
		return RoundResponse{}, err
	}
	out, err := s.roundResponse(ctx, r, plan)
	if rights.self {
		hideRespondents(out.Questionnaires)
	}
	return out, err
}

// hideRespondents drops who answered from questionnaire results: the
// cadre being assessed sees only the totals, never which colleague (by
// relation) answered what.
func hideRespondents(qs []QuestionnaireResults) {
	for i := range qs {
		qs[i].Respondents = nil
	}
}

func (s *Service) roundResponse(ctx context.Context, r *Round, plan *Plan) (RoundResponse, error) {
	person, err := s.people.Person(ctx, r.UserID)
	if err != nil {
		return RoundResponse{}, web.Internal(err)
	}
	if person == nil {
		person = &Person{}
	}
	templates, err := s.templateMap(ctx)
	if err != nil {
		return RoundResponse{}, err
	}
	qs, err := s.roundQuestionnaires(ctx, r.ID)
	if err != nil {
		return RoundResponse{}, err
	}
	out := RoundResponse{ID: r.ID, PlanID: r.PlanID, UserID: r.UserID, Name: person.Name, OrgName: s.people.OrgName(ctx, plan.OrgID), Post: person.Post,
		ClassID: plan.ClassID, ClassTitle: plan.ClassTitle, Year: r.Year, DueOn: r.DueOn, Status: r.Status, StatusName: RoundStatusNames[r.Status],
		Overdue: r.Status == RoundPending && r.DueOn < s.today(), AssigneeID: r.AssigneeID, Dimensions: r.dimensions(), Methods: r.methods(),
		Evidence: r.evidence(), Conclusion: r.Conclusion, SelfReport: r.SelfReport, SelfReportAt: r.SelfReportAt, Excellent: r.Excellent,
		CaseNote: r.CaseNote, CaseCourseID: r.CaseCourseID, CompletedAt: r.CompletedAt, Templates: templates, Questionnaires: qs}
	if out.Methods == nil {
		out.Methods = []string{}
	}
	if r.AssigneeID != 0 {
		if a, err := s.people.Person(ctx, r.AssigneeID); err == nil && a != nil {
			out.AssigneeName = a.Name
		}
	}
	return out, nil
}

// SaveMode says how a save treats a complete form.
type SaveMode int

// Save modes: Auto finishes a complete round (the API), Draft keeps it
// pending, Complete refuses an incomplete one (the page's 完成 button).
const (
	SaveAuto SaveMode = iota
	SaveDraft
	SaveComplete
)

// SaveRound stores the form of a round (its assignee, the host college or
// the org department). A complete form finishes the round: the report goes
// to the org department and the dispatching unit, and the conclusion into
// the cadre's archive. It returns the round's status.
func (s *Service) SaveRound(ctx context.Context, p *web.Principal, id uint64, in RoundRequest, mode SaveMode) (string, error) {
	if f := in.normalize(); len(f) > 0 {
		return "", f.Err()
	}
	if in.Draft {
		mode = SaveDraft
	}
	r, plan, rights, err := s.round(ctx, p, id)
	if err != nil {
		return "", err
	}
	if !rights.fill() {
		return "", web.Forbidden()
	}
	complete := len(in.missing()) == 0
	switch {
	case r.Status == RoundCancelled:
		return "", web.Conflict("round_cancelled", "本轮问效已取消")
	case mode == SaveComplete && !complete:
		return "", in.missing().Err()
	case r.Status == RoundDone && (!complete || mode == SaveDraft):
		return "", web.Conflict("round_done", "本轮问效已完成，修改时须保持四个维度的评分和结论完整")
	}
	var d delivery
	if complete && mode != SaveDraft && r.Status == RoundPending {
		if d, err = s.prepareDelivery(ctx, p, r, plan, in.Conclusion); err != nil {
			return "", web.Internal(err)
		}
	}
	now := s.now().UTC()
	var status string
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if status, err = s.saveRoundTx(ctx, tx, p, r, plan, in, complete && mode != SaveDraft, d, now); err != nil {
			return err
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "followup.round", "followup_round", r.ID, map[string]any{"status": status, "conclusion": in.Conclusion}))
	})
	if err != nil {
		return "", web.AsError(err)
	}
	return status, nil
}

// saveRoundTx stores the form and, when finish is set, finishes a pending
// round and delivers its report. It returns the round's status.
func (s *Service) saveRoundTx(ctx context.Context, tx *gorm.DB, p *web.Principal, r *Round, plan *Plan, in RoundRequest, finish bool, d delivery, now time.Time) (string, error) {
	dims := map[string]DimensionScore{}
	for name, d := range in.Dimensions {
		dims[name] = DimensionScore(d)
	}
	dj, _ := json.Marshal(dims)
	mj, _ := json.Marshal(in.Methods)
	ej, _ := json.Marshal(in.Evidence)
	res := tx.Model(&Round{}).Where("id = ? AND status <> ?", r.ID, RoundCancelled).Updates(map[string]any{
		"dimensions": string(dj), "methods": string(mj), "evidence": string(ej), "conclusion": in.Conclusion, "updated_at": now})
	if res.Error != nil {
		return "", res.Error
	}
	if res.RowsAffected == 0 {
		return "", web.Conflict("round_cancelled", "本轮问效已取消")
	}
	if !finish {
		return r.Status, nil
	}
	res = tx.Model(&Round{}).Where("id = ? AND status = ?", r.ID, RoundPending).
		Updates(map[string]any{"status": RoundDone, "completed_at": now, "completed_by": p.UserID})
	if res.Error != nil {
		return "", res.Error
	}
	if res.RowsAffected == 0 {
		return RoundDone, nil // finished before: an edit
	}
	if err := s.completeIfDone(ctx, tx, plan.ID, now); err != nil {
		return "", err
	}
	return RoundDone, s.deliver(ctx, tx, d, plan.UserID)
}

// reportRecipients are the org department over the cadre's unit and the
// unit's own administrators.
func (s *Service) reportRecipients(ctx context.Context, plan *Plan) ([]uint64, error) {
	path, err := s.people.OrgPath(ctx, plan.OrgID)
	if err != nil {
		return nil, err
	}
	orgAdmins, err := s.people.UsersWithRole(ctx, web.RoleOrgAdmin, orgChain(path))
	if err != nil {
		return nil, err
	}
	unitAdmins, err := s.people.UsersWithRole(ctx, web.RoleUnitAdmin, []uint64{plan.OrgID})
	if err != nil {
		return nil, err
	}
	return append(orgAdmins, unitAdmins...), nil
}

// delivery is the report's notifications, prepared before the transaction
// that sends them (SQLite has one connection: nothing may wait for another
// inside a transaction).
type delivery struct {
	to            []uint64
	report, cadre notify.Message
}

func (s *Service) prepareDelivery(ctx context.Context, p *web.Principal, r *Round, plan *Plan, conclusion string) (delivery, error) {
	to, err := s.reportRecipients(ctx, plan)
	if err != nil {
		return delivery{}, err
	}
	to = slices.DeleteFunc(to, func(id uint64) bool { return id == p.UserID || id == plan.UserID })
	name := ""
	if person, err := s.people.Person(ctx, plan.UserID); err == nil && person != nil {
		name = person.Name
	}
	link := fmt.Sprintf("/followup/rounds/%d/report", r.ID)
	return delivery{to: to,
		report: notify.Message{Title: fmt.Sprintf("跟踪问效报告：%s（%d 年度）", name, r.Year),
			Body: fmt.Sprintf("%s学员%s（%s）%d 年度跟踪问效已完成，结论：%s。请查阅书面报告。", plan.ClassTitle, name, s.people.OrgName(ctx, plan.OrgID), r.Year, conclusion),
			Link: link},
		cadre: notify.Message{Title: fmt.Sprintf("您的 %d 年度跟踪问效已完成", r.Year),
			Body: fmt.Sprintf("%s %d 年度跟踪问效结论：%s，已记入您的学习档案。", plan.ClassTitle, r.Year, conclusion), Link: link},
	}, nil
}

// deliver puts the report of a finished round into the inboxes of the org
// department and the dispatching unit, and tells the cadre, in the
// transaction that finishes the round.
func (s *Service) deliver(ctx context.Context, tx *gorm.DB, d delivery, cadre uint64) error {
	if s.notifier == nil {
		return nil
	}
	if err := s.notifier.Send(ctx, tx, d.to, d.report); err != nil {
		return err
	}
	return s.notifier.Send(ctx, tx, []uint64{cadre}, d.cadre)
}

// AssignRound gives a pending round to a member of the follow-up team, or
// to nobody (user 0).
func (s *Service) AssignRound(ctx context.Context, p *web.Principal, id, userID uint64) (RoundSummary, error) {
	r, plan, rights, err := s.round(ctx, p, id)
	if err != nil {
		return RoundSummary{}, err
	}
	if !rights.manage {
		return RoundSummary{}, web.Forbidden()
	}
	if r.Status != RoundPending {
		return RoundSummary{}, web.Conflict("wrong_state", "只有待问效的轮次可以分配")
	}
	if userID != 0 && userID == plan.UserID {
		return RoundSummary{}, web.Invalid(map[string]string{"user_id": "不能让学员本人问效自己"})
	}
	if userID != 0 {
		ok, err := s.IsTeamMember(ctx, userID)
		if err != nil {
			return RoundSummary{}, web.Internal(err)
		}
		if !ok {
			return RoundSummary{}, web.Invalid(map[string]string{"user_id": "该用户不是工作专班成员"})
		}
	}
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&Round{}).Where("id = ? AND status = ?", r.ID, RoundPending).
			Updates(map[string]any{"assignee_id": userID, "updated_at": s.now().UTC()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return web.Conflict("wrong_state", "只有待问效的轮次可以分配")
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "followup.assign", "followup_round", r.ID, map[string]any{"assignee_id": userID}))
	})
	if err != nil {
		return RoundSummary{}, web.AsError(err)
	}
	if userID != 0 && userID != r.AssigneeID {
		name := ""
		if person, err := s.people.Person(ctx, plan.UserID); err == nil && person != nil {
			name = person.Name
		}
		s.send(ctx, nil, []uint64{userID}, notify.Message{Title: fmt.Sprintf("新的跟踪问效任务：%s（%d 年度）", name, r.Year),
			Body: fmt.Sprintf("%s学员%s的 %d 年度跟踪问效由您负责，请于 %s 前完成。", plan.ClassTitle, name, r.Year, cnDate(r.DueOn)),
			Link: fmt.Sprintf("/followup/rounds/%d", r.ID)})
	}
	rows, err := s.summaries(ctx, s.db.WithContext(ctx).Table("followup_rounds AS r").Joins("JOIN followup_plans AS pl ON pl.id = r.plan_id").Where("r.id = ?", r.ID))
	if err != nil || len(rows) == 0 {
		return RoundSummary{}, web.Internal(err)
	}
	return rows[0], nil
}

// RoundFilter narrows a list of rounds.
type RoundFilter struct {
	Overdue    bool
	Unassigned bool
	Excellent  bool
	Status     string
	Year       int
	ClassID    uint64
	OrgID      uint64
}

// ListRounds lists the rounds of the plans the caller manages (the org
// department, the host college), overdue and earliest due first.
func (s *Service) ListRounds(ctx context.Context, p *web.Principal, f RoundFilter, pg web.Page) ([]RoundSummary, int64, error) {
	orgCond, orgArgs, err := s.orgFilter(ctx, p, f.OrgID)
	if err != nil {
		return nil, 0, err
	}
	today := s.today()
	q := func() *gorm.DB {
		q := s.db.WithContext(ctx).Table("followup_rounds AS r").Joins("JOIN followup_plans AS pl ON pl.id = r.plan_id").
			Scopes(manageScope(p)).Where(orgCond, orgArgs...)
		if f.Overdue {
			q = q.Where("r.status = ? AND r.due_on < ?", RoundPending, today)
		}
		if f.Unassigned {
			q = q.Where("r.status = ? AND r.assignee_id = 0", RoundPending)
		}
		if f.Excellent {
			q = q.Where("r.excellent = ?", true)
		}
		if f.Status != "" {
			q = q.Where("r.status = ?", f.Status)
		}
		if f.Year != 0 {
			q = q.Where("r.year = ?", f.Year)
		}
		if f.ClassID != 0 {
			q = q.Where("pl.class_id = ?", f.ClassID)
		}
		return q
	}
	var total int64
	if err := q().Count(&total).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	order := "r.due_on, r.id"
	if f.Excellent {
		order = "r.completed_at DESC, r.id"
	}
	out, err := s.summaries(ctx, q().Order(order).Offset(pg.Offset()).Limit(pg.PageSize))
	return out, total, err
}

// MyRounds lists the rounds given to the caller, overdue first, then by
// due date; finished rounds last.
func (s *Service) MyRounds(ctx context.Context, p *web.Principal) ([]RoundSummary, error) {
	q := s.db.WithContext(ctx).Table("followup_rounds AS r").Joins("JOIN followup_plans AS pl ON pl.id = r.plan_id").
		Where("r.assignee_id = ? AND r.status <> ?", p.UserID, RoundCancelled).Order("r.due_on, r.id").Limit(500)
	rows, err := s.summaries(ctx, q)
	if err != nil {
		return nil, err
	}
	rank := func(x RoundSummary) int {
		switch {
		case x.Overdue:
			return 0
		case x.Status == RoundPending:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(rows, func(a, b RoundSummary) int { return rank(a) - rank(b) })
	return rows, nil
}

// summaries runs a rounds query (aliases r and pl) and names the people.
func (s *Service) summaries(ctx context.Context, q *gorm.DB) ([]RoundSummary, error) {
	type row struct {
		Round
		OrgID      uint64
		ClassID    uint64
		ClassTitle string
	}
	var rows []row
	if err := q.Select("r.*, pl.org_id, pl.class_id, pl.class_title").Scan(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	out := make([]RoundSummary, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	var users, ids []uint64
	for _, x := range rows {
		users = append(users, x.UserID, x.AssigneeID)
		ids = append(ids, x.ID)
	}
	people, err := s.people.People(ctx, users)
	if err != nil {
		return nil, web.Internal(err)
	}
	reads, err := db.CountBy[uint64](s.db.WithContext(ctx).Model(&ReportRead{}).Where("round_id IN ?", ids), "round_id")
	if err != nil {
		return nil, web.Internal(err)
	}
	today := s.today()
	orgNames := map[uint64]string{}
	for _, x := range rows {
		if _, ok := orgNames[x.OrgID]; !ok {
			orgNames[x.OrgID] = s.people.OrgName(ctx, x.OrgID)
		}
		out = append(out, RoundSummary{ID: x.ID, PlanID: x.PlanID, UserID: x.UserID, Name: people[x.UserID].Name, OrgID: x.OrgID, OrgName: orgNames[x.OrgID],
			ClassID: x.ClassID, ClassTitle: x.ClassTitle, Year: x.Year, DueOn: x.DueOn, Status: x.Status, StatusName: RoundStatusNames[x.Status],
			Overdue: x.Status == RoundPending && x.DueOn < today, Conclusion: x.Conclusion, AssigneeID: x.AssigneeID, AssigneeName: people[x.AssigneeID].Name,
			Excellent: x.Excellent, CaseNote: x.CaseNote, CaseCourseID: x.CaseCourseID, CompletedAt: x.CompletedAt, CompletedOn: dateOf(x.CompletedAt), Reads: int(reads[x.ID])})
	}
	return out, nil
}

// MarkExcellent marks a finished round as an excellent case (the org
// department), with a note on what makes it one.
func (s *Service) MarkExcellent(ctx context.Context, p *web.Principal, id uint64, note string) (ExcellentResponse, error) {
	note = strings.TrimSpace(note)
	f := web.Fields{}
	f.Required("case_note", note)
	f.MaxLen("case_note", note, maxNotes)
	if err := f.Err(); err != nil {
		return ExcellentResponse{}, err
	}
	r, _, rights, err := s.round(ctx, p, id)
	if err != nil {
		return ExcellentResponse{}, err
	}
	if !rights.org {
		return ExcellentResponse{}, web.Forbidden()
	}
	if r.Status != RoundDone {
		return ExcellentResponse{}, web.Conflict("wrong_state", "只有已完成的问效可以标记为优秀案例")
	}
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Model(&Round{}).Where("id = ?", r.ID).
			Updates(map[string]any{"excellent": true, "case_note": note, "updated_at": s.now().UTC()}).Error; err != nil {
			return err
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "followup.excellent", "followup_round", r.ID, map[string]any{"case_note": note}))
	})
	if err != nil {
		return ExcellentResponse{}, web.AsError(err)
	}
	return ExcellentResponse{ID: r.ID, Excellent: true, CaseNote: note}, nil
}

// CreateCaseCourse turns an excellent case into a draft course of the
// college that hosted the class (seed 五.二: cases become course content).
// A second call returns the course made the first time; created tells
// which it was, and each writes its own audit entry.
func (s *Service) CreateCaseCourse(ctx context.Context, p *web.Principal, id uint64) (CaseCourseResponse, bool, error) {
	r, plan, rights, err := s.round(ctx, p, id)
	if err != nil {
		return CaseCourseResponse{}, false, err
	}
	if !rights.manage || !rights.host {
		// The draft course is made in the host college: only those over it.
		return CaseCourseResponse{}, false, web.Forbidden()
	}
	if !r.Excellent {
		return CaseCourseResponse{}, false, web.Conflict("not_excellent", "请先将本轮问效标记为优秀案例")
	}
	if r.CaseCourseID != 0 {
		return s.existingCaseCourse(ctx, p, r.ID, r.CaseCourseID)
	}
	if s.courses == nil {
		return CaseCourseResponse{}, false, web.Internal(errors.New("followup: no course maker"))
	}
	name := ""
	if person, err := s.people.Person(ctx, plan.UserID); err == nil && person != nil {
		name = person.Name
	}
	title := truncate("优秀实践案例："+name+" "+plan.ClassTitle, 200)
	summary := truncate(fmt.Sprintf("%s\n\n（来源：%s学员%s %d 年度跟踪问效，结论：%s。）", r.CaseNote, plan.ClassTitle, name, r.Year, r.Conclusion), 5000)
	courseID, err := s.courses.CreateCaseCourse(ctx, p, plan.HostOrgID, title, summary, func(courseID uint64) web.AuditEntry {
		return web.AuditBy(p, "followup.case_course", "followup_round", r.ID, map[string]any{"course_id": courseID})
	})
	if err != nil {
		var we *web.Error
		if errors.As(err, &we) && we.Status < 500 {
			return CaseCourseResponse{}, false, we
		}
		return CaseCourseResponse{}, false, web.Internal(err)
	}
	linked := false
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&Round{}).Where("id = ? AND case_course_id = 0", r.ID).
			Updates(map[string]any{"case_course_id": courseID, "updated_at": s.now().UTC()})
		linked = res.Error == nil && res.RowsAffected > 0
		return res.Error
	})
	if err != nil {
		return CaseCourseResponse{}, false, web.AsError(err)
	}
	if !linked { // made at the same moment by someone else
		again, err := web.Load[Round](s.db.WithContext(ctx), r.ID)
		if err != nil {
			return CaseCourseResponse{}, false, err
		}
		return s.existingCaseCourse(ctx, p, r.ID, again.CaseCourseID)
	}
	return CaseCourseResponse{CourseID: courseID}, true, nil
}

// existingCaseCourse answers a request for the course a case already
// became: the caller is sent to it, and the audit log says so.
func (s *Service) existingCaseCourse(ctx context.Context, p *web.Principal, roundID, courseID uint64) (CaseCourseResponse, bool, error) {
	if err := s.audit.Record(ctx, web.AuditBy(p, "followup.case_course.open", "followup_round", roundID, map[string]any{"course_id": courseID})); err != nil {
		return CaseCourseResponse{}, false, err
	}
	return CaseCourseResponse{CourseID: courseID}, false, nil
}
