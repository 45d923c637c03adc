package training

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// RequestLeave asks leave for sessions (their hours) or for a number of hours.
func (s *Service) RequestLeave(ctx context.Context, p *web.Principal, classID uint64, in LeaveRequest) (*Leave, error) {
	r, err := s.trainee(ctx, p.UserID, classID)
	if err != nil {
		if web.IsStatus(err, 403) {
			return nil, web.NotFound()
		}
		return nil, err
	}
	c, err := s.classByID(ctx, classID)
	if err != nil {
		return nil, err
	}
	if c.Status != StatusClosed && c.Status != StatusInSession && c.Status != StatusOpen {
		return nil, wrongState(c.Status, c.Status)
	}
	f := web.Fields{}
	in.Reason = strings.TrimSpace(in.Reason)
	f.Required("reason", in.Reason)
	f.MaxLen("reason", in.Reason, 500)
	f.Check(len(in.SessionIDs) <= 100, "session_ids", "最多 100 次课")
	ids := uniq(in.SessionIDs)
	hours := in.Hours
	if len(ids) > 0 {
		var sessions []Session
		if err := s.db.WithContext(ctx).Where("class_id = ? AND id IN ?", classID, ids).Find(&sessions).Error; err != nil {
			return nil, web.Internal(err)
		}
		if len(sessions) != len(ids) {
			f.Add("session_ids", "有课程不属于本班次")
		}
		hours = 0
		for _, x := range sessions {
			hours += x.Hours
		}
	} else {
		f.Check(hours > 0 && hours <= 200000, "hours", "请选择请假的课程，或填写请假学时")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	l := &Leave{ClassID: classID, UserID: r.UserID, Sessions: db.JoinIDs(ids), Hours: hours, Reason: in.Reason, Status: LeavePending, CreatedAt: s.now().UTC()}
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if err := s.lockCadre(tx, r.UserID); err != nil {
			return err
		}
		// A session already asked for (pending or approved) is not asked twice.
		var open []Leave
		if err := tx.Where("class_id = ? AND user_id = ? AND status IN ?", classID, r.UserID, []string{LeavePending, LeaveApproved}).Find(&open).Error; err != nil {
			return err
		}
		for _, o := range open {
			for _, id := range ids {
				if hasFlag(o.Sessions, strconv.FormatUint(id, 10)) {
					return web.Conflict("leave_exists", "所选课程已有请假申请（"+LeaveStatusNames[o.Status]+"），不能重复申请")
				}
			}
		}
		if err := tx.Create(l).Error; err != nil {
			return err
		}
		return s.recordTx(tx, p, "leave.request", "leave", l.ID, map[string]any{"class": classID, "hours": hours})
	})
	if err != nil {
		return nil, txError(err)
	}
	s.notify(ctx, s.hostAdmins(ctx, c), Message{Title: "请假申请：" + p.Name + " · " + c.Title, Body: "请假 " + hours.String() + " 学时：" + in.Reason, Link: fmt.Sprintf("/admin/classes/%d#leaves", c.ID)})
	return l, nil
}

// leaveFor loads a leave request of a class the caller hosts.
func (s *Service) leaveFor(ctx context.Context, p *web.Principal, id uint64) (*Leave, *Class, error) {
	l, err := web.Load[Leave](s.db.WithContext(ctx), id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.hostClass(ctx, p, l.ClassID)
	if err != nil {
		return nil, nil, err
	}
	return l, c, nil
}

// leaveLimit is the most leave a class allows: 1/N of its hours.
func (s *Service) leaveLimit(ctx context.Context, c *Class) web.Hours {
	d := s.settings.Int(ctx, SetLeaveDenom)
	if d < 1 {
		d = 7
	}
	return s.classHours(ctx, c) / web.Hours(d)
}

// approvedLeave sums a trainee's approved leave in a class.
func (s *Service) approvedLeave(ctx context.Context, tx *gorm.DB, classID, userID uint64) (web.Hours, error) {
	var sum int64
	err := tx.WithContext(ctx).Model(&Leave{}).Select("COALESCE(SUM(hours_x100),0)").
		Where("class_id = ? AND user_id = ? AND status = ?", classID, userID, LeaveApproved).Scan(&sum).Error
	return web.Hours(sum), err
}

// DecideLeave approves or refuses a leave request (the host). Approved
// leave above the limit flags the trainee for withdrawal (1/7 rule).
func (s *Service) DecideLeave(ctx context.Context, p *web.Principal, id uint64, approve bool) (LeaveResponse, error) {
	l, c, err := s.leaveFor(ctx, p, id)
	if err != nil {
		return LeaveResponse{}, err
	}
	if l.Status != LeavePending {
		return LeaveResponse{}, web.Conflict("wrong_state", "该请假申请已处理（"+LeaveStatusNames[l.Status]+"）")
	}
	status := LeaveRejected
	if approve {
		status = LeaveApproved
	}
	limit := s.leaveLimit(ctx, c)
	var total web.Hours
	err = s.audited(ctx, p, func(tx *gorm.DB) error {
		now := s.now().UTC()
		res := tx.Model(&Leave{}).Where("id = ? AND status = ?", id, LeavePending).Updates(map[string]any{"status": status, "decided_by": p.UserID, "decided_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return web.Conflict("wrong_state", "该请假申请已处理")
		}
		var err error
		if total, err = s.approvedLeave(ctx, tx, c.ID, l.UserID); err != nil {
			return err
		}
		if total > limit {
			var r Registration
			if err := tx.Where("class_id = ? AND user_id = ?", c.ID, l.UserID).Take(&r).Error; err != nil {
				return err
			}
			return tx.Model(&r).Update("flags", addFlag(r.Flags, "leave")).Error
		}
		return nil
	}, func() (string, string, uint64, any) {
		return "leave." + map[bool]string{true: "approve", false: "reject"}[approve], "leave", id, map[string]any{"class": l.ClassID, "user": l.UserID, "hours": l.Hours, "over_limit": total > limit}
	})
	if err != nil {
		return LeaveResponse{}, err
	}
	l.Status = status
	msg := Message{Title: "请假" + LeaveStatusNames[status] + "：" + c.Title, Body: "请假 " + l.Hours.String() + " 学时。", Link: fmt.Sprintf("/classes/%d", c.ID)}
	if total > limit {
		msg.Body += fmt.Sprintf("累计请假 %s 学时，已超过班次学时的 1/%d（%s 学时），按规定应予退学。", total, s.settings.Int(ctx, SetLeaveDenom), limit)
	}
	s.notify(ctx, []uint64{l.UserID}, msg)
	return s.leaveResponse(*l, "", total, limit), nil
}

func (s *Service) leaveResponse(l Leave, name string, total, limit web.Hours) LeaveResponse {
	return LeaveResponse{ID: l.ID, ClassID: l.ClassID, UserID: l.UserID, Name: name, SessionIDs: db.SplitIDs(l.Sessions), Hours: l.Hours,
		Reason: l.Reason, Status: l.Status, StatusName: LeaveStatusNames[l.Status], CreatedAt: l.CreatedAt, TotalHours: total, Limit: limit, OverLimit: total > limit}
}

// Leaves lists a class's leave requests for its host, or the caller's own.
func (s *Service) Leaves(ctx context.Context, p *web.Principal, classID uint64) ([]LeaveResponse, error) {
	c, err := s.GetClass(ctx, p, classID)
	if err != nil {
		return nil, err
	}
	return s.classLeaves(ctx, p, c, s.isManager(ctx, p, c))
}

// classLeaves lists a class's leave requests: all of them for a manager,
// else the caller's own.
func (s *Service) classLeaves(ctx context.Context, p *web.Principal, c *Class, manager bool) ([]LeaveResponse, error) {
	q := s.db.WithContext(ctx).Where("class_id = ?", c.ID)
	if !manager {
		q = q.Where("user_id = ?", p.UserID)
	}
	var rows []Leave
	if err := q.Order("created_at DESC, id DESC").Limit(1000).Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	ids := make([]uint64, len(rows))
	for i, l := range rows {
		ids[i] = l.UserID
	}
	people, err := s.people.People(ctx, ids)
	if err != nil {
		return nil, web.Internal(err)
	}
	totals := map[uint64]web.Hours{}
	for _, l := range rows {
		if l.Status == LeaveApproved {
			totals[l.UserID] += l.Hours
		}
	}
	limit := s.leaveLimit(ctx, c)
	out := make([]LeaveResponse, len(rows))
	for i, l := range rows {
		out[i] = s.leaveResponse(l, people[l.UserID].Name, totals[l.UserID], limit)
	}
	return out, nil
}
