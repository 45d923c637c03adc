package followup

import (
	"context"
	"fmt"
	"time"

	"college/modules/notify"
	"college/modules/web"
	"college/storage/cache"
	"college/storage/db"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Reminder kinds: "due" goes to whoever has to act, a few days before;
// "overdue" flags a graduate's late task to the dispatching unit, and a late
// round to its assignee. Each goes once per task and recipient.
const (
	RemindStudyPlan   = "study_plan_due"
	OverdueStudyPlan  = "study_plan_overdue"
	RemindReportBack  = "report_back_due"
	OverdueReportBack = "report_back_overdue"
	RemindSelfReport  = "self_report_due"
	OverdueSelfReport = "self_report_overdue"
	RemindRound       = "round_due"
	OverdueRound      = "round_overdue"
)

// RunReminders sends the due reminders and overdue flags every interval
// until ctx ends. With several instances, a Redis lease lets one of them
// do each pass; the reminders table keeps each message to one copy anyway.
func (s *Service) RunReminders(ctx context.Context, every time.Duration) {
	cache.EveryFromNow(ctx, s.log, "followup: reminders", every, func(ctx context.Context) error {
		return s.cache.Leased(ctx, "followup-reminders", 10*time.Minute, s.remindAndLog)
	})
}

func (s *Service) remindAndLog(ctx context.Context) error {
	n, err := s.RemindOnce(ctx)
	if err == nil && n > 0 {
		s.log.Info("followup: reminders sent", "notifications", n)
	}
	return err
}

// RemindOnce sends every reminder and overdue flag due now that has not
// been sent yet, and returns how many notifications went out.
func (s *Service) RemindOnce(ctx context.Context) (int, error) {
	today := s.today()
	soon := addDays(today, s.settings.Int(ctx, SetRemindDays))
	sent := 0
	a, err := s.remindGraduationTasks(ctx, today, soon)
	sent += a
	if err != nil {
		return sent, err
	}
	b, err := s.remindRounds(ctx, today, soon)
	return sent + b, err
}

// flagged lists the (kind, ref) pairs already handled among refs.
func (s *Service) flagged(ctx context.Context, kinds []string, refs []uint64) (map[string]bool, error) {
	out := map[string]bool{}
	if len(refs) == 0 {
		return out, nil
	}
	type row struct {
		Kind  string
		RefID uint64
	}
	for i := 0; i < len(refs); i += 1000 {
		var rows []row
		if err := s.db.WithContext(ctx).Model(&Reminder{}).Distinct("kind", "ref_id").Where("kind IN ? AND ref_id IN ?", kinds, refs[i:min(i+1000, len(refs))]).
			Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[fmt.Sprint(r.Kind, ":", r.RefID)] = true
		}
	}
	return out, nil
}

// remind sends m once to each of userIDs for (kind, ref): a row per
// recipient, and a row for nobody so that the task counts as handled even
// when the unit has no administrator.
func (s *Service) remind(ctx context.Context, kind string, ref uint64, userIDs []uint64, m notify.Message) (int, error) {
	sent := 0
	now := s.now().UTC()
	err := db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		sent = 0
		var to []uint64
		for _, u := range append([]uint64{0}, userIDs...) {
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&Reminder{Kind: kind, RefID: ref, UserID: u, SentAt: now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 && u != 0 {
				to = append(to, u)
			}
		}
		if len(to) == 0 || s.notifier == nil {
			return nil
		}
		if err := s.notifier.Send(ctx, tx, to, m); err != nil {
			return err
		}
		sent = len(to)
		return nil
	})
	return sent, err
}

func (s *Service) remindGraduationTasks(ctx context.Context, today, soon string) (int, error) {
	var plans []Plan
	err := s.db.WithContext(ctx).Table("followup_plans AS pl").Select("pl.*").Where("pl.status = ?", PlanActive).
		Where("(NOT EXISTS (SELECT 1 FROM study_plans sp WHERE sp.user_id = pl.user_id AND sp.class_id = pl.class_id) OR NOT EXISTS (SELECT 1 FROM report_backs rb WHERE rb.user_id = pl.user_id AND rb.class_id = pl.class_id))").
		Order("pl.id").Limit(20000).Find(&plans).Error
	if err != nil || len(plans) == 0 {
		return 0, err
	}
	ids := make([]uint64, len(plans))
	for i, p := range plans {
		ids[i] = p.ID
	}
	done, err := s.flagged(ctx, []string{RemindStudyPlan, OverdueStudyPlan, RemindReportBack, OverdueReportBack}, ids)
	if err != nil {
		return 0, err
	}
	filed, reported, err := s.graduationFilings(ctx, plans)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, p := range plans {
		due := GraduationTasksDue(p.GraduatedOn)
		if due > soon {
			continue
		}
		tasks := []struct {
			done           bool
			remind, flag   string
			what, whatLong string
		}{
			{filed[p.ID], RemindStudyPlan, OverdueStudyPlan, "自学计划", "提交自学计划"},
			{reported[p.ID], RemindReportBack, OverdueReportBack, "述学讲学", "在本单位进行述学讲学并登记"},
		}
		for _, t := range tasks {
			if t.done {
				continue
			}
			var n int
			var err error
			switch {
			case due >= today && !done[fmt.Sprint(t.remind, ":", p.ID)]:
				n, err = s.remind(ctx, t.remind, p.ID, []uint64{p.UserID}, notify.Message{Title: "提醒：请于 " + cnDate(due) + " 前" + t.whatLong,
					Body: fmt.Sprintf("您参加的“%s”已结业，按要求应在结业后 1 个月内%s。", p.ClassTitle, t.whatLong), Link: "/me/followup"})
			case due < today && !done[fmt.Sprint(t.flag, ":", p.ID)]:
				n, err = s.flagToUnit(ctx, t.flag, p.ID, p, t.what, due)
			}
			if err != nil {
				return sent, err
			}
			sent += n
		}
	}
	return sent, nil
}

// graduationFilings tells, per plan, whether the study plan is filed and a
// 述学讲学 recorded.
func (s *Service) graduationFilings(ctx context.Context, plans []Plan) (map[uint64]bool, map[uint64]bool, error) {
	filed, reported := map[uint64]bool{}, map[uint64]bool{}
	users := make([]uint64, 0, len(plans))
	for _, p := range plans {
		users = append(users, p.UserID)
	}
	type row struct{ UserID, ClassID uint64 }
	key := func(u, c uint64) string { return fmt.Sprint(u, ":", c) }
	has := map[string]bool{}
	told := map[string]bool{}
	for i := 0; i < len(users); i += 1000 {
		part := users[i:min(i+1000, len(users))]
		var a, b []row
		if err := s.db.WithContext(ctx).Model(&StudyPlan{}).Select("user_id, class_id").Where("user_id IN ?", part).Scan(&a).Error; err != nil {
			return nil, nil, err
		}
		if err := s.db.WithContext(ctx).Model(&ReportBack{}).Select("user_id, class_id").Where("user_id IN ?", part).Scan(&b).Error; err != nil {
			return nil, nil, err
		}
		for _, r := range a {
			has[key(r.UserID, r.ClassID)] = true
		}
		for _, r := range b {
			told[key(r.UserID, r.ClassID)] = true
		}
	}
	for _, p := range plans {
		filed[p.ID], reported[p.ID] = has[key(p.UserID, p.ClassID)], told[key(p.UserID, p.ClassID)]
	}
	return filed, reported, nil
}

// flagToUnit tells the dispatching unit's administrators that a graduate's
// task is overdue.
func (s *Service) flagToUnit(ctx context.Context, kind string, ref uint64, p Plan, what, due string) (int, error) {
	admins, err := s.people.UsersWithRole(ctx, web.RoleUnitAdmin, []uint64{p.OrgID})
	if err != nil {
		return 0, err
	}
	name := ""
	if person, err := s.people.Person(ctx, p.UserID); err == nil && person != nil {
		name = person.Name
	}
	return s.remind(ctx, kind, ref, admins, notify.Message{Title: fmt.Sprintf("逾期提醒：%s未按时完成%s", name, what),
		Body: fmt.Sprintf("本单位干部%s参加“%s”后，%s应于 %s 前完成，至今尚未完成，请督促。", name, p.ClassTitle, what, cnDate(due)), Link: "/unit/followup"})
}

func (s *Service) remindRounds(ctx context.Context, today, soon string) (int, error) {
	var rounds []Round
	err := s.db.WithContext(ctx).Table("followup_rounds AS r").Select("r.*").Joins("JOIN followup_plans AS pl ON pl.id = r.plan_id").
		Where("r.status = ? AND r.due_on <= ? AND pl.status = ?", RoundPending, soon, PlanActive).Order("r.id").Limit(20000).Find(&rounds).Error
	if err != nil || len(rounds) == 0 {
		return 0, err
	}
	ids := make([]uint64, len(rounds))
	planIDs := make([]uint64, 0, len(rounds))
	for i, r := range rounds {
		ids[i] = r.ID
		planIDs = append(planIDs, r.PlanID)
	}
	done, err := s.flagged(ctx, []string{RemindSelfReport, OverdueSelfReport, RemindRound, OverdueRound}, ids)
	if err != nil {
		return 0, err
	}
	var plans []Plan
	if err := s.db.WithContext(ctx).Where("id IN ?", planIDs).Find(&plans).Error; err != nil {
		return 0, err
	}
	planOf := map[uint64]Plan{}
	for _, p := range plans {
		planOf[p.ID] = p
	}
	sent := 0
	for _, r := range rounds {
		p := planOf[r.PlanID]
		overdue := r.DueOn < today
		var n int
		var err error
		key := func(kind string) string { return fmt.Sprint(kind, ":", r.ID) }
		if r.SelfReport == "" {
			switch {
			case !overdue && !done[key(RemindSelfReport)]:
				n, err = s.remind(ctx, RemindSelfReport, r.ID, []uint64{r.UserID}, notify.Message{Title: fmt.Sprintf("提醒：请于 %s 前填写 %d 年度自述", cnDate(r.DueOn), r.Year),
					Body: fmt.Sprintf("“%s”%d 年度跟踪问效即将进行，请填写本年度学习和工作情况自述。", p.ClassTitle, r.Year), Link: "/me/followup"})
			case overdue && !done[key(OverdueSelfReport)]:
				n, err = s.flagToUnit(ctx, OverdueSelfReport, r.ID, p, fmt.Sprintf(" %d 年度自述", r.Year), r.DueOn)
			}
			if err != nil {
				return sent, err
			}
			sent += n
			n = 0
		}
		if r.AssigneeID != 0 {
			link := fmt.Sprintf("/followup/rounds/%d", r.ID)
			switch {
			case !overdue && !done[key(RemindRound)]:
				n, err = s.remind(ctx, RemindRound, r.ID, []uint64{r.AssigneeID}, notify.Message{Title: fmt.Sprintf("提醒：%d 年度跟踪问效将于 %s 到期", r.Year, cnDate(r.DueOn)),
					Body: fmt.Sprintf("“%s”学员的 %d 年度跟踪问效由您负责，请按时完成。", p.ClassTitle, r.Year), Link: link})
			case overdue && !done[key(OverdueRound)]:
				n, err = s.remind(ctx, OverdueRound, r.ID, []uint64{r.AssigneeID}, notify.Message{Title: fmt.Sprintf("逾期：%d 年度跟踪问效已超过 %s", r.Year, cnDate(r.DueOn)),
					Body: fmt.Sprintf("“%s”学员的 %d 年度跟踪问效已逾期，请尽快完成并报送报告。", p.ClassTitle, r.Year), Link: link})
			}
			if err != nil {
				return sent, err
			}
			sent += n
		}
	}
	return sent, nil
}
