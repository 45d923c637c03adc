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
			why = "本班次面向" + strings.Join(db.SplitList(c.Levels), "、") + "干部，该学员职级不符"
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
