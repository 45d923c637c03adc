package throughtrain

import (
	"context"
	"fmt"

	"college/modules/notify"
	"college/modules/web"

	"gorm.io/gorm"
)

// errNotGraduate refuses a question about a class the cadre did not
// graduate from (or that does not exist: the answer is the same).
var errNotGraduate = web.NewError(422, "not_graduate", "只有该班次已结业的学员才能使用直通车提出问题或求助")

// Raise opens a thread for a graduate of a class: the graduate themselves,
// or a unit admin of the graduate's unit on their behalf.
func (s *Service) Raise(ctx context.Context, p *web.Principal, in RaiseRequest) (*Thread, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	graduateID := p.UserID
	if in.UserID != 0 && in.UserID != p.UserID {
		if !p.Has(web.RoleUnitAdmin) {
			return nil, web.NewError(403, "forbidden", "只有学员所在单位的管理员可以代为提出")
		}
		graduateID = in.UserID
	}
	who, ok, err := s.people.Person(ctx, graduateID)
	if err != nil {
		return nil, web.Internal(err)
	}
	if !ok || (graduateID != p.UserID && !p.InScope(who.OrgPath)) {
		return nil, web.Invalid(map[string]string{"user_id": "该学员不存在或不在您的管理范围内"})
	}
	g, err := s.classes.GraduateOf(ctx, in.ClassID, graduateID)
	if err != nil {
		return nil, err
	}
	if !g.Found || !g.Graduated {
		return nil, errNotGraduate
	}
	hostPath, err := s.people.OrgPath(ctx, g.HostOrgID)
	if err != nil || hostPath == "" {
		return nil, web.Internal(fmt.Errorf("throughtrain: host college %d: %v", g.HostOrgID, err))
	}
	admins, err := s.people.UsersWithRole(ctx, web.RoleCollegeAdmin, []uint64{g.HostOrgID})
	if err != nil {
		return nil, web.Internal(err)
	}
	now := s.now().UTC()
	t := &Thread{ClassID: in.ClassID, ClassTitle: g.Title, HostOrgID: g.HostOrgID, HostOrgPath: hostPath, GraduateID: who.ID,
		GraduateName: who.Name, GraduateOrgID: who.OrgID, GraduateOrgPath: who.OrgPath, RaisedBy: p.UserID, Subject: in.Subject,
		Status: StatusOpen, CreatedAt: now, UpdatedAt: now}
	err = web.ChangeAudited(ctx, s.db, s.audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Create(t).Error; err != nil {
			return web.AuditEntry{}, err
		}
		m := &Message{ThreadID: t.ID, AuthorID: p.UserID, AuthorName: p.Name, Side: SideGraduate, Body: in.Body, CreatedAt: now}
		if err := tx.Create(m).Error; err != nil {
			return web.AuditEntry{}, err
		}
		if err := s.notifier.Send(ctx, tx, admins, notify.Message{Title: "直通车：" + who.Name + "提出了新问题", Body: t.Subject,
			Link: fmt.Sprintf("/admin/through-train/%d", t.ID)}); err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "throughtrain.raise", "through_train", t.ID, map[string]any{"class_id": t.ClassID, "graduate_id": t.GraduateID}), nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// recipients are who hear of a message from side on t: the graduate for
// the college's messages; the assigned teacher (or, before one is
// assigned, the host college's admins) for the graduate's.
func (s *Service) recipients(ctx context.Context, p *web.Principal, t *Thread, side string) ([]uint64, string, error) {
	if side == SideCollege {
		return []uint64{t.GraduateID}, fmt.Sprintf("/me/through-train/%d", t.ID), nil
	}
	link := fmt.Sprintf("/admin/through-train/%d", t.ID)
	if t.AssigneeID != 0 {
		return []uint64{t.AssigneeID}, link, nil
	}
	ids, err := s.people.UsersWithRole(ctx, web.RoleCollegeAdmin, []uint64{t.HostOrgID})
	return ids, link, err
}

func without(ids []uint64, me uint64) []uint64 {
	out := ids[:0:0]
	for _, id := range ids {
		if id != me {
			out = append(out, id)
		}
	}
	return out
}

// Post adds a message to an open or answered thread. A message of the
// college side answers the thread; the other side is notified.
func (s *Service) Post(ctx context.Context, p *web.Principal, id uint64, in MessageRequest) (*Message, error) {
	t, err := s.Visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if t.Status == StatusClosed {
		return nil, wrongState(t, "继续留言")
	}
	side := sideOf(p, t)
	to, link, err := s.recipients(ctx, p, t, side)
	if err != nil {
		return nil, web.Internal(err)
	}
	now := s.now().UTC()
	m := &Message{ThreadID: id, AuthorID: p.UserID, AuthorName: p.Name, Side: side, Body: in.Body, CreatedAt: now}
	set := map[string]any{"updated_at": now}
	if side == SideCollege {
		set["status"] = StatusAnswered
	}
	err = web.ChangeAudited(ctx, s.db, s.audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		res := tx.Model(&Thread{}).Where("id = ? AND status <> ?", id, StatusClosed).Updates(set)
		if res.Error != nil {
			return web.AuditEntry{}, res.Error
		}
		if res.RowsAffected == 0 {
			return web.AuditEntry{}, web.Conflict("wrong_state", "该事项已办结，不能继续留言")
		}
		if err := tx.Create(m).Error; err != nil {
			return web.AuditEntry{}, err
		}
		if err := s.notifier.Send(ctx, tx, without(to, p.UserID), notify.Message{Title: "直通车有新留言：" + t.Subject, Body: in.Body, Link: link}); err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "throughtrain.message", "through_train", id, map[string]any{"side": side}), nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Assign has the host college's admin name a teacher of its faculty; the
// teacher's linked account then sees and answers the thread.
func (s *Service) Assign(ctx context.Context, p *web.Principal, id uint64, in AssignRequest) (*Thread, error) {
	t, err := s.Visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !collegeAdmin(p, t) {
		return nil, web.NewError(403, "forbidden", "只有主办学院的管理员可以指派教师")
	}
	if in.TeacherID == 0 {
		return nil, web.Invalid(map[string]string{"teacher_id": "请选择教师"})
	}
	if t.Status == StatusClosed {
		return nil, wrongState(t, "指派教师")
	}
	teacher, err := s.teachers.TeacherAccount(ctx, p, in.TeacherID)
	if err != nil {
		if we := web.AsError(err); we.Status == 404 || we.Status == 403 {
			return nil, web.Invalid(map[string]string{"teacher_id": "该教师不在本院师资库中"})
		}
		return nil, err
	}
	if teacher.UserID == 0 {
		return nil, web.Invalid(map[string]string{"teacher_id": "该教师没有关联平台账号，无法指派"})
	}
	now := s.now().UTC()
	err = web.ChangeAudited(ctx, s.db, s.audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		res := tx.Model(&Thread{}).Where("id = ? AND status <> ?", id, StatusClosed).
			Updates(map[string]any{"teacher_id": teacher.ID, "teacher_name": teacher.Name, "assignee_id": teacher.UserID, "updated_at": now})
		if res.Error != nil {
			return web.AuditEntry{}, res.Error
		}
		if res.RowsAffected == 0 {
			return web.AuditEntry{}, web.Conflict("wrong_state", "该事项已办结，不能指派教师")
		}
		if err := s.notifier.Send(ctx, tx, []uint64{teacher.UserID}, notify.Message{Title: "直通车：请答复学员的问题", Body: t.Subject,
			Link: fmt.Sprintf("/admin/through-train/%d", id)}); err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "throughtrain.assign", "through_train", id, map[string]any{"teacher_id": teacher.ID, "user_id": teacher.UserID}), nil
	})
	if err != nil {
		return nil, err
	}
	return web.Load[Thread](s.db.WithContext(ctx), id)
}

// Close has the graduate close an answered thread with a satisfaction mark.
func (s *Service) Close(ctx context.Context, p *web.Principal, id uint64, in CloseRequest) (*Thread, error) {
	t, err := s.Visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if p.UserID != t.GraduateID {
		return nil, web.NewError(403, "forbidden", "只有提出问题的学员本人可以办结并评价")
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if t.Status != StatusAnswered {
		return nil, wrongState(t, "办结（须在学院答复之后）")
	}
	now := s.now().UTC()
	err = web.ChangeAudited(ctx, s.db, s.audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		res := tx.Model(&Thread{}).Where("id = ? AND status = ?", id, StatusAnswered).
			Updates(map[string]any{"status": StatusClosed, "satisfaction": in.Satisfaction, "close_note": in.Note, "closed_at": &now, "updated_at": now})
		if res.Error != nil {
			return web.AuditEntry{}, res.Error
		}
		if res.RowsAffected == 0 {
			return web.AuditEntry{}, web.Conflict("wrong_state", "该事项状态已改变，请刷新后重试")
		}
		return web.AuditBy(p, "throughtrain.close", "through_train", id, map[string]any{"satisfaction": in.Satisfaction}), nil
	})
	if err != nil {
		return nil, err
	}
	return web.Load[Thread](s.db.WithContext(ctx), id)
}

// MarkCase has the host college mark a closed thread as a good case
// (优秀案例), or take the mark off.
func (s *Service) MarkCase(ctx context.Context, p *web.Principal, id uint64, in CaseRequest) (*Thread, error) {
	t, err := s.Visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !collegeAdmin(p, t) {
		return nil, web.NewError(403, "forbidden", "只有主办学院的管理员可以标记优秀案例")
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if t.Status != StatusClosed {
		return nil, wrongState(t, "标记优秀案例（须在办结之后）")
	}
	note := in.Note
	if !in.Good {
		note = ""
	}
	err = web.ChangeAudited(ctx, s.db, s.audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Model(&Thread{}).Where("id = ?", id).Updates(map[string]any{"good_case": in.Good, "case_note": note}).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "throughtrain.mark_case", "through_train", id, map[string]any{"good": in.Good, "note": note}), nil
	})
	if err != nil {
		return nil, err
	}
	return web.Load[Thread](s.db.WithContext(ctx), id)
}
