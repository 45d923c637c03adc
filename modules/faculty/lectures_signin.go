package faculty

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"college/modules/web"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// signInEarly is how long before a lecture starts the cadres may sign in.
const signInEarly = 30 * time.Minute

// maxWrongCodes is how many wrong sign-in codes a cadre may type at one
// lecture before being asked to wait ten minutes.
const maxWrongCodes = 10

// signInWindow is when a lecture takes sign-ins.
func signInWindow(l *Lecture) (time.Time, time.Time) { return l.StartsAt.Add(-signInEarly), l.EndsAt }

// lectureCode is a lecture's code and window.
func lectureCode(l *Lecture) LectureCode {
	from, to := signInWindow(l)
	return LectureCode{LectureID: l.ID, Code: l.Code, Path: fmt.Sprintf("%s/%d?code=%s", LecturesPath, l.ID, l.Code), OpensAt: from, ClosesAt: to}
}

// LectureCode shows the host a published lecture's sign-in code.
func (s *Service) LectureCode(ctx context.Context, p *web.Principal, id uint64) (LectureCode, *Lecture, error) {
	l, err := s.managedLecture(ctx, s.db, p, id)
	if err != nil {
		return LectureCode{}, nil, err
	}
	if l.Status != LecturePublished && l.Status != LectureHeld {
		return LectureCode{}, nil, wrongState(l, "签到")
	}
	if l.Code == "" { // published before codes were kept
		code := web.NewSignInCode()
		if err := s.db.WithContext(ctx).Model(&Lecture{}).Where("id = ? AND code = ?", l.ID, "").Update("code", code).Error; err != nil {
			return LectureCode{}, nil, web.Internal(err)
		}
		if err := s.db.WithContext(ctx).Model(&Lecture{}).Where("id = ?", l.ID).Pluck("code", &l.Code).Error; err != nil {
			return LectureCode{}, nil, web.Internal(err)
		}
	}
	return lectureCode(l), l, nil
}

// RenewLectureCode gives a published lecture a new sign-in code; the old
// one stops working, those signed in stay signed in.
func (s *Service) RenewLectureCode(ctx context.Context, p *web.Principal, id uint64) (LectureCode, error) {
	var l *Lecture
	err := web.ChangeAudited(ctx, s.db, s.deps.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		var err error
		if l, err = s.managedLecture(ctx, tx, p, id); err != nil {
			return web.AuditEntry{}, err
		}
		if l.Status != LecturePublished && l.Status != LectureHeld {
			return web.AuditEntry{}, wrongState(l, "更换签到码")
		}
		l.Code = web.NewSignInCode()
		if err := tx.Model(&Lecture{}).Where("id = ?", l.ID).Update("code", l.Code).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "lecture.code", "lecture", l.ID, nil), nil
	})
	if err != nil {
		return LectureCode{}, err
	}
	return lectureCode(l), nil
}

// SignInLecture records the caller at a lecture with the code its screen
// shows, only on its day from half an hour before it starts until it
// ends; signing in again keeps the first time.
func (s *Service) SignInLecture(ctx context.Context, p *web.Principal, id uint64, code string) (SignInResponse, error) {
	if err := web.MayStudy(p); err != nil {
		return SignInResponse{}, err
	}
	if strings.TrimSpace(code) == "" {
		return SignInResponse{}, web.Invalid(map[string]string{"code": "请输入现场出示的签到码"})
	}
	l, err := s.visibleLecture(ctx, p, id)
	if err != nil {
		return SignInResponse{}, err
	}
	if l.Status != LecturePublished && l.Status != LectureHeld {
		return SignInResponse{}, wrongState(l, "签到")
	}
	now := s.now()
	from, to := signInWindow(l)
	if now.Before(from) || now.After(to) {
		return SignInResponse{}, web.Conflict("signin_closed", fmt.Sprintf("不在签到时间内（%s 至 %s）",
			from.In(web.Shanghai).Format("01-02 15:04"), to.In(web.Shanghai).Format("15:04")))
	}
	a := LectureAttendance{LectureID: l.ID, UserID: p.UserID, Name: p.Name, OrgID: p.OrgID, SignedAt: now.UTC().Truncate(time.Second)}
	var prev LectureAttendance
	err = s.db.WithContext(ctx).Where("lecture_id = ? AND user_id = ?", l.ID, p.UserID).Take(&prev).Error
	again := err == nil
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return SignInResponse{}, web.Internal(err)
	}
	key := s.deps.Cache.Key("lecture-signin", web.Itoa(l.ID), web.Itoa(p.UserID))
	if !again && s.deps.Cache.Struck(ctx, key, maxWrongCodes) {
		return SignInResponse{}, web.NewError(429, "too_many_attempts", "签到码输错次数过多，请 10 分钟后再试")
	}
	if !again && !web.SignInCodeMatches(l.Code, code) {
		s.deps.Cache.Strike(ctx, key, 10*time.Minute)
		e := web.Unprocessable("wrong_code", "签到码不正确")
		e.Fields = map[string]string{"code": e.Message}
		return SignInResponse{}, e
	}
	err = web.ChangeAudited(ctx, s.db, s.deps.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if !again {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&a).Error; err != nil {
				return web.AuditEntry{}, err
			}
		}
		if err := tx.Where("lecture_id = ? AND user_id = ?", l.ID, p.UserID).Take(&a).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "lecture.signin", "lecture", l.ID, map[string]any{"again": again}), nil
	})
	if err != nil {
		return SignInResponse{}, err
	}
	return SignInResponse{LectureID: l.ID, Topic: l.Topic, SignedAt: a.SignedAt}, nil
}

// SignedAt is when the caller signed in at a lecture; nil when they have not.
func (s *Service) SignedAt(ctx context.Context, p *web.Principal, lectureID uint64) (*time.Time, error) {
	var a LectureAttendance
	err := s.db.WithContext(ctx).Where("lecture_id = ? AND user_id = ?", lectureID, p.UserID).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, web.Internal(err)
	}
	return &a.SignedAt, nil
}

// Attendance is a page of those signed in at a lecture the caller hosts,
// in the order they came, with the count.
func (s *Service) Attendance(ctx context.Context, p *web.Principal, id uint64, pg web.Page) (AttendanceResponse, error) {
	l, err := s.managedLecture(ctx, s.db, p, id)
	if err != nil {
		return AttendanceResponse{}, err
	}
	q := s.db.WithContext(ctx).Model(&LectureAttendance{}).Where("lecture_id = ?", l.ID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return AttendanceResponse{}, web.Internal(err)
	}
	var rows []LectureAttendance
	if err := q.Order("signed_at, id").Offset(pg.Offset()).Limit(pg.PageSize).Find(&rows).Error; err != nil {
		return AttendanceResponse{}, web.Internal(err)
	}
	items, err := s.attendees(ctx, rows)
	if err != nil {
		return AttendanceResponse{}, err
	}
	return AttendanceResponse{List: web.NewList(items, total, pg), Capacity: l.Capacity}, nil
}

// attendees names the units of attendance rows.
func (s *Service) attendees(ctx context.Context, rows []LectureAttendance) ([]AttendeeItem, error) {
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.OrgID
	}
	names := map[uint64]string{}
	if len(ids) > 0 && s.deps.Lectures != nil {
		var err error
		if names, err = s.deps.Lectures.OrgNames(ctx, ids); err != nil {
			return nil, web.Internal(err)
		}
	}
	out := make([]AttendeeItem, len(rows))
	for i, r := range rows {
		out[i] = AttendeeItem{UserID: r.UserID, Name: r.Name, OrgID: r.OrgID, OrgName: names[r.OrgID], SignedAt: r.SignedAt}
	}
	return out, nil
}

// eachAttendee calls fn with a lecture's attendance in batches, for the export.
func (s *Service) eachAttendee(ctx context.Context, lectureID uint64, fn func([]AttendeeItem) error) error {
	var after uint64
	for {
		var batch []LectureAttendance
		if err := s.db.WithContext(ctx).Where("lecture_id = ? AND id > ?", lectureID, after).Order("id").Limit(500).Find(&batch).Error; err != nil {
			return fmt.Errorf("faculty: export attendance: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		items, err := s.attendees(ctx, batch)
		if err != nil {
			return err
		}
		if err := fn(items); err != nil {
			return err
		}
		after = batch[len(batch)-1].ID
	}
}

// ExportAttendance checks the caller and records the export of a lecture's
// attendance (names of cadres), then gives the lecture to write.
func (s *Service) ExportAttendance(ctx context.Context, p *web.Principal, id uint64) (*Lecture, error) {
	l, err := s.managedLecture(ctx, s.db, p, id)
	if err != nil {
		return nil, err
	}
	err = web.ChangeAudited(ctx, s.db, s.deps.Audit, func(*gorm.DB) (web.AuditEntry, error) {
		return web.AuditBy(p, "export.lecture_attendance", "lecture", l.ID, nil), nil
	})
	return l, err
}
