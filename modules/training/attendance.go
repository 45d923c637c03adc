package training

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"college/modules/web"
	"college/storage/db"

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

// newCode makes a six-digit sign-in code.
func newCode() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%06d", binary.BigEndian.Uint64(b[:])%1000000)
}

// SignInRequest is a trainee's sign-in with the session code.
type SignInRequest struct {
	Code string `json:"code"`
}

// SignInResponse answers a sign-in.
type SignInResponse struct {
	SessionID uint64    `json:"session_id"`
	Topic     string    `json:"topic"`
	SignedAt  time.Time `json:"signed_at"`
}

// CodeResponse is a session's sign-in code for the teacher's screen.
type CodeResponse struct {
	SessionID uint64    `json:"session_id"`
	Code      string    `json:"code"`
	Path      string    `json:"path"` // the sign-in page the QR code opens
	OpensAt   time.Time `json:"opens_at"`
	ClosesAt  time.Time `json:"closes_at"`
}

// AttendanceRequest marks a trainee present or absent (the host).
type AttendanceRequest struct {
	UserID  uint64 `json:"user_id"`
	Present bool   `json:"present"`
}

// LeaveRequest asks leave for sessions of a class, or for hours.
type LeaveRequest struct {
	SessionIDs []uint64  `json:"session_ids"`
	Hours      web.Hours `json:"hours"`
	Reason     string    `json:"reason"`
}

// LeaveResponse is a leave request.
type LeaveResponse struct {
	ID         uint64    `json:"id"`
	ClassID    uint64    `json:"class_id"`
	UserID     uint64    `json:"user_id"`
	Name       string    `json:"name,omitempty"`
	SessionIDs []uint64  `json:"session_ids"`
	Hours      web.Hours `json:"hours"`
	Reason     string    `json:"reason"`
	Status     string    `json:"status"`
	StatusName string    `json:"status_name"`
	CreatedAt  time.Time `json:"created_at"`
	// TotalHours is the trainee's approved leave in the class, and Limit
	// the most the class allows (1/7 of its hours by default).
	TotalHours web.Hours `json:"total_hours"`
	Limit      web.Hours `json:"limit"`
	OverLimit  bool      `json:"over_limit"`
}

// signInWindow is when a session takes sign-ins.
func (s *Service) signInWindow(ctx context.Context, x *Session) (time.Time, time.Time) {
	early := time.Duration(s.settings.Int(ctx, SetSignInEarly)) * time.Minute
	return x.StartsAt.Add(-early), x.EndsAt
}

func (s *Service) sessionByID(ctx context.Context, id uint64) (*Session, error) {
	var x Session
	err := s.db.WithContext(ctx).First(&x, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, web.NotFound()
	}
	if err != nil {
		return nil, web.Internal(err)
	}
	return &x, nil
}

// Code shows the host a session's sign-in code.
func (s *Service) Code(ctx context.Context, p *web.Principal, sessionID uint64) (CodeResponse, error) {
	x, _, err := s.hostSession(ctx, p, sessionID)
	if err != nil {
		return CodeResponse{}, err
	}
	if x.Code == "" {
		x.Code = newCode()
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
	x.Code = newCode()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(x).Update("code", x.Code).Error; err != nil {
			return err
		}
		return s.recordTx(tx, p, "class.session.code", "session", sessionID, nil)
	})
	if err != nil {
		return CodeResponse{}, txError(err)
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
	if n, _ := s.cache.Get(ctx, key).Int(); n >= maxWrongCodes {
		return SignInResponse{}, web.NewError(429, "too_many_attempts", "签到码输错次数过多，请 10 分钟后再试或请老师代为签到")
	}
	code = strings.TrimSpace(code)
	if x.Code == "" || subtle.ConstantTimeCompare([]byte(code), []byte(x.Code)) != 1 {
		pipe := s.cache.TxPipeline()
		pipe.Incr(ctx, key)
		pipe.Expire(ctx, key, 10*time.Minute)
		_, _ = pipe.Exec(ctx)
		return SignInResponse{}, web.Unprocessable("wrong_code", "签到码不正确")
	}
	a := Attendance{SessionID: x.ID, UserID: p.UserID, ClassID: x.ClassID, Method: "code", SignedAt: now.UTC().Truncate(time.Second)}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&a).Error; err != nil {
			return err
		}
		if err := tx.Where("session_id = ? AND user_id = ?", x.ID, p.UserID).Take(&a).Error; err != nil {
			return err
		}
		return s.recordTx(tx, p, "attendance.signin", "session", x.ID, map[string]any{"class": x.ClassID})
	})
	if err != nil {
		return SignInResponse{}, txError(err)
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
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
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
		return s.recordTx(tx, p, "class.attendance", "session", x.ID, detail)
	})
	return txError(err)
}

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
	l := &Leave{ClassID: classID, UserID: r.UserID, Sessions: idsColumn(ids), Hours: hours, Reason: in.Reason, Status: LeavePending, CreatedAt: s.now().UTC()}
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
	var l Leave
	err := s.db.WithContext(ctx).First(&l, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, web.NotFound()
	}
	if err != nil {
		return nil, nil, web.Internal(err)
	}
	c, err := s.hostClass(ctx, p, l.ClassID)
	if err != nil {
		return nil, nil, err
	}
	return &l, c, nil
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
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
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
			if err := tx.Model(&r).Update("flags", addFlag(r.Flags, "leave")).Error; err != nil {
				return err
			}
		}
		return s.recordTx(tx, p, "leave."+map[bool]string{true: "approve", false: "reject"}[approve], "leave", id,
			map[string]any{"class": l.ClassID, "user": l.UserID, "hours": l.Hours, "over_limit": total > limit})
	})
	if err != nil {
		return LeaveResponse{}, txError(err)
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
	return LeaveResponse{ID: l.ID, ClassID: l.ClassID, UserID: l.UserID, Name: name, SessionIDs: splitIDs(l.Sessions), Hours: l.Hours,
		Reason: l.Reason, Status: l.Status, StatusName: LeaveStatusNames[l.Status], CreatedAt: l.CreatedAt, TotalHours: total, Limit: limit, OverLimit: total > limit}
}

// Leaves lists a class's leave requests for its host, or the caller's own.
func (s *Service) Leaves(ctx context.Context, p *web.Principal, classID uint64) ([]LeaveResponse, error) {
	c, err := s.GetClass(ctx, p, classID)
	if err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Where("class_id = ?", classID)
	if !s.isManager(ctx, p, c) {
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

// RosterRow is a trainee's line in the class roster.
type RosterRow struct {
	RegistrationResponse
	Signed      int       `json:"signed"`
	Sessions    int       `json:"sessions"`
	Attendance  int       `json:"attendance"` // percent of sessions signed in
	LeaveHours  web.Hours `json:"leave_hours"`
	CoursesDone int       `json:"courses_done"`
	CoursesReq  int       `json:"courses_required"`
	ExamPassed  *bool     `json:"exam_passed,omitempty"`
}

// Roster lists the admitted trainees (and graduates) with their
// attendance, leave and online course progress, for the host.
func (s *Service) Roster(ctx context.Context, p *web.Principal, classID uint64) (*Class, []RosterRow, []Session, map[uint64]map[uint64]time.Time, error) {
	c, err := s.managedClass(ctx, p, classID)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	var regs []Registration
	if err := s.db.WithContext(ctx).Where("class_id = ? AND status IN ?", classID, []string{RegApproved, RegGraduated, RegIncomplete, RegAbsent}).
		Order("org_id, id").Find(&regs).Error; err != nil {
		return nil, nil, nil, nil, web.Internal(err)
	}
	resp, err := s.responses(ctx, regs, nil)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	sessions, err := s.Sessions(ctx, classID)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	var att []Attendance
	if err := s.db.WithContext(ctx).Where("class_id = ?", classID).Find(&att).Error; err != nil {
		return nil, nil, nil, nil, web.Internal(err)
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
		return nil, nil, nil, nil, web.Internal(err)
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
		return nil, nil, nil, nil, err
	}
	var passed map[uint64]bool
	if c.ExamID != 0 && s.progress != nil {
		if passed, err = s.progress.PassedExam(ctx, c.ExamID, userIDs); err != nil {
			return nil, nil, nil, nil, web.Internal(err)
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
	return c, rows, sessions, signed, nil
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
