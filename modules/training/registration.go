package training

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// Registration statuses.
const (
	RegPending    = "pending"    // holds a seat, waits for the host's approval
	RegApproved   = "approved"   // holds a seat
	RegWaitlisted = "waitlisted" // waits for a seat
	RegRejected   = "rejected"
	RegWithdrawn  = "withdrawn"
	RegReplaced   = "replaced"
	RegGraduated  = "graduated"
	RegIncomplete = "incomplete" // did not meet the graduation rules
	RegAbsent     = "absent"     // removed at graduation as absent
)

// RegStatusNames are the Chinese names of registration statuses.
var RegStatusNames = map[string]string{
	RegPending: "待审核", RegApproved: "已录取", RegWaitlisted: "候补中", RegRejected: "未录取", RegWithdrawn: "已退出",
	RegReplaced: "已替换", RegGraduated: "已结业", RegIncomplete: "未结业", RegAbsent: "缺训",
}

// FlagNames explain registration flags.
var FlagNames = map[string]string{
	"similar": "本年度已参加同类班次",
	"long":    "近年已参加长期班次",
	"leave":   "请假超过规定比例，应予退学",
}

// Sources of registrations.
const (
	SourceNomination = "nomination"
	SourceSelf       = "self"
)

// active statuses hold or wait for a seat.
var activeStatuses = []string{RegPending, RegApproved, RegWaitlisted}

// RegisterRequest registers a cadre: a unit admin names the user; an
// empty body registers the caller.
type RegisterRequest struct {
	UserID uint64 `json:"user_id"`
}

// ReplaceRequest names the replacement of a nominee.
type ReplaceRequest struct {
	UserID uint64 `json:"user_id"`
}

// RegistrationResponse is a registration as shown to hosts, units and the cadre.
type RegistrationResponse struct {
	ID         uint64    `json:"id"`
	ClassID    uint64    `json:"class_id"`
	ClassTitle string    `json:"class_title,omitempty"`
	UserID     uint64    `json:"user_id"`
	Name       string    `json:"name"`
	Username   string    `json:"username,omitempty"`
	OrgID      uint64    `json:"org_id"`
	OrgName    string    `json:"org_name"`
	Level      string    `json:"level,omitempty"`
	Post       string    `json:"post,omitempty"`
	Status     string    `json:"status"`
	StatusName string    `json:"status_name"`
	Source     string    `json:"source"`
	Flags      []string  `json:"flags"`
	Note       string    `json:"note,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// errClosed is the 422 of a registration outside the window.
func errClosed(msg string) error { return web.Unprocessable("registration_closed", msg) }

// quotaOrg picks the unit quota that covers a cadre: the deepest quota
// org on the cadre's org path. ok is false when the class has unit quotas
// and none covers the cadre.
func quotaOrg(quotas []Quota, orgPath string) (orgID uint64, ok bool) {
	if len(quotas) == 0 {
		return 0, true
	}
	chain := pathIDs(orgPath)
	for i := len(chain) - 1; i >= 0; i-- {
		for _, q := range quotas {
			if q.OrgID == chain[i] {
				return q.OrgID, true
			}
		}
	}
	return 0, false
}

// pathIDs reads the ids of a materialized path "/1/4/9/".
func pathIDs(path string) []uint64 {
	var out []uint64
	for _, x := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.ParseUint(x, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// heldClass is a class the cadre holds or held a seat in.
type heldClass struct {
	ClassID  uint64
	Kind     string
	StartsOn string
	EndsOn   string
	Status   string
}

func (s *Service) cadreClasses(ctx context.Context, userID uint64, statuses []string) ([]heldClass, error) {
	var rows []heldClass
	err := s.db.WithContext(ctx).Table("registrations r").
		Select("r.class_id, c.kind, c.starts_on, c.ends_on, r.status").
		Joins("JOIN training_classes c ON c.id = r.class_id").
		Where("r.user_id = ? AND r.status IN ?", userID, statuses).Find(&rows).Error
	if err != nil {
		return nil, web.Internal(err)
	}
	return rows, nil
}

func days(startsOn, endsOn string) int {
	c := Class{StartsOn: startsOn, EndsOn: endsOn}
	return c.Days()
}

// checkCadre applies eligibility, overlap and the discipline rules; it
// returns the flags to put on the registration.
func (s *Service) checkCadre(ctx context.Context, c *Class, u *Person) (string, error) {
	if u.SystemAdmin {
		return "", web.Unprocessable("not_eligible", "系统管理员、安全管理员和审计管理员账号不能参加培训")
	}
	if !c.forAudience(u.Level, pathIDs(u.OrgPath)) {
		why := "该学员不在本班次的培训对象范围内"
		if c.Levels != "" && !hasFlag(c.Levels, u.Level) {
			why = "本班次面向" + strings.Join(splitList(c.Levels), "、") + "干部，该学员职级不符"
		}
		return "", web.Unprocessable("not_eligible", why)
	}
	held, err := s.cadreClasses(ctx, u.ID, []string{RegPending, RegApproved, RegGraduated})
	if err != nil {
		return "", err
	}
	flags := ""
	year := c.StartsOn[:4]
	longDays := s.settings.Int(ctx, SetLongClassDays)
	longYears := s.settings.Int(ctx, SetLongClassYears)
	startYear, _ := strconv.Atoi(year)
	for _, h := range held {
		if h.ClassID == c.ID {
			continue
		}
		if h.Status != RegGraduated && h.StartsOn <= c.EndsOn && h.EndsOn >= c.StartsOn {
			return "", web.Unprocessable("schedule_conflict", fmt.Sprintf("该学员已报名同期班次（%s 至 %s），时间冲突", h.StartsOn, h.EndsOn))
		}
		if h.Kind == c.Kind && strings.HasPrefix(h.StartsOn, year) {
			if s.settings.Bool(ctx, SetSimilarRefuse) {
				return "", web.Unprocessable("not_eligible", "该学员本年度已参加同类班次（"+c.Kind+"），不再重复调训")
			}
			if s.settings.Bool(ctx, SetSimilarFlag) {
				flags = addFlag(flags, "similar")
			}
		}
		hy, _ := strconv.Atoi(h.StartsOn[:4])
		if c.Days() >= longDays && days(h.StartsOn, h.EndsOn) >= longDays && startYear-hy < longYears {
			flags = addFlag(flags, "long")
		}
	}
	return flags, nil
}

// lockCadre serializes the registrations of one cadre, so that two classes
// cannot both pass the overlap check at the same instant.
func (s *Service) lockCadre(tx *gorm.DB, userID uint64) error {
	return s.people.LockPerson(tx, userID)
}

// overlapIn checks, inside the registration's transaction, that the
// cadre holds no seat in a class overlapping c.
func overlapIn(tx *gorm.DB, c *Class, userID uint64) error {
	var h heldClass
	err := tx.Table("registrations r").Select("r.class_id, c.starts_on, c.ends_on").
		Joins("JOIN training_classes c ON c.id = r.class_id").
		Where("r.user_id = ? AND r.class_id <> ? AND r.status IN ? AND c.starts_on <= ? AND c.ends_on >= ?", userID, c.ID, []string{RegPending, RegApproved}, c.EndsOn, c.StartsOn).
		Limit(1).Find(&h).Error
	if err != nil {
		return err
	}
	if h.ClassID != 0 {
		return web.Unprocessable("schedule_conflict", fmt.Sprintf("该学员已报名同期班次（%s 至 %s），时间冲突", h.StartsOn, h.EndsOn))
	}
	return nil
}

// takeSeat claims a seat of the class and of the unit quota, inside tx.
// It reports false when either is full; nothing is claimed then.
func takeSeat(tx *gorm.DB, classID, quotaOrgID uint64, needOpen bool) (bool, error) {
	q := tx.Model(&Class{}).Where("id = ? AND enrolled < quota", classID)
	if needOpen {
		q = q.Where("status = ?", StatusOpen)
	}
	res := q.Update("enrolled", gorm.Expr("enrolled + 1"))
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	if quotaOrgID == 0 {
		return true, nil
	}
	res = tx.Model(&Quota{}).Where("class_id = ? AND org_id = ? AND used < quota", classID, quotaOrgID).Update("used", gorm.Expr("used + 1"))
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	// The unit is full: give the class seat back.
	return false, tx.Model(&Class{}).Where("id = ?", classID).Update("enrolled", gorm.Expr("enrolled - 1")).Error
}

// releaseSeat gives back a registration's seat, inside tx.
func releaseSeat(tx *gorm.DB, r *Registration) error {
	if err := tx.Model(&Class{}).Where("id = ? AND enrolled > 0", r.ClassID).Update("enrolled", gorm.Expr("enrolled - 1")).Error; err != nil {
		return err
	}
	if r.QuotaOrgID == 0 {
		return nil
	}
	return tx.Model(&Quota{}).Where("class_id = ? AND org_id = ? AND used > 0", r.ClassID, r.QuotaOrgID).Update("used", gorm.Expr("used - 1")).Error
}

// Register nominates a cadre (a unit admin naming userID) or registers
// the caller (userID 0). The seat, the unit quota, the registration and
// its audit entry are claimed in one transaction, so quotas hold under any
// concurrency.
func (s *Service) Register(ctx context.Context, p *web.Principal, classID, userID uint64) (*Registration, error) {
	return s.register(ctx, p, classID, userID, true)
}

// Nomination is the outcome of nominating one cadre: the registration, or
// why there is none.
type Nomination struct {
	UserID       uint64
	Registration *Registration
	Err          error
}

// Nominate registers the cadres a unit admin picked, each on their own (a
// refusal of one does not stop the others), and records them in one audit
// entry. A server error stops it; that error is the last outcome.
func (s *Service) Nominate(ctx context.Context, p *web.Principal, classID uint64, userIDs []uint64) ([]Nomination, error) {
	out := make([]Nomination, 0, len(userIDs))
	var done []map[string]any
	for _, uid := range userIDs {
		r, err := s.register(ctx, p, classID, uid, false)
		out = append(out, Nomination{UserID: uid, Registration: r, Err: err})
		if err != nil {
			if web.AsError(err).Status >= 500 {
				break
			}
			continue
		}
		done = append(done, map[string]any{"registration": r.ID, "user": r.UserID, "status": r.Status})
	}
	if len(done) == 0 {
		return out, nil
	}
	return out, s.record(ctx, p, "registration.nominate", "class", classID, map[string]any{"class": classID, "nominated": done})
}

// register is Register; the audit entry is left to the caller when entry
// is false.
func (s *Service) register(ctx context.Context, p *web.Principal, classID, userID uint64, entry bool) (*Registration, error) {
	self := userID == 0 || userID == p.UserID
	if self {
		if err := web.MayStudy(p); err != nil {
			return nil, err
		}
		userID = p.UserID
	}
	c, err := s.GetClass(ctx, p, classID)
	if err != nil {
		return nil, err
	}
	var u *Person
	if self {
		if !c.SelfRegister {
			return nil, web.Unprocessable("not_eligible", "本班次不接受个人报名，请由所在单位推荐")
		}
	} else if !p.HasAny(web.RoleUnitAdmin, web.RoleOrgAdmin) {
		return nil, web.Forbidden()
	}
	if u, err = s.people.Person(ctx, userID); err != nil {
		return nil, web.Internal(err)
	}
	if u == nil || (!self && !p.InScope(u.OrgPath)) {
		e := web.NotFound()
		e.Message = "学员不存在或不在您的管理范围内"
		return nil, e
	}
	now := s.now()
	switch {
	case s.effectiveStatus(c) != StatusOpen:
		return nil, errClosed("本班次当前不在报名期（" + StatusNames[s.effectiveStatus(c)] + "）")
	case now.Before(c.RegOpensAt):
		return nil, errClosed("报名尚未开始，开始时间：" + c.RegOpensAt.In(web.Shanghai).Format("2006-01-02 15:04"))
	}
	flags, err := s.checkCadre(ctx, c, u)
	if err != nil {
		return nil, err
	}
	var quotas []Quota
	if err := s.db.WithContext(ctx).Where("class_id = ?", classID).Find(&quotas).Error; err != nil {
		return nil, web.Internal(err)
	}
	qorg, ok := quotaOrg(quotas, u.OrgPath)
	if !ok {
		return nil, web.Conflict("quota_full", "该学员所在单位没有分配本班次名额")
	}
	source, nominator := SourceSelf, uint64(0)
	if !self {
		source, nominator = SourceNomination, p.UserID
	}
	r := &Registration{ClassID: classID, UserID: userID, OrgID: u.OrgID, QuotaOrgID: qorg, Source: source, NominatedBy: nominator, Flags: flags}
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if err := s.lockCadre(tx, userID); err != nil {
			return err
		}
		if err := overlapIn(tx, c, userID); err != nil {
			return err
		}
		var prev Registration
		err := tx.Where("class_id = ? AND user_id = ?", classID, userID).Take(&prev).Error
		if err == nil && slices.Contains(activeStatuses, prev.Status) {
			return errAlreadyRegistered(prev.Status)
		}
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		seat, err := takeSeat(tx, classID, qorg, true)
		if err != nil {
			return err
		}
		switch {
		case seat && c.AutoApprove:
			r.Status = RegApproved
		case seat:
			r.Status = RegPending
		case c.Waitlist:
			r.Status = RegWaitlisted
		default:
			return web.Conflict("quota_full", "名额已满")
		}
		r.Seat = seat
		stamp := s.now().UTC()
		r.CreatedAt, r.UpdatedAt = stamp, stamp
		if prev.ID != 0 {
			// A cadre who withdrew or was refused registers again: the
			// row is reused, and only if it is still inactive.
			if err := reuseRow(tx, &prev, r, stamp); err != nil {
				return err
			}
		} else if err := tx.Create(r).Error; err != nil {
			if db.IsDuplicate(err) {
				return errAlreadyRegistered("")
			}
			return err
		}
		if !entry {
			return nil
		}
		action := "registration.create"
		if !self {
			action = "registration.nominate"
		}
		return s.recordTx(tx, p, action, "registration", r.ID, map[string]any{"class": classID, "user": r.UserID, "status": r.Status})
	})
	if err != nil {
		return nil, txError(err)
	}
	s.tellRegistration(ctx, c, r, u)
	return r, nil
}

// reuseRow registers a cadre again on their earlier registration row (one
// who withdrew or was refused), and only while it is still inactive; r
// gets the row's id.
func reuseRow(tx *gorm.DB, prev, r *Registration, stamp time.Time) error {
	r.ID = prev.ID
	res := tx.Model(&Registration{}).Where("id = ? AND status = ?", prev.ID, prev.Status).
		Updates(map[string]any{"org_id": r.OrgID, "quota_org_id": r.QuotaOrgID, "seat": r.Seat, "status": r.Status, "source": r.Source,
			"nominated_by": r.NominatedBy, "flags": r.Flags, "note": "", "decided_by": 0, "decided_at": nil, "created_at": stamp, "updated_at": stamp})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return errAlreadyRegistered("")
	}
	return nil
}

func errAlreadyRegistered(status string) error {
	msg := "该学员已报名本班次"
	if status != "" {
		msg += "（" + RegStatusNames[status] + "）"
	}
	return web.Conflict("already_registered", msg)
}

// tellRegistration notifies the cadre and the unit of a new registration.
func (s *Service) tellRegistration(ctx context.Context, c *Class, r *Registration, u *Person) {
	var body string
	switch r.Status {
	case RegApproved:
		body = "已录取，请按时参加培训。"
	case RegPending:
		body = "报名已提交，等待主办学院审核。"
	case RegWaitlisted:
		body = "名额已满，已进入候补名单；有名额空出时将按顺序自动递补。"
	}
	who := "您"
	if r.Source == SourceNomination {
		who = "您已被单位推荐参加"
	} else {
		who = "您已报名"
	}
	s.notify(ctx, []uint64{u.ID}, Message{Title: who + "“" + c.Title + "”", Body: body, Link: fmt.Sprintf("/classes/%d", c.ID)})
	s.notify(ctx, s.unitAdmins(ctx, r), Message{Title: "调训报名：" + u.Name + " · " + c.Title, Body: RegStatusNames[r.Status] + "。" + body, Link: fmt.Sprintf("/unit/classes/%d", c.ID)})
}

// unitAdmins are the unit administrators to tell about a registration:
// its nominator and the administrators of the cadre's unit.
func (s *Service) unitAdmins(ctx context.Context, r *Registration) []uint64 {
	ids, err := s.people.UsersWithRole(ctx, web.RoleUnitAdmin, []uint64{r.OrgID})
	if err != nil {
		s.log.Warn("training: unit admins", "err", err)
	}
	if r.NominatedBy != 0 && !slices.Contains(ids, r.NominatedBy) {
		ids = append(ids, r.NominatedBy)
	}
	return ids
}

func (s *Service) registrationByID(ctx context.Context, id uint64) (*Registration, error) {
	var r Registration
	err := s.db.WithContext(ctx).First(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, web.NotFound()
	}
	if err != nil {
		return nil, web.Internal(err)
	}
	return &r, nil
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
	if c.Status == StatusGraduated || c.Status == StatusArchived {
		return nil, wrongState(c.Status, c.Status)
	}
	now := s.now().UTC()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Registration{}).Where("id = ? AND status = ?", id, RegPending).
			Updates(map[string]any{"status": RegApproved, "decided_by": p.UserID, "decided_at": now, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return web.Conflict("wrong_state", "报名状态已改变，请刷新后重试")
		}
		return s.recordTx(tx, p, "registration.approve", "registration", id, detail)
	})
	if err != nil {
		return nil, txError(err)
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

// RegistrationFilter selects the registrations of a class.
type RegistrationFilter struct {
	Status string
	Q      string
}

// ClassRegistrations lists a class's registrations: all of them for its
// host and the org department, the cadres of their own units for a unit admin.
func (s *Service) ClassRegistrations(ctx context.Context, p *web.Principal, classID uint64, f RegistrationFilter, pg web.Page) ([]RegistrationResponse, int64, error) {
	c, err := s.GetClass(ctx, p, classID)
	if err != nil {
		return nil, 0, err
	}
	q := s.db.WithContext(ctx).Model(&Registration{}).Where("class_id = ?", c.ID)
	if !s.isManager(ctx, p, c) {
		// Units (and an org department not over the host) see their own cadres only.
		if !p.HasAny(web.RoleUnitAdmin, web.RoleOrgAdmin) {
			return nil, 0, web.Forbidden()
		}
		q = q.Scopes(web.OrgScope(p, "org_id"))
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Q != "" {
		q = q.Where("user_id IN (?)", s.people.IDsLike(f.Q))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	var rows []Registration
	if err := q.Order("created_at, id").Offset(pg.Offset()).Limit(pg.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	out, err := s.responses(ctx, rows, nil)
	return out, total, err
}

// responses names the cadres of registrations.
func (s *Service) responses(ctx context.Context, rows []Registration, titles map[uint64]string) ([]RegistrationResponse, error) {
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.UserID
	}
	people, err := s.people.People(ctx, ids)
	if err != nil {
		return nil, web.Internal(err)
	}
	out := make([]RegistrationResponse, len(rows))
	for i, r := range rows {
		u := people[r.UserID]
		out[i] = RegistrationResponse{ID: r.ID, ClassID: r.ClassID, ClassTitle: titles[r.ClassID], UserID: r.UserID, Name: u.Name, Username: u.Username,
			OrgID: r.OrgID, OrgName: u.OrgName, Level: u.Level, Post: u.Post, Status: r.Status, StatusName: RegStatusNames[r.Status],
			Source: r.Source, Flags: splitList(r.Flags), Note: r.Note, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// MyRegistration is a class the caller registered for.
type MyRegistration struct {
	RegistrationResponse
	Class ClassSummary `json:"class"`
}

// ClassSummary is a class in a list.
type ClassSummary struct {
	ID               uint64    `json:"id"`
	Title            string    `json:"title"`
	Kind             string    `json:"kind"`
	HostName         string    `json:"host_name"`
	StartsOn         string    `json:"starts_on"`
	EndsOn           string    `json:"ends_on"`
	Place            string    `json:"place"`
	Online           bool      `json:"online"`
	Quota            int       `json:"quota"`
	Enrolled         int       `json:"enrolled"`
	Hours            web.Hours `json:"hours"`
	SelfRegistration bool      `json:"self_registration"`
	Status           string    `json:"status"`
	StatusName       string    `json:"status_name"`
	ClosesAt         time.Time `json:"registration_closes_at"`
}

// Summary is a class in a list.
func (s *Service) Summary(ctx context.Context, c *Class) ClassSummary {
	st := s.effectiveStatus(c)
	return ClassSummary{ID: c.ID, Title: c.Title, Kind: c.Kind, HostName: s.people.OrgName(ctx, c.HostOrgID), StartsOn: c.StartsOn, EndsOn: c.EndsOn,
		Place: c.Place, Online: c.Online, Quota: c.Quota, Enrolled: c.Enrolled, Hours: s.classHours(ctx, c), SelfRegistration: c.SelfRegister,
		Status: st, StatusName: StatusNames[st], ClosesAt: c.RegClosesAt}
}

// MyRegistrations lists the caller's classes, newest first.
func (s *Service) MyRegistrations(ctx context.Context, p *web.Principal) ([]MyRegistration, error) {
	var rows []Registration
	if err := s.db.WithContext(ctx).Where("user_id = ? AND status <> ?", p.UserID, RegReplaced).Order("created_at DESC, id DESC").Limit(200).Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.ClassID
	}
	var classes []Class
	if len(ids) > 0 {
		if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&classes).Error; err != nil {
			return nil, web.Internal(err)
		}
	}
	byID := map[uint64]*Class{}
	for i := range classes {
		byID[classes[i].ID] = &classes[i]
	}
	resp, err := s.responses(ctx, rows, nil)
	if err != nil {
		return nil, err
	}
	out := make([]MyRegistration, 0, len(rows))
	for i := range rows {
		c := byID[rows[i].ClassID]
		if c == nil {
			continue
		}
		resp[i].ClassTitle = c.Title
		out = append(out, MyRegistration{RegistrationResponse: resp[i], Class: s.Summary(ctx, c)})
	}
	return out, nil
}

// MyRegistrationIn returns the caller's registration in a class, nil when none.
func (s *Service) MyRegistrationIn(ctx context.Context, p *web.Principal, classID uint64) (*Registration, error) {
	var r Registration
	err := s.db.WithContext(ctx).Where("class_id = ? AND user_id = ?", classID, p.UserID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, web.Internal(err)
	}
	return &r, nil
}

// UnitUse is a unit's use of its quota in a class.
type UnitUse struct {
	Quota      int `json:"quota"` // 0: the class has no quota for the unit (only the overall quota)
	Used       int `json:"used"`
	Waitlisted int `json:"waitlisted"`
	Nominated  int `json:"nominated"`
}

// UnitUseOf tells a unit admin how much of the class their unit has used.
func (s *Service) UnitUseOf(ctx context.Context, p *web.Principal, classID uint64) (UnitUse, error) {
	var u UnitUse
	var quotas []Quota
	if err := s.db.WithContext(ctx).Where("class_id = ?", classID).Find(&quotas).Error; err != nil {
		return u, web.Internal(err)
	}
	for _, q := range quotas {
		path := s.orgPath(ctx, q.OrgID)
		if path != "" && (p.InScope(path) || strings.HasPrefix(p.OrgPath, path)) {
			u.Quota += q.Quota
			u.Used += q.Used
		}
	}
	type row struct {
		Status string
		N      int
	}
	var rows []row
	err := s.db.WithContext(ctx).Model(&Registration{}).Select("status, COUNT(*) AS n").Where("class_id = ?", classID).
		Scopes(web.OrgScope(p, "org_id")).Group("status").Scan(&rows).Error
	if err != nil {
		return u, web.Internal(err)
	}
	for _, r := range rows {
		switch r.Status {
		case RegWaitlisted:
			u.Waitlisted += r.N
			u.Nominated += r.N
		case RegPending, RegApproved, RegGraduated, RegIncomplete, RegAbsent:
			u.Nominated += r.N
		}
	}
	return u, nil
}
