package followup

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// maxTeam bounds the follow-up team.
const maxTeam = 500

// IsTeamMember reports whether a user belongs to the follow-up team.
func (s *Service) IsTeamMember(ctx context.Context, userID uint64) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&TeamMember{}).Where("user_id = ?", userID).Count(&n).Error
	return n > 0, err
}

// Team lists the follow-up team with the rounds each has open.
func (s *Service) Team(ctx context.Context) ([]TeamMemberResponse, error) {
	var members []TeamMember
	if err := s.db.WithContext(ctx).Order("added_at, user_id").Limit(maxTeam).Find(&members).Error; err != nil {
		return nil, web.Internal(err)
	}
	out := make([]TeamMemberResponse, 0, len(members))
	if len(members) == 0 {
		return out, nil
	}
	ids := make([]uint64, len(members))
	for i, m := range members {
		ids[i] = m.UserID
	}
	people, err := s.people.People(ctx, ids)
	if err != nil {
		return nil, web.Internal(err)
	}
	type count struct {
		AssigneeID uint64
		Pending    int
		Overdue    int
	}
	var counts []count
	err = s.db.WithContext(ctx).Model(&Round{}).Select("assignee_id, COUNT(*) AS pending, SUM(CASE WHEN due_on < ? THEN 1 ELSE 0 END) AS overdue", s.today()).
		Where("assignee_id IN ? AND status = ?", ids, RoundPending).Group("assignee_id").Scan(&counts).Error
	if err != nil {
		return nil, web.Internal(err)
	}
	open := map[uint64]count{}
	for _, c := range counts {
		open[c.AssigneeID] = c
	}
	for _, m := range members {
		x := people[m.UserID]
		out = append(out, TeamMemberResponse{UserID: m.UserID, Username: x.Username, Name: x.Name, OrgName: x.OrgName, AddedAt: m.AddedAt,
			Pending: open[m.UserID].Pending, Overdue: open[m.UserID].Overdue})
	}
	return out, nil
}

// cityOrgAdmin is the org department at the top of the tree: only it
// replaces the whole team; others add and remove people of their subtree.
func cityOrgAdmin(p *web.Principal) bool {
	return p.Has(web.RoleOrgAdmin) && strings.Count(strings.Trim(p.OrgPath, "/"), "/") == 0 && strings.Trim(p.OrgPath, "/") != ""
}

// canEditTeam: the org department, and a college's admins for their own staff.
func canEditTeam(p *web.Principal) bool { return p.HasAny(web.RoleOrgAdmin, web.RoleCollegeAdmin) }

// checkMembers refuses unknown users, and for a college admin users
// outside the college.
func (s *Service) checkMembers(ctx context.Context, p *web.Principal, ids []uint64) error {
	if len(ids) == 0 {
		return nil
	}
	people, err := s.people.People(ctx, ids)
	if err != nil {
		return web.Internal(err)
	}
	for _, id := range ids {
		x, ok := people[id]
		if !ok || !p.InScope(x.OrgPath) {
			// Unknown and out of reach read the same: no names, no existence.
			return web.Invalid(map[string]string{"user_ids": fmt.Sprintf("用户 %d 不存在或不在您的管理范围内", id)})
		}
	}
	return nil
}

// SetTeam replaces the follow-up team (the org department). Rounds given
// to a member who leaves go back to nobody.
func (s *Service) SetTeam(ctx context.Context, p *web.Principal, ids []uint64) ([]TeamMemberResponse, error) {
	if !cityOrgAdmin(p) {
		return nil, web.Forbidden()
	}
	var uniq []uint64
	for _, id := range ids {
		if id != 0 && !slices.Contains(uniq, id) {
			uniq = append(uniq, id)
		}
	}
	if len(uniq) > maxTeam {
		return nil, web.Invalid(map[string]string{"user_ids": fmt.Sprintf("工作专班不能超过 %d 人", maxTeam)})
	}
	if err := s.checkMembers(ctx, p, uniq); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	err := db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		var current []uint64
		if err := tx.Model(&TeamMember{}).Pluck("user_id", &current).Error; err != nil {
			return err
		}
		var gone []uint64
		for _, id := range current {
			if !slices.Contains(uniq, id) {
				gone = append(gone, id)
			}
		}
		if len(gone) > 0 {
			if err := tx.Where("user_id IN ?", gone).Delete(&TeamMember{}).Error; err != nil {
				return err
			}
			if err := tx.Model(&Round{}).Where("assignee_id IN ? AND status = ?", gone, RoundPending).
				Updates(map[string]any{"assignee_id": 0, "updated_at": now}).Error; err != nil {
				return err
			}
		}
		for _, id := range uniq {
			if slices.Contains(current, id) {
				continue
			}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&TeamMember{UserID: id, AddedBy: p.UserID, AddedAt: now}).Error; err != nil {
				return err
			}
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "followup.team", "followup_team", 0, map[string]any{"user_ids": ids}))
	})
	if err != nil {
		return nil, web.AsError(err)
	}
	return s.Team(ctx)
}

// TeamCandidate finds the enabled account a page names by username for
// the team: unknown and out of reach read the same, so the answer does not
// tell who exists.
func (s *Service) TeamCandidate(ctx context.Context, p *web.Principal, username string) (*Person, error) {
	username = strings.TrimSpace(username)
	if username == "" {
		return nil, web.Invalid(map[string]string{"username": "请输入用户名"})
	}
	person, err := s.people.FindUser(ctx, username)
	if err != nil {
		return nil, web.Internal(err)
	}
	if person == nil || !p.InScope(person.OrgPath) {
		return nil, web.Invalid(map[string]string{"username": "您的管理范围内没有用户名为 " + username + " 的在用账号"})
	}
	return person, nil
}

// AddTeamMember adds one member (the org department, or a college's admins
// for their own staff).
func (s *Service) AddTeamMember(ctx context.Context, p *web.Principal, userID uint64) error {
	if !canEditTeam(p) {
		return web.Forbidden()
	}
	if userID == 0 {
		return web.Invalid(map[string]string{"user_id": "请选择人员"})
	}
	if err := s.checkMembers(ctx, p, []uint64{userID}); err != nil {
		we := web.AsError(err)
		if msg, ok := we.Fields["user_ids"]; ok {
			return web.Invalid(map[string]string{"user_id": msg})
		}
		return err
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&TeamMember{}).Count(&n).Error; err != nil {
		return web.Internal(err)
	}
	if n >= maxTeam {
		return web.Unprocessable("team_full", fmt.Sprintf("工作专班不能超过 %d 人", maxTeam))
	}
	err := db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&TeamMember{UserID: userID, AddedBy: p.UserID, AddedAt: s.now().UTC()}).Error; err != nil {
			return err
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "followup.team.add", "user", userID, nil))
	})
	if err != nil {
		return web.AsError(err)
	}
	return nil
}

// RemoveTeamMember takes one member off the team; their pending rounds go
// back to nobody.
func (s *Service) RemoveTeamMember(ctx context.Context, p *web.Principal, userID uint64) error {
	if !canEditTeam(p) {
		return web.Forbidden()
	}
	ok, err := s.IsTeamMember(ctx, userID)
	if err != nil {
		return web.Internal(err)
	}
	if !ok {
		return web.NotFound()
	}
	if !cityOrgAdmin(p) {
		person, err := s.people.Person(ctx, userID)
		if err != nil {
			return web.Internal(err)
		}
		if person == nil || !p.InScope(person.OrgPath) {
			return web.NotFound()
		}
	}
	now := s.now().UTC()
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ?", userID).Delete(&TeamMember{}).Error; err != nil {
			return err
		}
		if err := tx.Model(&Round{}).Where("assignee_id = ? AND status = ?", userID, RoundPending).
			Updates(map[string]any{"assignee_id": 0, "updated_at": now}).Error; err != nil {
			return err
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "followup.team.remove", "user", userID, nil))
	})
	if err != nil {
		return web.AsError(err)
	}
	return nil
}
