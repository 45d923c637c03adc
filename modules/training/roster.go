package training

import (
	"context"
	"time"

	"college/modules/web"
)

// Roster lists the admitted trainees (and graduates) with their
// attendance, leave and online course progress, for the host.
func (s *Service) Roster(ctx context.Context, p *web.Principal, classID uint64) (*Class, []RosterRow, []Session, map[uint64]map[uint64]time.Time, error) {
	c, err := s.managedClass(ctx, p, classID)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	rows, sessions, signed, err := s.roster(ctx, c)
	return c, rows, sessions, signed, err
}

// roster is Roster of a class already loaded and checked.
func (s *Service) roster(ctx context.Context, c *Class) ([]RosterRow, []Session, map[uint64]map[uint64]time.Time, error) {
	classID := c.ID
	var regs []Registration
	if err := s.db.WithContext(ctx).Where("class_id = ? AND status IN ?", classID, []string{RegApproved, RegGraduated, RegIncomplete, RegAbsent}).
		Order("org_id, id").Find(&regs).Error; err != nil {
		return nil, nil, nil, web.Internal(err)
	}
	resp, err := s.responses(ctx, regs, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	sessions, err := s.Sessions(ctx, classID)
	if err != nil {
		return nil, nil, nil, err
	}
	var att []Attendance
	if err := s.db.WithContext(ctx).Where("class_id = ?", classID).Find(&att).Error; err != nil {
		return nil, nil, nil, web.Internal(err)
	}
	signed := map[uint64]map[uint64]time.Time{}
	for _, a := range att {
		if signed[a.UserID] == nil {
			signed[a.UserID] = map[uint64]time.Time{}
		}
		signed[a.UserID][a.SessionID] = a.SignedAt
	}
	var leaves []Leave
	if err := s.db.WithContext(ctx).Where("class_id = ? AND status = ?", classID, LeaveApproved).Find(&leaves).Error; err != nil {
		return nil, nil, nil, web.Internal(err)
	}
	leave := map[uint64]web.Hours{}
	for _, l := range leaves {
		leave[l.UserID] += l.Hours
	}
	userIDs := make([]uint64, len(regs))
	for i, r := range regs {
		userIDs[i] = r.UserID
	}
	done, required, err := s.courseProgress(ctx, classID, userIDs)
	if err != nil {
		return nil, nil, nil, err
	}
	var passed map[uint64]bool
	if c.ExamID != 0 && s.progress != nil {
		if passed, err = s.progress.PassedExam(ctx, c.ExamID, userIDs); err != nil {
			return nil, nil, nil, web.Internal(err)
		}
	}
	rows := make([]RosterRow, len(regs))
	for i, r := range regs {
		row := RosterRow{RegistrationResponse: resp[i], Sessions: len(sessions), LeaveHours: leave[r.UserID], CoursesDone: done[r.UserID], CoursesReq: required}
		for _, x := range sessions {
			if _, ok := signed[r.UserID][x.ID]; ok {
				row.Signed++
			}
		}
		if len(sessions) > 0 {
			row.Attendance = row.Signed * 100 / len(sessions)
		}
		if passed != nil {
			ok := passed[r.UserID]
			row.ExamPassed = &ok
		}
		rows[i] = row
	}
	return rows, sessions, signed, nil
}

// courseProgress counts, per trainee, the required class courses completed.
func (s *Service) courseProgress(ctx context.Context, classID uint64, userIDs []uint64) (map[uint64]int, int, error) {
	var courses []ClassCourse
	if err := s.db.WithContext(ctx).Where("class_id = ? AND required = ?", classID, true).Find(&courses).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	out := map[uint64]int{}
	if len(courses) == 0 || len(userIDs) == 0 || s.progress == nil {
		return out, len(courses), nil
	}
	ids := make([]uint64, len(courses))
	for i, x := range courses {
		ids[i] = x.CourseID
	}
	done, err := s.progress.Completed(ctx, userIDs, ids)
	if err != nil {
		return nil, 0, web.Internal(err)
	}
	for u, m := range done {
		for _, id := range ids {
			if m[id] {
				out[u]++
			}
		}
	}
	return out, len(courses), nil
}

// MyClass is what a trainee sees of their own class.
type MyClass struct {
	Registration *Registration
	Signed       map[uint64]time.Time
	Leaves       []LeaveResponse
	CoursesDone  map[uint64]bool
	Certificate  *Certificate
}

// Mine gathers the caller's standing in a class.
func (s *Service) Mine(ctx context.Context, p *web.Principal, c *Class) (MyClass, error) {
	var m MyClass
	r, err := s.MyRegistrationIn(ctx, p, c.ID)
	if err != nil || r == nil {
		return m, err
	}
	m.Registration = r
	var att []Attendance
	if err := s.db.WithContext(ctx).Where("class_id = ? AND user_id = ?", c.ID, p.UserID).Find(&att).Error; err != nil {
		return m, web.Internal(err)
	}
	m.Signed = map[uint64]time.Time{}
	for _, a := range att {
		m.Signed[a.SessionID] = a.SignedAt
	}
	var leaves []Leave
	if err := s.db.WithContext(ctx).Where("class_id = ? AND user_id = ?", c.ID, p.UserID).Order("id DESC").Find(&leaves).Error; err != nil {
		return m, web.Internal(err)
	}
	var total web.Hours
	for _, l := range leaves {
		if l.Status == LeaveApproved {
			total += l.Hours
		}
	}
	limit := s.leaveLimit(ctx, c)
	for _, l := range leaves {
		m.Leaves = append(m.Leaves, s.leaveResponse(l, "", total, limit))
	}
	var courses []ClassCourse
	if err := s.db.WithContext(ctx).Where("class_id = ?", c.ID).Find(&courses).Error; err != nil {
		return m, web.Internal(err)
	}
	m.CoursesDone = map[uint64]bool{}
	if len(courses) > 0 && s.progress != nil {
		ids := make([]uint64, len(courses))
		for i, x := range courses {
			ids[i] = x.CourseID
		}
		done, err := s.progress.Completed(ctx, []uint64{p.UserID}, ids)
		if err != nil {
			return m, web.Internal(err)
		}
		m.CoursesDone = done[p.UserID]
	}
	var cert Certificate
	if err := s.db.WithContext(ctx).Where("class_id = ? AND user_id = ?", c.ID, p.UserID).Take(&cert).Error; err == nil {
		m.Certificate = &cert
	}
	return m, nil
}

// SessionOpen reports whether a session takes sign-ins now.
func (s *Service) SessionOpen(ctx context.Context, c *Class, x *Session) bool {
	from, to := s.signInWindow(ctx, x)
	now := s.now()
	return c.Status == StatusInSession && !now.Before(from) && !now.After(to)
}

// IsTrainee reports whether a user is an admitted trainee or a graduate
// of a class (the exam module's audience of a class exam).
func (s *Service) IsTrainee(ctx context.Context, classID, userID uint64) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Registration{}).
		Where("class_id = ? AND user_id = ? AND status IN ?", classID, userID, []string{RegApproved, RegGraduated, RegIncomplete}).Count(&n).Error
	return n > 0, err
}

// Hosts reports whether the caller hosts a class.
func (s *Service) Hosts(ctx context.Context, p *web.Principal, classID uint64) (bool, error) {
	_, err := s.hostClass(ctx, p, classID)
	if err == nil {
		return true, nil
	}
	if web.IsStatus(err, 404) || web.IsStatus(err, 403) {
		return false, nil
	}
	return false, err
}

// Manages reports whether the caller hosts or oversees a class (its
// college's administrators and the org department over it).
func (s *Service) Manages(ctx context.Context, p *web.Principal, classID uint64) (bool, error) {
	_, err := s.managedClass(ctx, p, classID)
	if err == nil {
		return true, nil
	}
	if web.IsStatus(err, 404) || web.IsStatus(err, 403) {
		return false, nil
	}
	return false, err
}

// ClassByID loads a class without a scope check, for other modules that
// check access themselves.
func (s *Service) ClassByID(ctx context.Context, id uint64) (*Class, error) {
	return s.classByID(ctx, id)
}

// Trainees lists the users admitted to a class or graduated from it.
func (s *Service) Trainees(ctx context.Context, classID uint64) ([]uint64, error) {
	var ids []uint64
	err := s.db.WithContext(ctx).Model(&Registration{}).Where("class_id = ? AND status IN ?", classID, []string{RegApproved, RegGraduated, RegIncomplete}).
		Order("user_id").Pluck("user_id", &ids).Error
	return ids, err
}
