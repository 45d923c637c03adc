package training

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"college/modules/web"
	"college/storage/cache"

	"gorm.io/gorm"
)

// transition makes a step of the class's life cycle, atomically: a
// concurrent change makes it a 409. The entry of the caller's action
// ("class."+action) commits with the change; its detail is the new status
// unless one is given.
func (s *Service) transition(ctx context.Context, p *web.Principal, c *Class, action string, set map[string]any, detail any) error {
	m := lifeCycle[action]
	to := m.to
	if !slices.Contains(m.from, c.Status) {
		return wrongState(c.Status, to)
	}
	if set == nil {
		set = map[string]any{}
	}
	if detail == nil {
		detail = map[string]any{"status": to}
	}
	set["status"] = to
	set["updated_at"] = s.now().UTC()
	err := s.audited(ctx, p, func(tx *gorm.DB) error {
		return classChanged(tx.Model(&Class{}).Where("id = ? AND status = ?", c.ID, c.Status).Updates(set))
	}, func() (string, string, uint64, any) {
		return "class." + action, "class", c.ID, detail
	})
	if err != nil {
		return err
	}
	c.Status = to
	return nil
}

// classChanged is the outcome of an update of a class in the state it was
// read in: a 409 when it matched no row (the class changed meanwhile).
func classChanged(res *gorm.DB) error {
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return web.Conflict("wrong_state", "班次状态已改变，请刷新后重试")
	}
	return nil
}

// txError is the answer to a failed transaction: its own refusal, or a
// database error.
func txError(err error) error {
	if err == nil {
		return nil
	}
	var we *web.Error
	if errors.As(err, &we) {
		return we
	}
	return web.Internal(err)
}

func wrongState(from, to string) error {
	return web.Conflict("wrong_state", fmt.Sprintf("班次当前为“%s”，不能变为“%s”", StatusNames[from], StatusNames[to]))
}

// Submit files the class plan with the org department (备案).
func (s *Service) Submit(ctx context.Context, p *web.Principal, id uint64) (*Class, error) {
	c, err := s.hostClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if err := s.transition(ctx, p, c, ActionSubmit, map[string]any{"submitted_at": now, "reject_reason": ""}, nil); err != nil {
		return nil, err
	}
	if admins, err := s.orgAdmins(ctx, s.orgPath(ctx, c.HostOrgID)); err == nil {
		s.notify(ctx, admins, Message{Title: "班次备案待审核：" + c.Title, Body: s.people.OrgName(ctx, c.HostOrgID) + " 提交了班次计划，请审核。", Link: "/admin/filings"})
	}
	return c, nil
}

// orgAdmins are the org department administrators over a host college:
// those whose org is the college's or one of its ancestors.
func (s *Service) orgAdmins(ctx context.Context, hostPath string) ([]uint64, error) {
	return s.people.UsersWithRole(ctx, web.RoleOrgAdmin, pathIDs(hostPath))
}

func (s *Service) hostAdmins(ctx context.Context, c *Class) []uint64 {
	// The host college's admins, and the class's creator while still a
	// college admin over the host (a headquarters admin may run a branch's class).
	ids, err := s.people.UsersWithRole(ctx, web.RoleCollegeAdmin, []uint64{c.HostOrgID})
	if err != nil {
		s.log.Warn("training: host admins", "err", err)
	}
	if c.CreatedBy != 0 && !slices.Contains(ids, c.CreatedBy) {
		over, err := s.people.UsersWithRole(ctx, web.RoleCollegeAdmin, pathIDs(s.orgPath(ctx, c.HostOrgID)))
		if err == nil && slices.Contains(over, c.CreatedBy) {
			ids = append(ids, c.CreatedBy)
		}
	}
	return ids
}

// Approve accepts a filed class plan (the org department only).
func (s *Service) Approve(ctx context.Context, p *web.Principal, id uint64) (*Class, error) {
	if !canApprove(p) {
		return nil, web.Forbidden()
	}
	c, err := s.managedClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if err := s.transition(ctx, p, c, ActionApprove, map[string]any{"approved_at": now, "approved_by": p.UserID}, nil); err != nil {
		return nil, err
	}
	s.notify(ctx, s.hostAdmins(ctx, c), Message{Title: "班次备案已通过：" + c.Title, Body: "可以开放报名。", Link: fmt.Sprintf("/admin/classes/%d", c.ID)})
	return c, nil
}

// Reject returns a filed class plan to draft with the reason.
func (s *Service) Reject(ctx context.Context, p *web.Principal, id uint64, reason string) (*Class, error) {
	if !canApprove(p) {
		return nil, web.Forbidden()
	}
	reason = strings.TrimSpace(reason)
	f := web.Fields{}
	f.Required("reason", reason)
	f.MaxLen("reason", reason, 500)
	if err := f.Err(); err != nil {
		return nil, err
	}
	c, err := s.managedClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.transition(ctx, p, c, ActionReject, map[string]any{"reject_reason": reason}, map[string]any{"reason": reason}); err != nil {
		return nil, err
	}
	c.RejectReason = reason
	s.notify(ctx, s.hostAdmins(ctx, c), Message{Title: "班次备案被退回：" + c.Title, Body: "退回理由：" + reason, Link: fmt.Sprintf("/admin/classes/%d", c.ID)})
	return c, nil
}

// Open starts registration for an approved class. Without a window it
// opens now and closes when the class starts.
func (s *Service) Open(ctx context.Context, p *web.Principal, id uint64) (*Class, error) {
	c, err := s.hostClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if c.Status == StatusDraft || c.Status == StatusFiling {
		return nil, web.Conflict("not_approved", "班次计划尚未备案通过，不能开放报名")
	}
	set := map[string]any{}
	if c.RegOpensAt.IsZero() {
		c.RegOpensAt = s.now().UTC().Truncate(time.Second)
		set["registration_opens_at"] = c.RegOpensAt
	}
	if c.RegClosesAt.IsZero() {
		c.RegClosesAt = c.StartTime().UTC()
		set["registration_closes_at"] = c.RegClosesAt
	}
	if !c.RegClosesAt.After(s.now()) {
		return nil, web.Unprocessable("registration_closed", "报名截止时间已过，请先修改报名时间")
	}
	if err := s.transition(ctx, p, c, ActionOpen, set, nil); err != nil {
		return nil, err
	}
	s.notifyUnitsOpen(ctx, c)
	return c, nil
}

// notifyUnitsOpen tells the admins of each unit given seats in a class that
// its registration is open to them, with their seats and the window.
func (s *Service) notifyUnitsOpen(ctx context.Context, c *Class) {
	var quotas []Quota
	if err := s.db.WithContext(ctx).Where("class_id = ? AND quota > 0", c.ID).Find(&quotas).Error; err != nil {
		s.log.Warn("training: quotas to notify", "class", c.ID, "err", err)
		return
	}
	window := c.RegOpensAt.In(web.Shanghai).Format("2006-01-02 15:04") + " 至 " + c.RegClosesAt.In(web.Shanghai).Format("2006-01-02 15:04")
	for _, q := range quotas {
		admins, err := s.people.UsersWithRole(ctx, web.RoleUnitAdmin, []uint64{q.OrgID})
		if err != nil {
			s.log.Warn("training: unit admins", "org", q.OrgID, "err", err)
			continue
		}
		s.notify(ctx, admins, Message{Title: "班次开放报名：" + c.Title,
			Body: fmt.Sprintf("本单位名额 %d 人，报名时间 %s，请及时推荐参训人员。", q.Quota, window), Link: fmt.Sprintf("/unit/classes/%d", c.ID)})
	}
}

// CloseRegistration ends registration.
func (s *Service) CloseRegistration(ctx context.Context, p *web.Principal, id uint64) (*Class, error) {
	return s.simpleTransition(ctx, p, id, s.hostClass, ActionClose)
}

// Start opens the class (开班); registration closes if it was still open.
func (s *Service) Start(ctx context.Context, p *web.Principal, id uint64) (*Class, error) {
	return s.simpleTransition(ctx, p, id, s.hostClass, ActionStart)
}

// Archive files away a graduated class.
func (s *Service) Archive(ctx context.Context, p *web.Principal, id uint64) (*Class, error) {
	return s.simpleTransition(ctx, p, id, s.managedClass, ActionArchive)
}

// simpleTransition performs a life-cycle action that takes nothing but the
// class, loaded for the caller by load.
func (s *Service) simpleTransition(ctx context.Context, p *web.Principal, id uint64, load func(context.Context, *web.Principal, uint64) (*Class, error), action string) (*Class, error) {
	c, err := load(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.transition(ctx, p, c, action, nil, nil); err != nil {
		return nil, err
	}
	return c, nil
}

// Transition performs a life-cycle action on a class; reason is the
// reason of a rejection.
func (s *Service) Transition(ctx context.Context, p *web.Principal, id uint64, action, reason string) (*Class, error) {
	switch action {
	case ActionSubmit:
		return s.Submit(ctx, p, id)
	case ActionApprove:
		return s.Approve(ctx, p, id)
	case ActionReject:
		return s.Reject(ctx, p, id, reason)
	case ActionOpen:
		return s.Open(ctx, p, id)
	case ActionClose:
		return s.CloseRegistration(ctx, p, id)
	case ActionStart:
		return s.Start(ctx, p, id)
	case ActionArchive:
		return s.Archive(ctx, p, id)
	}
	return nil, web.NotFound()
}

// CloseDue closes the registration of classes past their deadline; it
// returns how many it closed.
func (s *Service) CloseDue(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Model(&Class{}).Where("status = ? AND registration_closes_at <= ?", StatusOpen, s.now().UTC()).
		Updates(map[string]any{"status": StatusClosed, "updated_at": s.now().UTC()})
	return res.RowsAffected, res.Error
}

// RunSweeper closes registrations at their deadline until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, every time.Duration) {
	cache.Every(ctx, s.log, "training: closing due registrations", every, func(ctx context.Context) error {
		n, err := s.CloseDue(ctx)
		if err == nil && n > 0 {
			s.log.Info("training: registration closed at deadline", "classes", n)
		}
		return err
	})
}
