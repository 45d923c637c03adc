package training

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

func (s *Service) registrationByID(ctx context.Context, id uint64) (*Registration, error) {
	r, err := web.Load[Registration](s.db.WithContext(ctx), id)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// actor tells how the caller stands to a registration.
type actor struct {
	host, unit, self bool
}

// registrationFor loads a registration with the caller's standing: the
// class's host, a unit admin or org admin over the cadre, or the cadre.
func (s *Service) registrationFor(ctx context.Context, p *web.Principal, id uint64) (*Registration, *Class, actor, error) {
	r, err := s.registrationByID(ctx, id)
	if err != nil {
		return nil, nil, actor{}, err
	}
	var a actor
	a.self = r.UserID == p.UserID
	if canHost(p) {
		if c, err := s.hostClass(ctx, p, r.ClassID); err == nil {
			a.host = true
			return r, c, a, nil
		}
	}
	if p.HasAny(web.RoleUnitAdmin, web.RoleOrgAdmin) {
		path := s.orgPath(ctx, r.OrgID)
		a.unit = path != "" && p.InScope(path)
	}
	if !a.self && !a.unit {
		return nil, nil, a, web.NotFound()
	}
	c, err := s.classByID(ctx, r.ClassID)
	if err != nil {
		return nil, nil, a, err
	}
	return r, c, a, nil
}

// Approve accepts a pending registration (the host).
func (s *Service) ApproveRegistration(ctx context.Context, p *web.Principal, id uint64) (*Registration, error) {
	r, c, a, err := s.registrationFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !a.host || a.self {
		return nil, web.Forbidden() // nobody admits themselves
	}
	detail := map[string]any{"class": r.ClassID, "user": r.UserID}
	if r.Status == RegApproved {
		return r, s.record(ctx, p, "registration.approve", "registration", id, detail)
	}
	if r.Status != RegPending {
		return nil, web.Conflict("wrong_state", "只有待审核的报名可以录取（当前："+RegStatusNames[r.Status]+"）")
	}
	if !classActions(p, c, c.Status).Registrations {
		return nil, wrongState(c.Status, c.Status)
	}
	now := s.now().UTC()
	err = s.audited(ctx, p, func(tx *gorm.DB) error {
		res := tx.Model(&Registration{}).Where("id = ? AND status = ?", id, RegPending).
			Updates(map[string]any{"status": RegApproved, "decided_by": p.UserID, "decided_at": now, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return web.Conflict("wrong_state", "报名状态已改变，请刷新后重试")
		}
		return nil
	}, func() (string, string, uint64, any) {
		return "registration.approve", "registration", id, detail
	})
	if err != nil {
		return nil, err
	}
	r.Status = RegApproved
	s.notify(ctx, []uint64{r.UserID}, Message{Title: "您已被录取：" + c.Title, Body: fmt.Sprintf("培训时间 %s 至 %s，请按时参加。", c.StartsOn, c.EndsOn), Link: fmt.Sprintf("/classes/%d", c.ID)})
	s.notify(ctx, s.unitAdmins(ctx, r), Message{Title: "学员已录取：" + c.Title, Body: "主办学院已录取本单位推荐的学员。", Link: fmt.Sprintf("/unit/classes/%d", c.ID)})
	return r, nil
}

// RejectRegistration refuses a pending or waitlisted registration (the
// host); a freed seat goes to the first waitlisted cadre who fits.
func (s *Service) RejectRegistration(ctx context.Context, p *web.Principal, id uint64, reason string) (*Registration, error) {
	r, c, a, err := s.registrationFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !a.host {
		return nil, web.Forbidden()
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > 500 {
		return nil, web.Invalid(map[string]string{"reason": "不能超过 500 个字"})
	}
	if r.Status != RegPending && r.Status != RegWaitlisted {
		return nil, web.Conflict("wrong_state", "只有待审核或候补的报名可以不予录取（当前："+RegStatusNames[r.Status]+"）")
	}
	return s.leave(ctx, p, c, r, RegRejected, reason, "registration.reject", map[string]any{"class": r.ClassID, "user": r.UserID, "reason": reason})
}

// Withdraw takes a cadre out of a class: the cadre or their unit before
// the class starts, the host at any time until graduation.
func (s *Service) Withdraw(ctx context.Context, p *web.Principal, id uint64) (*Registration, error) {
	r, c, a, err := s.registrationFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(activeStatuses, r.Status) {
		return nil, web.Conflict("wrong_state", "该报名已不在有效状态（"+RegStatusNames[r.Status]+"）")
	}
	switch c.Status {
	case StatusOpen, StatusClosed:
		if !a.host && c.Started(s.now()) {
			return nil, web.Conflict("class_started", "班次已开始，请向主办学院申请退学")
		}
	case StatusInSession:
		if !a.host {
			return nil, web.Conflict("class_started", "班次已开班，请向主办学院申请退学")
		}
	default:
		return nil, wrongState(c.Status, c.Status)
	}
	return s.leave(ctx, p, c, r, RegWithdrawn, "", "registration.withdraw", map[string]any{"class": r.ClassID, "user": r.UserID})
}

// leave ends a registration in the given status, gives back its seat,
// promotes the first waitlisted cadre who fits and records the caller's
// action, in one transaction.
func (s *Service) leave(ctx context.Context, p *web.Principal, c *Class, r *Registration, status, note, action string, detail any) (*Registration, error) {
	var promoted *Registration
	err := db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		promoted = nil
		now := s.now().UTC()
		res := tx.Model(&Registration{}).Where("id = ? AND status = ?", r.ID, r.Status).
			Updates(map[string]any{"status": status, "seat": false, "note": note, "decided_by": p.UserID, "decided_at": now, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return web.Conflict("wrong_state", "报名状态已改变，请刷新后重试")
		}
		// No one joins a class already running.
		if r.Seat {
			if err := releaseSeat(tx, r); err != nil {
				return err
			}
			if c.Status != StatusInSession {
				var err error
				if promoted, err = s.promote(tx, c); err != nil {
					return err
				}
			}
		}
		return s.recordTx(tx, p, action, "registration", r.ID, detail)
	})
	if err != nil {
		return nil, txError(err)
	}
	r.Status, r.Seat, r.Note = status, false, note
	title := map[string]string{RegRejected: "未被录取：", RegWithdrawn: "已退出班次："}[status]
	body := ""
	if note != "" {
		body = "说明：" + note
	}
	s.notify(ctx, []uint64{r.UserID}, Message{Title: title + c.Title, Body: body, Link: fmt.Sprintf("/classes/%d", c.ID)})
	s.notify(ctx, s.unitAdmins(ctx, r), Message{Title: "调训变动：" + title + c.Title, Body: body, Link: fmt.Sprintf("/unit/classes/%d", c.ID)})
	if promoted != nil {
		s.notify(ctx, []uint64{promoted.UserID}, Message{Title: "候补递补成功：" + c.Title, Body: "有名额空出，您已由候补转为" + RegStatusNames[promoted.Status] + "。", Link: fmt.Sprintf("/classes/%d", c.ID)})
		s.notify(ctx, s.unitAdmins(ctx, promoted), Message{Title: "候补递补：" + c.Title, Body: "本单位候补学员已递补。", Link: fmt.Sprintf("/unit/classes/%d", c.ID)})
	}
	return r, nil
}

// promote gives a freed seat to the first waitlisted cadre whose unit
// quota has room, inside tx.
func (s *Service) promote(tx *gorm.DB, c *Class) (*Registration, error) {
	var waiting []Registration
	if err := tx.Where("class_id = ? AND status = ?", c.ID, RegWaitlisted).Order("created_at, id").Limit(200).Find(&waiting).Error; err != nil {
		return nil, err
	}
	for i := range waiting {
		w := &waiting[i]
		seat, err := takeSeat(tx, c.ID, w.QuotaOrgID, false)
		if err != nil {
			return nil, err
		}
		if !seat {
			continue
		}
		status := RegPending
		if c.AutoApprove {
			status = RegApproved
		}
		res := tx.Model(&Registration{}).Where("id = ? AND status = ?", w.ID, RegWaitlisted).
			Updates(map[string]any{"status": status, "seat": true, "updated_at": s.now().UTC()})
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected == 0 {
			if err := releaseSeat(tx, w); err != nil {
				return nil, err
			}
			continue
		}
		w.Status, w.Seat = status, true
		return w, nil
	}
	return nil, nil
}

func (s *Service) recordReplace(tx *gorm.DB, p *web.Principal, old, nr *Registration) error {
	return s.recordTx(tx, p, "registration.replace", "registration", old.ID, map[string]any{"class": nr.ClassID, "by": nr.UserID, "new_registration": nr.ID})
}

// Replace swaps a nominee for another cadre of the same unit before the
// class starts (the unit); the seat passes to the replacement.
func (s *Service) Replace(ctx context.Context, p *web.Principal, id, userID uint64) (*Registration, error) {
	r, c, a, err := s.registrationFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !a.unit {
		return nil, web.Forbidden()
	}
	if userID == 0 {
		return nil, web.Invalid(map[string]string{"user_id": "必须指定替换人员"})
	}
	if !slices.Contains(activeStatuses, r.Status) {
		return nil, web.Conflict("wrong_state", "该报名已不在有效状态（"+RegStatusNames[r.Status]+"）")
	}
	if (c.Status != StatusOpen && c.Status != StatusClosed) || c.Started(s.now()) {
		return nil, web.Conflict("class_started", "班次开始后不能替换人员")
	}
	u, err := s.people.Person(ctx, userID)
	if err != nil {
		return nil, web.Internal(err)
	}
	if u == nil || !p.InScope(u.OrgPath) {
		e := web.NotFound()
		e.Message = "替换人员不存在或不在您的管理范围内"
		return nil, e
	}
	flags, err := s.checkCadre(ctx, c, u)
	if err != nil {
		return nil, err
	}
	var quotas []Quota
	if err := s.db.WithContext(ctx).Where("class_id = ?", c.ID).Find(&quotas).Error; err != nil {
		return nil, web.Internal(err)
	}
	if qorg, _ := quotaOrg(quotas, u.OrgPath); qorg != r.QuotaOrgID {
		return nil, web.Unprocessable("not_eligible", "替换人员须与原学员使用同一单位名额")
	}
	status := r.Status
	if status == RegApproved && !c.AutoApprove {
		status = RegPending // the host looks at the new person again
	}
	nr := &Registration{ClassID: c.ID, UserID: userID, OrgID: u.OrgID, QuotaOrgID: r.QuotaOrgID, Seat: r.Seat, Status: status,
		Source: SourceNomination, NominatedBy: p.UserID, Flags: flags}
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if err := s.lockCadre(tx, userID); err != nil {
			return err
		}
		if err := overlapIn(tx, c, userID); err != nil {
			return err
		}
		now := s.now().UTC()
		res := tx.Model(&Registration{}).Where("id = ? AND status = ?", r.ID, r.Status).
			Updates(map[string]any{"status": RegReplaced, "seat": false, "note": "由 " + u.Name + " 替换", "decided_by": p.UserID, "decided_at": now, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return web.Conflict("wrong_state", "报名状态已改变，请刷新后重试")
		}
		var prev Registration
		err := tx.Where("class_id = ? AND user_id = ?", c.ID, userID).Take(&prev).Error
		if err == nil {
			if slices.Contains(activeStatuses, prev.Status) {
				return errAlreadyRegistered(prev.Status)
			}
			if err := reuseRow(tx, &prev, nr, now); err != nil {
				return err
			}
			return s.recordReplace(tx, p, r, nr)
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		nr.CreatedAt, nr.UpdatedAt = now, now
		if err := tx.Create(nr).Error; err != nil {
			if db.IsDuplicate(err) {
				return errAlreadyRegistered("")
			}
			return err
		}
		return s.recordReplace(tx, p, r, nr)
	})
	if err != nil {
		return nil, txError(err)
	}
	s.notify(ctx, []uint64{r.UserID}, Message{Title: "调训人员已调整：" + c.Title, Body: "单位已安排其他同志参加本班次。", Link: "/classes"})
	s.tellRegistration(ctx, c, nr, u)
	return nr, nil
}
