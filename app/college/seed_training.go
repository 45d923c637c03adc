package college

import (
	"context"
	"strings"
	"time"

	"college/modules/assess"
	"college/modules/followup"

	"college/modules/identity"
	"college/modules/training"
	"college/modules/web"
)

// seedClasses adds four demo classes: one taking registrations, one
// waiting for the org department's approval, an online class in session
// today with a session open for sign-in now and an evaluation to fill,
// and a main class graduated last week whose graduates are followed up.
func seedClasses(ctx context.Context, a *App, root, hq *identity.Org) (int, error) {
	if exists, err := a.Training.AnyClass(ctx); err != nil || exists {
		return 0, err
	}
	ids, err := a.Identity.IDsByUsername(ctx, []string{"college", "orgadmin", "cadre01", "cadre02", "cadre03", "cadre04", "cadre05", "cadre06", "teacher"})
	if err != nil {
		return 0, err
	}
	host := &web.Principal{UserID: ids["college"], Username: "college", Name: "党校教务处", Roles: []string{web.RoleCollegeAdmin}, OrgID: hq.ID, OrgPath: hq.Path}
	dept := &web.Principal{UserID: ids["orgadmin"], Username: "orgadmin", Name: "组织部干部教育科", Roles: []string{web.RoleOrgAdmin}, OrgID: root.ID, OrgPath: root.Path}
	svc := a.Training
	now := time.Now().In(web.Shanghai)
	date := func(days int) string { return now.AddDate(0, 0, days).Format(time.DateOnly) }
	at := func(t time.Time) *time.Time { return &t }
	made := 0
	approveAndOpen := func(id uint64) error {
		if _, err := svc.Submit(ctx, host, id); err != nil {
			return err
		}
		if _, err := svc.Approve(ctx, dept, id); err != nil {
			return err
		}
		_, err := svc.Open(ctx, host, id)
		return err
	}
	// enrolAndStart enrols cadres by the department's nomination and starts the class.
	enrolAndStart := func(id uint64, cadres ...string) error {
		for _, u := range cadres {
			r, err := svc.Register(ctx, dept, id, ids[u])
			if err != nil {
				return err
			}
			if _, err := svc.ApproveRegistration(ctx, host, r.ID); err != nil {
				return err
			}
		}
		_, err := svc.Start(ctx, host, id)
		return err
	}

	// Taking registrations: units nominate, cadres may also register themselves.
	open, err := svc.CreateClass(ctx, host, training.ClassRequest{Title: "第二期中青年干部专题培训班", Kind: "专题班", HostOrgID: hq.ID,
		StartsOn: date(14), EndsOn: date(18), Place: "市委党校主楼 301 教室", Quota: 40, SelfRegistration: true,
		Levels: []string{"县处级", "乡科级"}, Contact: "王老师", ContactPhone: "0571-88880000",
		Description: "围绕学习贯彻党的创新理论、提升履职能力开展专题培训，采取专题讲座、现场教学和研讨交流相结合的方式。", MinAttendance: 80})
	if err != nil {
		return made, err
	}
	if err := approveAndOpen(open.ID); err != nil {
		return made, err
	}
	for _, u := range []string{"cadre03", "cadre04"} {
		if _, err := svc.Register(ctx, dept, open.ID, ids[u]); err != nil {
			return made, err
		}
	}
	made++

	// Filed, waiting for approval.
	filed, err := svc.CreateClass(ctx, host, training.ClassRequest{Title: "县处级领导干部任职培训班", Kind: "任职培训", HostOrgID: hq.ID,
		StartsOn: date(30), EndsOn: date(39), Place: "市委党校", Quota: 30, Hours: web.HoursFromFloat(60), Levels: []string{"县处级"}, FollowUp: true})
	if err != nil {
		return made, err
	}
	if _, err := svc.Submit(ctx, host, filed.ID); err != nil {
		return made, err
	}
	made++

	// In session: one session yesterday, one open for sign-in now.
	running, err := svc.CreateClass(ctx, host, training.ClassRequest{Title: "基层治理能力提升网络培训班", Kind: training.OnlineKind, HostOrgID: hq.ID,
		StartsOn: date(-1), EndsOn: date(2), Online: true, Quota: 20, Hours: web.HoursFromFloat(12),
		RegistrationOpensAt: at(now.Add(-2 * time.Hour)), RegistrationClosesAt: at(now.Add(time.Hour))})
	if err != nil {
		return made, err
	}
	yesterday := time.Date(now.Year(), now.Month(), now.Day()-1, 9, 0, 0, 0, web.Shanghai)
	liMing, err := a.Faculty.ByName(ctx, hq.ID, "李明") // the timetable links the faculty's teacher
	if err != nil {
		return made, err
	}
	for _, s := range []training.SessionRequest{
		{Topic: "开班动员与专题辅导", Teacher: "李明", TeacherID: liMing, Place: "线上直播", StartsAt: yesterday, EndsAt: yesterday.Add(3 * time.Hour)},
		{Topic: "基层治理案例研讨", Teacher: "李明", TeacherID: liMing, Place: "线上直播", StartsAt: now.Add(-10 * time.Minute), EndsAt: now.Add(3 * time.Hour)},
	} {
		if _, err := svc.AddSession(ctx, host, running.ID, s); err != nil {
			return made, err
		}
	}
	if err := approveAndOpen(running.ID); err != nil {
		return made, err
	}
	if err := enrolAndStart(running.ID, "cadre01", "cadre02"); err != nil {
		return made, err
	}
	made++
	// The running class asks its trainees to rate it with the default card.
	form, err := a.Assess.DefaultForm(ctx)
	if err != nil {
		return made, err
	}
	if _, err := a.Assess.CreateEvaluation(ctx, host, running.ID, assess.EvaluationRequest{FormID: form.ID, Target: assess.Target{Type: "class", ID: running.ID}}); err != nil {
		return made, err
	}

	// A main class that graduated last week: its graduates are followed up
	// (跟踪问效), with the teacher on the follow-up team.
	done, err := svc.CreateClass(ctx, host, training.ClassRequest{Title: "第一期中青年干部培训班（主体班）", Kind: "主体班", HostOrgID: hq.ID,
		StartsOn: date(-40), EndsOn: date(-7), Place: "市委党校", Quota: 30, Hours: web.HoursFromFloat(120), FollowUp: true,
		RegistrationOpensAt: at(now.Add(-2 * time.Hour)), RegistrationClosesAt: at(now.Add(time.Hour))})
	if err != nil {
		return made, err
	}
	if err := approveAndOpen(done.ID); err != nil {
		return made, err
	}
	if err := enrolAndStart(done.ID, "cadre05", "cadre06"); err != nil {
		return made, err
	}
	for kind, name := range map[string]string{training.FilePlan: "培训方案.pdf", training.FileSignIn: "签到表.pdf", training.FileTimetable: "课程表.pdf"} {
		if _, err := svc.AttachFile(ctx, host, done.ID, kind, name, strings.NewReader("%PDF-1.4\n% 演示材料\n")); err != nil {
			return made, err
		}
	}
	if _, err := svc.Graduate(ctx, host, done.ID, training.GraduateRequest{}); err != nil {
		return made, err
	}
	if _, err := a.Followup.SetTeam(ctx, dept, []uint64{ids["teacher"]}); err != nil {
		return made, err
	}
	rounds, _, err := a.Followup.ListRounds(ctx, dept, followup.RoundFilter{}, web.Page{Page: 1, PageSize: 10})
	if err != nil {
		return made, err
	}
	if len(rounds) > 0 {
		if _, err := a.Followup.AssignRound(ctx, dept, rounds[0].ID, ids["teacher"]); err != nil {
			return made, err
		}
	}
	return made + 1, nil
}
