package training

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"college/modules/web"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Leave statuses.
const (
	LeavePending  = "pending"
	LeaveApproved = "approved"
	LeaveRejected = "rejected"
)

// LeaveStatusNames are the Chinese names of leave statuses.
var LeaveStatusNames = map[string]string{LeavePending: "待审批", LeaveApproved: "已批准", LeaveRejected: "未批准"}

// maxWrongCodes is how many wrong sign-in codes a trainee may enter for
// one session before being asked to wait.
const maxWrongCodes = 10

// signInWindow is when a session takes sign-ins.
func (s *Service) signInWindow(ctx context.Context, x *Session) (time.Time, time.Time) {
	early := time.Duration(s.settings.Int(ctx, SetSignInEarly)) * time.Minute
	return x.StartsAt.Add(-early), x.EndsAt
}

func (s *Service) sessionByID(ctx context.Context, id uint64) (*Session, error) {
	x, err := web.Load[Session](s.db.WithContext(ctx), id)
	if err != nil {
		return nil, err
	}
	return x, nil
}

// Code shows the host a session's sign-in code.
func (s *Service) Code(ctx context.Context, p *web.Principal, sessionID uint64) (CodeResponse, error) {
	x, _, err := s.hostSession(ctx, p, sessionID)
	if err != nil {
		return CodeResponse{}, err
	}
	if x.Code == "" {
		x.Code = web.NewSignInCode()
		if err := s.db.WithContext(ctx).Model(x).Update("code", x.Code).Error; err != nil {
			return CodeResponse{}, web.Internal(err)
		}
	}
	return s.codeResponse(ctx, x), nil
}

// RenewCode gives a session a new sign-in code; the old one stops working.
func (s *Service) RenewCode(ctx context.Context, p *web.Principal, sessionID uint64) (CodeResponse, error) {
	x, _, err := s.hostSession(ctx, p, sessionID)
	if err != nil {
		return CodeResponse{}, err
	}
	x.Code = web.NewSignInCode()
	err = s.audited(ctx, p, func(tx *gorm.DB) error {
		return tx.Model(x).Update("code", x.Code).Error
	}, func() (string, string, uint64, any) {
		return "class.session.code", "session", sessionID, nil
	})
	if err != nil {
		return CodeResponse{}, err
	}
	return s.codeResponse(ctx, x), nil
}

func (s *Service) codeResponse(ctx context.Context, x *Session) CodeResponse {
	from, to := s.signInWindow(ctx, x)
	return CodeResponse{SessionID: x.ID, Code: x.Code, Path: SignInPath(x), OpensAt: from, ClosesAt: to}
}

// SignInPath is the page a session's QR code opens.
func SignInPath(x *Session) string {
	return fmt.Sprintf("/classes/%d/signin?session=%d&code=%s", x.ClassID, x.ID, x.Code)
}

// trainee loads the caller's admitted registration in a class.
func (s *Service) trainee(ctx context.Context, userID, classID uint64) (*Registration, error) {
	var r Registration
	err := s.db.WithContext(ctx).Where("class_id = ? AND user_id = ? AND status = ?", classID, userID, RegApproved).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		e := web.Forbidden()
		e.Message = "您不是本班次已录取的学员"
		return nil, e
	}
	if err != nil {
		return nil, web.Internal(err)
	}
	return &r, nil
}

// SignIn records a trainee at a session with the code the teacher shows,
// only while the session is on. Signing in twice keeps the first time.
func (s *Service) SignIn(ctx context.Context, p *web.Principal, sessionID uint64, code string) (SignInResponse, error) {
	x, err := s.sessionByID(ctx, sessionID)
	if err != nil {
		return SignInResponse{}, err
	}
	if _, err := s.trainee(ctx, p.UserID, x.ClassID); err != nil {
		if web.IsStatus(err, 403) {
			return SignInResponse{}, web.NotFound()
		}
		return SignInResponse{}, err
	}
	c, err := s.classByID(ctx, x.ClassID)
	if err != nil {
		return SignInResponse{}, err
	}
	now := s.now()
	from, to := s.signInWindow(ctx, x)
	if c.Status != StatusInSession {
		msg := "班次尚未开班，开班后才能签到"
		if c.Status == StatusGraduated || c.Status == StatusArchived {
			msg = "班次已结班，不能再签到"
		}
		return SignInResponse{}, web.Unprocessable("signin_closed", msg)
	}
	if now.Before(from) || now.After(to) {
		return SignInResponse{}, web.Unprocessable("signin_closed", fmt.Sprintf("不在签到时间内（%s 至 %s）",
			from.In(web.Shanghai).Format("01-02 15:04"), to.In(web.Shanghai).Format("15:04")))
	}
	var prev Attendance
	if err := s.db.WithContext(ctx).Where("session_id = ? AND user_id = ?", x.ID, p.UserID).Take(&prev).Error; err == nil {
		if err := s.record(ctx, p, "attendance.signin", "session", x.ID, map[string]any{"class": x.ClassID, "again": true}); err != nil {
			return SignInResponse{}, err
		}
		return SignInResponse{SessionID: x.ID, Topic: x.Topic, SignedAt: prev.SignedAt}, nil
	}
	key := s.cache.Key("signin", strconv.FormatUint(x.ID, 10), strconv.FormatUint(p.UserID, 10))
	if s.cache.Struck(ctx, key, maxWrongCodes) {
		return SignInResponse{}, web.NewError(429, "too_many_attempts", "签到码输错次数过多，请 10 分钟后再试或请老师代为签到")
	}
	if !web.SignInCodeMatches(x.Code, code) {
		s.cache.Strike(ctx, key, 10*time.Minute)
		return SignInResponse{}, web.Unprocessable("wrong_code", "签到码不正确")
	}
	a := Attendance{SessionID: x.ID, UserID: p.UserID, ClassID: x.ClassID, Method: "code", SignedAt: now.UTC().Truncate(time.Second)}
	err = s.audited(ctx, p, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&a).Error; err != nil {
			return err
		}
		return tx.Where("session_id = ? AND user_id = ?", x.ID, p.UserID).Take(&a).Error
	}, func() (string, string, uint64, any) {
		return "attendance.signin", "session", x.ID, map[string]any{"class": x.ClassID}
	})
	if err != nil {
		return SignInResponse{}, err
	}
	return SignInResponse{SessionID: x.ID, Topic: x.Topic, SignedAt: a.SignedAt}, nil
}

// MarkAttendance lets the host sign a trainee in or out of a session.
func (s *Service) MarkAttendance(ctx context.Context, p *web.Principal, sessionID uint64, in AttendanceRequest) error {
	if in.UserID == 0 {
		return web.Invalid(map[string]string{"user_id": "必须指定学员"})
	}
	x, c, err := s.hostSession(ctx, p, sessionID)
	if err != nil {
		return err
	}
	return s.markAttendance(ctx, p, x, c, []AttendanceRequest{in}, in)
}

// AttendanceChanges is what the host's attendance form changes in a
// session: the trainees signed in and signed out by hand.
type AttendanceChanges struct {
	Session        *Session
	ClassID        uint64
	Added, Removed int
}

// SaveAttendance takes the host's attendance form of a session: of the
// trainees it showed, those ticked are present and the others are not.
// Only the differences are written, under one audit entry.
func (s *Service) SaveAttendance(ctx context.Context, p *web.Principal, sessionID uint64, shown, present []uint64) (AttendanceChanges, error) {
	x, c, err := s.hostSession(ctx, p, sessionID)
	if err != nil {
		return AttendanceChanges{}, err
	}
	out := AttendanceChanges{Session: x, ClassID: c.ID}
	var signed []uint64
	if err := s.db.WithContext(ctx).Model(&Attendance{}).Where("session_id = ?", x.ID).Pluck("user_id", &signed).Error; err != nil {
		return out, web.Internal(err)
	}
	var marks []AttendanceRequest
	for _, u := range uniq(shown) {
		in := AttendanceRequest{UserID: u, Present: slices.Contains(present, u)}
		if in.Present == slices.Contains(signed, u) {
			continue
		}
		marks = append(marks, in)
		if in.Present {
			out.Added++
		} else {
			out.Removed++
		}
	}
	return out, s.markAttendance(ctx, p, x, c, marks, marks)
}

// markAttendance signs trainees in or out of a session by hand, with one
// audit entry whose detail is given.
func (s *Service) markAttendance(ctx context.Context, p *web.Principal, x *Session, c *Class, marks []AttendanceRequest, detail any) error {
	if c.Status != StatusInSession {
		return web.Conflict("wrong_state", "只有培训中的班次可以登记考勤")
	}
	for _, in := range marks {
		if in.UserID == p.UserID {
			e := web.Forbidden()
			e.Message = "不能为本人登记考勤"
			return e
		}
		if _, err := s.trainee(ctx, in.UserID, x.ClassID); err != nil {
			return err
		}
	}
	return s.audited(ctx, p, func(tx *gorm.DB) error {
		for _, in := range marks {
			if !in.Present {
				if err := tx.Where("session_id = ? AND user_id = ?", x.ID, in.UserID).Delete(&Attendance{}).Error; err != nil {
					return err
				}
				continue
			}
			a := Attendance{SessionID: x.ID, UserID: in.UserID, ClassID: x.ClassID, Method: "host", SignedAt: s.now().UTC().Truncate(time.Second)}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&a).Error; err != nil {
				return err
			}
		}
		return nil
	}, func() (string, string, uint64, any) {
		return "class.attendance", "session", x.ID, detail
	})
}
