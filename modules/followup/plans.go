package followup

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"college/modules/notify"
	"college/modules/training"
	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// RoundDue is one planned round: the year it covers and its due date.
type RoundDue struct {
	Year  int
	DueOn string
}

// roundDueMonthDay is when a year's round is due at the latest.
const roundDueMonthDay = "-12-15"

// PlanRounds lists the rounds of a plan (seed 一.二): one a year from the
// year after graduation through the year the term ends, each due on 15
// December, or on the last day of the term when that comes first. A term
// ending in the year of graduation leaves no rounds.
func PlanRounds(graduatedOn, termEndsOn string) []RoundDue {
	g, err1 := parseDate(graduatedOn)
	t, err2 := parseDate(termEndsOn)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []RoundDue
	for y := g.Year() + 1; y <= t.Year(); y++ {
		due := strconv.Itoa(y) + roundDueMonthDay
		if termEndsOn < due {
			due = termEndsOn
		}
		out = append(out, RoundDue{Year: y, DueOn: due})
	}
	return out
}

// DefaultTerm is the end of the follow-up when the cadre's term is not
// known: graduation plus the set number of years.
func DefaultTerm(graduatedOn string, years int) string {
	return addMonths(graduatedOn, 12*years)
}

// GraduationTasksDue is when the self-study plan and the 述学讲学 are due:
// one month after graduation (seed 四.三).
func GraduationTasksDue(graduatedOn string) string { return addMonths(graduatedOn, 1) }

// Qualifies reports whether a class's graduates are followed up: a class
// of at least minDays days, or one created for follow-up.
func Qualifies(c *training.Class, minDays int) bool {
	return c.FollowUp || c.Days() >= minDays
}

// OnGraduation is the training module's graduation hook. Each graduate's
// earlier plans for a class of the same kind end (the next training ends
// the follow-up); when the class qualifies, the graduate gets a plan with
// its rounds. A second call for the same class adds nothing.
func (s *Service) OnGraduation(ctx context.Context, c *training.Class, graduates []uint64) error {
	if len(graduates) == 0 {
		return nil
	}
	qualifies := Qualifies(c, s.settings.Int(ctx, training.SetFollowUpMinDays))
	graduatedOn := s.today()
	if c.EndsOn != "" && c.EndsOn < graduatedOn {
		graduatedOn = c.EndsOn // the class ended before the host closed it
	}
	people, err := s.people.People(ctx, graduates)
	if err != nil {
		return fmt.Errorf("followup: graduates: %w", err)
	}
	terms, err := s.people.TermsEndOn(ctx, graduates)
	if err != nil {
		return fmt.Errorf("followup: terms: %w", err)
	}
	years := s.settings.Int(ctx, SetDefaultTermYears)
	var errs []error
	for _, uid := range graduates {
		person, ok := people[uid]
		if !ok {
			continue
		}
		ended, err := s.endSameKind(ctx, uid, c, graduatedOn)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, p := range ended {
			s.send(ctx, nil, []uint64{uid}, notify.Message{Title: "跟踪问效结束：" + p.ClassTitle,
				Body: fmt.Sprintf("您已参加同类班次“%s”，“%s”的跟踪问效到此结束。", c.Title, p.ClassTitle), Link: "/me/followup"})
		}
		if !qualifies {
			continue
		}
		plan := &Plan{UserID: uid, ClassID: c.ID, ClassTitle: c.Title, ClassKind: c.Kind, HostOrgID: c.HostOrgID, OrgID: person.OrgID,
			GraduatedOn: graduatedOn, TermEndsOn: terms[uid], TermKnown: terms[uid] != ""}
		if !plan.TermKnown {
			plan.TermEndsOn = DefaultTerm(graduatedOn, years)
		}
		created, err := s.createPlan(ctx, plan)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if created {
			s.notifyNewPlan(ctx, plan)
		}
	}
	return errors.Join(errs...)
}

// endSameKind ends the graduate's active plans of earlier classes of the
// same kind and cancels their pending rounds.
func (s *Service) endSameKind(ctx context.Context, userID uint64, c *training.Class, graduatedOn string) ([]Plan, error) {
	var plans []Plan
	err := s.db.WithContext(ctx).Where("user_id = ? AND class_kind = ? AND class_id <> ? AND status = ? AND graduated_on <= ?",
		userID, c.Kind, c.ID, PlanActive, graduatedOn).Find(&plans).Error
	if err != nil || len(plans) == 0 {
		return nil, err
	}
	now := s.now().UTC()
	var ended []Plan
	for _, p := range plans {
		err := db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
			res := tx.Model(&Plan{}).Where("id = ? AND status = ?", p.ID, PlanActive).
				Updates(map[string]any{"status": PlanEnded, "ended_reason": EndedNewClass, "updated_at": now})
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			ended = append(ended, p)
			return tx.Model(&Round{}).Where("plan_id = ? AND status = ?", p.ID, RoundPending).
				Updates(map[string]any{"status": RoundCancelled, "updated_at": now}).Error
		})
		if err != nil {
			return ended, fmt.Errorf("followup: end plan %d: %w", p.ID, err)
		}
	}
	return ended, nil
}

// createPlan stores a plan and its rounds once; false when the graduate
// already has a plan for the class.
func (s *Service) createPlan(ctx context.Context, plan *Plan) (bool, error) {
	now := s.now().UTC()
	rounds := PlanRounds(plan.GraduatedOn, plan.TermEndsOn)
	plan.Status = PlanActive
	if len(rounds) == 0 {
		plan.Status, plan.EndedReason = PlanEnded, EndedTerm
	}
	plan.CreatedAt, plan.UpdatedAt = now, now
	created := false
	err := db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		created = false
		var n int64
		if err := tx.Model(&Plan{}).Where("user_id = ? AND class_id = ?", plan.UserID, plan.ClassID).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		plan.ID = 0
		if err := tx.Create(plan).Error; err != nil {
			return err
		}
		for _, r := range rounds {
			if err := tx.Create(&Round{PlanID: plan.ID, UserID: plan.UserID, Year: r.Year, DueOn: r.DueOn, Status: RoundPending, CreatedAt: now, UpdatedAt: now}).Error; err != nil {
				return err
			}
		}
		created = true
		return nil
	})
	if db.IsDuplicate(err) {
		return false, nil // the same graduation, seen twice at once
	}
	if err != nil {
		return false, fmt.Errorf("followup: create plan: %w", err)
	}
	return created, nil
}

func (s *Service) notifyNewPlan(ctx context.Context, p *Plan) {
	due := GraduationTasksDue(p.GraduatedOn)
	body := fmt.Sprintf("请于 %s 前提交自学计划，并在本单位进行述学讲学后登记。", cnDate(due))
	if rounds := PlanRounds(p.GraduatedOn, p.TermEndsOn); len(rounds) > 0 {
		body += fmt.Sprintf("年度跟踪问效从 %d 年开始，每年一次，至 %d 年。", rounds[0].Year, rounds[len(rounds)-1].Year)
	}
	s.send(ctx, nil, []uint64{p.UserID}, notify.Message{Title: "您已纳入跟踪问效：" + p.ClassTitle, Body: body, Link: "/me/followup"})
}

// ---------- who sees what ----------

// planRights is what the caller may do with a plan.
type planRights struct {
	manage bool // the org department over it, or the host college's admins
	org    bool // an org_admin over the cadre's unit or the host
	unit   bool // a unit_admin over the cadre's unit
	self   bool // the cadre
	host   bool // the host college lies in the caller's subtree
}

func (r planRights) any() bool { return r.manage || r.unit || r.self }

func (s *Service) planRights(ctx context.Context, p *web.Principal, plan *Plan) (planRights, error) {
	var r planRights
	if p == nil {
		return r, nil
	}
	r.self = plan.UserID == p.UserID
	if p.HasAny(web.RoleOrgAdmin, web.RoleUnitAdmin) {
		in, err := s.inScope(ctx, p, plan.OrgID)
		if err != nil {
			return r, err
		}
		r.unit = in && p.Has(web.RoleUnitAdmin)
		r.org = in && p.Has(web.RoleOrgAdmin)
	}
	if p.HasAny(web.RoleOrgAdmin, web.RoleCollegeAdmin) {
		host, err := s.inScope(ctx, p, plan.HostOrgID)
		if err != nil {
			return r, err
		}
		r.org = r.org || host && p.Has(web.RoleOrgAdmin)
		r.manage = r.org || host && p.Has(web.RoleCollegeAdmin)
		r.host = host
	}
	if r.self {
		// Nobody assesses their own follow-up, whatever their roles.
		r.manage, r.org, r.unit, r.host = false, false, false, false
	}
	return r, nil
}

// planScope limits a plans query (alias pl) to the plans the caller sees:
// their own, those with a round assigned to them, those of their org
// subtree (org department, unit admins) and those their college hosted.
func planScope(p *web.Principal) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		conds := []string{"pl.user_id = ?", "pl.id IN (SELECT plan_id FROM followup_rounds WHERE assignee_id = ?)"}
		args := []any{p.UserID, p.UserID}
		add := func(column string) {
			c, a := subtree(p, column)
			conds = append(conds, c)
			args = append(args, a...)
		}
		if p.HasAny(web.RoleOrgAdmin, web.RoleUnitAdmin) {
			add("pl.org_id")
		}
		if p.HasAny(web.RoleOrgAdmin, web.RoleCollegeAdmin) {
			add("pl.host_org_id")
		}
		return q.Where("("+strings.Join(conds, " OR ")+")", args...)
	}
}

// manageScope limits a plans query (alias pl) to the plans the caller
// manages: the org department's subtree and the colleges it hosts.
func manageScope(p *web.Principal) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		var conds []string
		var args []any
		add := func(column string) {
			c, a := subtree(p, column)
			conds = append(conds, c)
			args = append(args, a...)
		}
		if p.Has(web.RoleOrgAdmin) {
			add("pl.org_id")
		}
		if p.HasAny(web.RoleOrgAdmin, web.RoleCollegeAdmin) {
			add("pl.host_org_id")
		}
		if len(conds) == 0 {
			return q.Where("1 = 0")
		}
		return q.Where("("+strings.Join(conds, " OR ")+")", args...)
	}
}

// unitScope limits a plans query (alias pl) to the cadres of the caller's units.
func unitScope(p *web.Principal) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		c, a := subtree(p, "pl.org_id")
		return q.Where(c, a...)
	}
}

// plan loads a plan the caller may see (404 otherwise).
func (s *Service) plan(ctx context.Context, p *web.Principal, id uint64) (*Plan, planRights, error) {
	plan, err := web.Load[Plan](s.db.WithContext(ctx), id)
	if err != nil {
		return nil, planRights{}, err
	}
	r, err := s.planRights(ctx, p, plan)
	if err != nil {
		return nil, r, web.Internal(err)
	}
	if !r.any() {
		var n int64
		if err := s.db.WithContext(ctx).Model(&Round{}).Where("plan_id = ? AND assignee_id = ?", id, p.UserID).Count(&n).Error; err != nil {
			return nil, r, web.Internal(err)
		}
		if n == 0 {
			return nil, r, web.NotFound()
		}
	}
	return plan, r, nil
}

// ---------- plans as the API shows them ----------

// PlanFilter narrows the plans list.
type PlanFilter struct {
	ClassID uint64
	UserID  uint64
	OrgID   uint64 // the dispatching unit (and its subtree)
	Status  string
	Scope   string // "" every plan the caller sees; ScopeUnit, ScopeManage
}

// Scopes of a plans list.
const (
	ScopeUnit   = "unit"   // the cadres of the caller's units
	ScopeManage = "manage" // the plans the caller manages
)

// ListPlans lists the plans the caller sees, newest graduation first.
func (s *Service) ListPlans(ctx context.Context, p *web.Principal, f PlanFilter, pg web.Page) ([]PlanResponse, int64, error) {
	orgCond, orgArgs, err := s.orgFilter(ctx, p, f.OrgID)
	if err != nil {
		return nil, 0, err
	}
	q := func() *gorm.DB {
		q := s.db.WithContext(ctx).Table("followup_plans AS pl").Scopes(planScope(p)).Where(orgCond, orgArgs...)
		if f.ClassID != 0 {
			q = q.Where("pl.class_id = ?", f.ClassID)
		}
		if f.UserID != 0 {
			q = q.Where("pl.user_id = ?", f.UserID)
		}
		if f.Status != "" {
			q = q.Where("pl.status = ?", f.Status)
		}
		switch f.Scope {
		case ScopeUnit:
			q = q.Scopes(unitScope(p))
		case ScopeManage:
			q = q.Scopes(manageScope(p))
		}
		return q
	}
	var total int64
	if err := q().Count(&total).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	var plans []Plan
	if err := q().Select("pl.*").Order("pl.graduated_on DESC, pl.user_id, pl.class_id").Offset(pg.Offset()).Limit(pg.PageSize).Find(&plans).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	out, err := s.planResponses(ctx, plans)
	return out, total, err
}

// orgFilter is the condition "the plan's unit lies under org orgID" (none
// when orgID is 0); an org outside the caller's subtree is 404.
func (s *Service) orgFilter(ctx context.Context, p *web.Principal, orgID uint64) (string, []any, error) {
	if orgID == 0 {
		return "1 = 1", nil, nil
	}
	path, err := s.people.OrgPath(ctx, orgID)
	if err != nil {
		return "", nil, web.Internal(err)
	}
	if path == "" {
		return "", nil, web.NotFound()
	}
	cond, args := web.OrgSubtree("pl.org_id", path)
	return cond, args, nil
}

// planResponses converts plans with their rounds and names.
func (s *Service) planResponses(ctx context.Context, plans []Plan) ([]PlanResponse, error) {
	out := make([]PlanResponse, 0, len(plans))
	if len(plans) == 0 {
		return out, nil
	}
	ids := make([]uint64, len(plans))
	users := make([]uint64, 0, len(plans))
	for i, p := range plans {
		ids[i] = p.ID
		users = append(users, p.UserID)
	}
	var rounds []Round
	if err := s.db.WithContext(ctx).Where("plan_id IN ?", ids).Order("year").Find(&rounds).Error; err != nil {
		return nil, web.Internal(err)
	}
	byPlan := map[uint64][]Round{}
	for _, r := range rounds {
		byPlan[r.PlanID] = append(byPlan[r.PlanID], r)
		if r.AssigneeID != 0 {
			users = append(users, r.AssigneeID)
		}
	}
	people, err := s.people.People(ctx, users)
	if err != nil {
		return nil, web.Internal(err)
	}
	today := s.today()
	orgNames := map[uint64]string{}
	for _, p := range plans {
		if _, ok := orgNames[p.OrgID]; !ok {
			orgNames[p.OrgID] = s.people.OrgName(ctx, p.OrgID)
		}
		r := PlanResponse{ID: p.ID, UserID: p.UserID, Name: people[p.UserID].Name, ClassID: p.ClassID, ClassTitle: p.ClassTitle, ClassKind: p.ClassKind,
			OrgID: p.OrgID, OrgName: orgNames[p.OrgID], GraduatedOn: p.GraduatedOn, TermEndsOn: p.TermEndsOn, TermKnown: p.TermKnown,
			Status: p.Status, StatusName: PlanStatusNames[p.Status], EndedReason: p.EndedReason, TasksDueOn: GraduationTasksDue(p.GraduatedOn),
			Rounds: []RoundBrief{}}
		for _, x := range byPlan[p.ID] {
			r.Rounds = append(r.Rounds, RoundBrief{ID: x.ID, Year: x.Year, DueOn: x.DueOn, Status: x.Status, StatusName: RoundStatusNames[x.Status],
				Overdue: x.Status == RoundPending && x.DueOn < today, Conclusion: x.Conclusion, AssigneeID: x.AssigneeID, AssigneeName: people[x.AssigneeID].Name})
		}
		out = append(out, r)
	}
	return out, nil
}

// GetPlan returns one plan the caller sees.
func (s *Service) GetPlan(ctx context.Context, p *web.Principal, id uint64) (PlanResponse, error) {
	plan, _, err := s.plan(ctx, p, id)
	if err != nil {
		return PlanResponse{}, err
	}
	out, err := s.planResponses(ctx, []Plan{*plan})
	if err != nil {
		return PlanResponse{}, err
	}
	return out[0], nil
}

// UpdateTerm changes the end of a plan's term (the org department) and
// recomputes its rounds: pending rounds past the new term are cancelled,
// missing ones added, due dates moved. A term already over ends the plan;
// a plan ended by a new class stays ended.
func (s *Service) UpdateTerm(ctx context.Context, p *web.Principal, id uint64, termEndsOn string) (PlanResponse, error) {
	termEndsOn = strings.TrimSpace(termEndsOn)
	if !validDate(termEndsOn) {
		return PlanResponse{}, web.Invalid(map[string]string{"term_ends_on": "日期格式应为 YYYY-MM-DD"})
	}
	plan, rights, err := s.plan(ctx, p, id)
	if err != nil {
		return PlanResponse{}, err
	}
	if !rights.org {
		return PlanResponse{}, web.Forbidden()
	}
	if termEndsOn < plan.GraduatedOn {
		return PlanResponse{}, web.Invalid(map[string]string{"term_ends_on": "任职期满日期不能早于结业日期 " + plan.GraduatedOn})
	}
	if plan.Status == PlanEnded && plan.EndedReason == EndedNewClass {
		return PlanResponse{}, web.Conflict("plan_ended", "该学员已参加新的同类班次，本跟踪问效计划已终止")
	}
	now := s.now().UTC()
	today := s.today()
	want := map[int]string{}
	for _, r := range PlanRounds(plan.GraduatedOn, termEndsOn) {
		want[r.Year] = r.DueOn
	}
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		var rounds []Round
		if err := tx.Where("plan_id = ?", plan.ID).Find(&rounds).Error; err != nil {
			return err
		}
		have := map[int]bool{}
		pending := 0
		for _, r := range rounds {
			have[r.Year] = true
			due, keep := want[r.Year]
			switch {
			case r.Status == RoundDone:
			case !keep && r.Status == RoundPending:
				if err := tx.Model(&Round{}).Where("id = ? AND status = ?", r.ID, RoundPending).
					Updates(map[string]any{"status": RoundCancelled, "updated_at": now}).Error; err != nil {
					return err
				}
			case keep:
				if err := tx.Model(&Round{}).Where("id = ? AND status <> ?", r.ID, RoundDone).
					Updates(map[string]any{"status": RoundPending, "due_on": due, "updated_at": now}).Error; err != nil {
					return err
				}
				pending++
			}
		}
		for y, due := range want {
			if have[y] {
				continue
			}
			if err := tx.Create(&Round{PlanID: plan.ID, UserID: plan.UserID, Year: y, DueOn: due, Status: RoundPending, CreatedAt: now, UpdatedAt: now}).Error; err != nil {
				return err
			}
			pending++
		}
		status, reason := PlanActive, ""
		switch {
		case termEndsOn < today || len(want) == 0:
			status, reason = PlanEnded, EndedTerm
		case pending == 0:
			status = PlanCompleted
		}
		if err := tx.Model(&Plan{}).Where("id = ?", plan.ID).Updates(map[string]any{"term_ends_on": termEndsOn, "term_known": true,
			"status": status, "ended_reason": reason, "updated_at": now}).Error; err != nil {
			return err
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "followup.term", "followup_plan", plan.ID, map[string]any{"term_ends_on": termEndsOn, "status": status}))
	})
	if err != nil {
		return PlanResponse{}, web.AsError(err)
	}
	return s.GetPlan(ctx, p, id)
}

// completeIfDone marks a plan completed once no round is pending.
func (s *Service) completeIfDone(ctx context.Context, tx *gorm.DB, planID uint64, now time.Time) error {
	var n int64
	if err := tx.Model(&Round{}).Where("plan_id = ? AND status = ?", planID, RoundPending).Count(&n).Error; err != nil || n > 0 {
		return err
	}
	return tx.Model(&Plan{}).Where("id = ? AND status = ?", planID, PlanActive).Updates(map[string]any{"status": PlanCompleted, "updated_at": now}).Error
}
