package faculty

import (
	"context"
	"fmt"
	"strings"
	"time"

	"college/modules/settings"
	"college/modules/web"

	"gorm.io/gorm"
)

// Settings of the 名师 criteria.
const (
	SetMasterMinHours        = "faculty.master_min_hours"
	SetMasterMinSatisfaction = "faculty.master_min_satisfaction"
)

// masterSettingDefs are the criteria a teacher meets to be made a 名师.
var masterSettingDefs = []settings.Def{
	{Key: SetMasterMinHours, Group: "师资管理", Label: "名师评选：年度最少授课学时", Help: "教师在评选年度内授课学时不少于此数，方可授予名师称号",
		Kind: settings.KindInt, Default: "16", Min: 1, Max: 1000},
	{Key: SetMasterMinSatisfaction, Group: "师资管理", Label: "名师评选：年度最低评估满意率", Help: "教师在评选年度内所授课程的学员评估满意率不低于此数（0.01–1）",
		Kind: settings.KindNumber, Default: "0.9", Min: 0.01, Max: 1},
}

// ReviewRevokeReason is the reason recorded when a yearly review revokes a title.
const ReviewRevokeReason = "年度复核未达标"

// masterCriteria are the settings in force.
type masterCriteria struct {
	MinHours int
	MinRate  float64
}

func (s *Service) masterCriteria(ctx context.Context) masterCriteria {
	return masterCriteria{MinHours: s.deps.Settings.Int(ctx, SetMasterMinHours), MinRate: s.deps.Settings.Float(ctx, SetMasterMinSatisfaction)}
}

// meets reports whether a year's figures meet the criteria: the hours, and
// a satisfaction rate from at least one answered evaluation.
func (c masterCriteria) meets(f MasterFigures) bool {
	return f.Hours >= web.Hours(c.MinHours*100) && f.Responses > 0 && f.SatisfactionRate >= c.MinRate
}

// validYear checks a year asked for.
func validYear(y int) bool { return y >= 2000 && y <= 2100 }

// yearFigures are the teachers' sessions, hours and ratings in a year
// (Beijing time): the evaluations of the sessions given that year.
func (s *Service) yearFigures(ctx context.Context, ts []Teacher, year int) (map[uint64]MasterFigures, error) {
	out := make(map[uint64]MasterFigures, len(ts))
	if len(ts) == 0 {
		return out, nil
	}
	ids := make([]uint64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, web.Shanghai)
	rows, err := s.deps.Timetable.SessionsOfTeachers(ctx, ids, from, from.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
	sessions := map[uint64][]uint64{}
	for _, r := range rows {
		f := out[r.TeacherID]
		f.Sessions++
		f.Hours += r.Hours
		out[r.TeacherID] = f
		sessions[r.TeacherID] = append(sessions[r.TeacherID], r.ID)
	}
	for id, ss := range sessions {
		ev, err := s.deps.Evaluations.TeacherEvaluation(ctx, ss, 0)
		if err != nil {
			return nil, err
		}
		f := out[id]
		f.Responses, f.SatisfactionRate = ev.Responses, ev.SatisfactionRate
		out[id] = f
	}
	return out, nil
}

// MasterCandidates lists the active teachers the caller manages whose
// figures of the year meet the criteria, with those figures.
func (s *Service) MasterCandidates(ctx context.Context, p *web.Principal, year int) (MasterCandidates, error) {
	if !canManage(p) {
		return MasterCandidates{}, web.Forbidden()
	}
	if !validYear(year) {
		year = s.now().In(web.Shanghai).Year()
	}
	cr := s.masterCriteria(ctx)
	out := MasterCandidates{Year: year, MinHours: cr.MinHours, MinSatisfaction: cr.MinRate, Items: []MasterCandidate{}}
	ts, _, err := s.store.list(ctx, p, Filter{Status: StatusActive}, web.Page{Page: 1, PageSize: leaderLimit})
	if err != nil {
		return out, web.Internal(err)
	}
	figs, err := s.yearFigures(ctx, ts, year)
	if err != nil {
		return out, err
	}
	titles, err := s.store.activeTitles(ctx, teacherIDs(ts))
	if err != nil {
		return out, web.Internal(err)
	}
	for i := range ts {
		f := figs[ts[i].ID]
		if !cr.meets(f) {
			continue
		}
		out.Items = append(out.Items, MasterCandidate{TeacherItem: withMaster(teacherItem(&ts[i]), titles), MasterFigures: f})
	}
	return out, nil
}

// teacherIDs are the ids of ts.
func teacherIDs(ts []Teacher) []uint64 {
	ids := make([]uint64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids
}

// withMaster adds the standing title, if any, to a teacher item.
func withMaster(it TeacherItem, titles map[uint64]MasterTitle) TeacherItem {
	if m, ok := titles[it.ID]; ok {
		it.Master = &MasterInfo{Year: m.Year, GrantedAt: m.DecidedAt}
	}
	return it
}

// validate trims the request and checks it field by field.
func (in *MasterRequest) validate() error {
	in.Decision, in.Reason = strings.TrimSpace(in.Decision), strings.TrimSpace(in.Reason)
	f := web.Fields{}
	f.Check(validYear(in.Year), "year", "请填写评选年度（2000–2100）")
	f.Check(in.Decision == MasterGrant || in.Decision == MasterRefuse, "decision", "评审结论只能是授予（grant）或不予授予（refuse）")
	f.Check(in.Decision != MasterRefuse || in.Reason != "", "reason", "不予授予时请填写理由")
	f.MaxLen("reason", in.Reason, 500)
	return f.Err()
}

// DecideMaster records the reviewer's decision on a teacher's 名师 title
// for a year: a grant needs the year's figures to meet the criteria and
// replaces an earlier year's title; a refusal needs a reason.
func (s *Service) DecideMaster(ctx context.Context, p *web.Principal, id uint64, in MasterRequest) (MasterDecision, error) {
	t, err := s.Teacher(ctx, p, id)
	if err != nil {
		return MasterDecision{}, err
	}
	if err := in.validate(); err != nil {
		return MasterDecision{}, err
	}
	if t.Status != StatusActive {
		return MasterDecision{}, web.Unprocessable("inactive_teacher", "该教师已停用，不能参加名师评选")
	}
	titles, err := s.store.activeTitles(ctx, []uint64{t.ID})
	if err != nil {
		return MasterDecision{}, web.Internal(err)
	}
	if cur, ok := titles[t.ID]; ok && (cur.Year >= in.Year || in.Decision == MasterRefuse) {
		return MasterDecision{}, web.Conflict("already_master", fmt.Sprintf("该教师已于 %d 年度授予名师称号", cur.Year))
	}
	figs, err := s.yearFigures(ctx, []Teacher{*t}, in.Year)
	if err != nil {
		return MasterDecision{}, err
	}
	f, cr := figs[t.ID], s.masterCriteria(ctx)
	if in.Decision == MasterGrant && !cr.meets(f) {
		return MasterDecision{}, web.Unprocessable("criteria_not_met", fmt.Sprintf("%d 年度授课 %s 学时、满意率 %.0f%%（%d 份评估），未达到名师条件（不少于 %d 学时、满意率不低于 %.0f%%）",
			in.Year, f.Hours, f.SatisfactionRate*100, f.Responses, cr.MinHours, cr.MinRate*100))
	}
	m := &MasterTitle{TeacherID: t.ID, OwnerOrgID: t.OwnerOrgID, Active: in.Decision == MasterGrant, Year: in.Year, Decision: in.Decision,
		Hours: f.Hours, Responses: f.Responses, Rate: f.SatisfactionRate, Reason: in.Reason, DecidedBy: p.UserID, DecidedAt: s.now().UTC()}
	err = web.ChangeAudited(ctx, s.db, s.deps.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if m.Active {
			if err := tx.Model(&MasterTitle{}).Where("teacher_id = ? AND active = ?", t.ID, true).Update("active", false).Error; err != nil {
				return web.AuditEntry{}, fmt.Errorf("faculty: replace title: %w", err)
			}
		}
		if err := tx.Create(m).Error; err != nil {
			return web.AuditEntry{}, fmt.Errorf("faculty: master decision: %w", err)
		}
		return web.AuditBy(p, "teacher.master."+in.Decision, "teacher", t.ID, map[string]any{"name": t.Name, "year": in.Year, "reason": in.Reason,
			"hours": f.Hours, "satisfaction_rate": f.SatisfactionRate}), nil
	})
	if err != nil {
		return MasterDecision{}, err
	}
	return masterDecision(m, t.Name), nil
}

// ReviewMasters re-checks the standing 名师 the caller manages against the
// criteria on the figures of the year and revokes the titles of those who
// fall short, as one audited change.
func (s *Service) ReviewMasters(ctx context.Context, p *web.Principal, in ReviewRequest) (MasterReview, error) {
	if !canManage(p) {
		return MasterReview{}, web.Forbidden()
	}
	if !validYear(in.Year) {
		return MasterReview{}, web.Invalid(map[string]string{"year": "请填写复核年度（2000–2100）"})
	}
	out := MasterReview{Year: in.Year, Revoked: []MasterDecision{}}
	var titles []MasterTitle
	if err := s.db.WithContext(ctx).Scopes(web.OrgScope(p, "owner_org_id")).Where("active = ?", true).Order("id").Limit(leaderLimit).Find(&titles).Error; err != nil {
		return out, web.Internal(err)
	}
	out.Checked = len(titles)
	var ts []Teacher
	if err := s.db.WithContext(ctx).Where("id IN ?", titleTeachers(titles)).Find(&ts).Error; err != nil {
		return out, web.Internal(err)
	}
	names := map[uint64]string{}
	for _, t := range ts {
		names[t.ID] = t.Name
	}
	figs, err := s.yearFigures(ctx, ts, in.Year)
	if err != nil {
		return out, err
	}
	cr, now := s.masterCriteria(ctx), s.now().UTC()
	var revoke []*MasterTitle
	for _, m := range titles {
		if f := figs[m.TeacherID]; !cr.meets(f) {
			revoke = append(revoke, &MasterTitle{TeacherID: m.TeacherID, OwnerOrgID: m.OwnerOrgID, Year: in.Year, Decision: MasterRevoke,
				Hours: f.Hours, Responses: f.Responses, Rate: f.SatisfactionRate, Reason: ReviewRevokeReason, DecidedBy: p.UserID, DecidedAt: now})
		}
	}
	revoked := make([]uint64, len(revoke))
	err = web.ChangeAudited(ctx, s.db, s.deps.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		for i, r := range revoke {
			if err := tx.Model(&MasterTitle{}).Where("teacher_id = ? AND active = ?", r.TeacherID, true).Update("active", false).Error; err != nil {
				return web.AuditEntry{}, fmt.Errorf("faculty: revoke title: %w", err)
			}
			if err := tx.Create(r).Error; err != nil {
				return web.AuditEntry{}, fmt.Errorf("faculty: revoke title: %w", err)
			}
			revoked[i] = r.TeacherID
		}
		return web.AuditBy(p, "teacher.master.review", "teacher", 0, map[string]any{"year": in.Year, "checked": out.Checked, "revoked": revoked}), nil
	})
	if err != nil {
		return out, err
	}
	for _, r := range revoke {
		out.Revoked = append(out.Revoked, masterDecision(r, names[r.TeacherID]))
	}
	return out, nil
}

// titleTeachers are the teachers of titles.
func titleTeachers(ms []MasterTitle) []uint64 {
	ids := make([]uint64, len(ms))
	for i, m := range ms {
		ids[i] = m.TeacherID
	}
	return ids
}

// Masters is a page of the standing 名师 the caller manages, newest title first.
func (s *Service) Masters(ctx context.Context, p *web.Principal, pg web.Page) ([]MasterDecision, int64, error) {
	if !canManage(p) {
		return nil, 0, web.Forbidden()
	}
	rows, total, err := s.store.masters(ctx, p, pg)
	if err != nil {
		return nil, 0, web.Internal(err)
	}
	out := make([]MasterDecision, len(rows))
	for i := range rows {
		out[i] = masterDecision(&rows[i].MasterTitle, rows[i].TeacherName)
	}
	return out, total, nil
}
