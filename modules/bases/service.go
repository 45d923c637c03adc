// Package bases keeps the city's training bases (培训基地): admission
// (准入) on application, filing (备案), yearly re-checks (复核), suspension
// and withdrawal. Training classes may be hosted only at a filed base.
package bases

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"college/modules/web"
	"college/storage/objects"

	"gorm.io/gorm"
)

// Orgs is what the module needs of the org tree; app/college wires it to
// identity.
type Orgs interface {
	// OrgPath is the path of an org; ok false when there is none.
	OrgPath(ctx context.Context, id uint64) (path string, ok bool, err error)
	OrgName(ctx context.Context, id uint64) string
}

// Deps are what the service needs.
type Deps struct {
	DB      *gorm.DB
	Objects objects.Store
	Orgs    Orgs
	Audit   web.Auditor
	Log     *slog.Logger
}

// Service holds the rules of training bases.
type Service struct {
	db      *gorm.DB
	objects objects.Store
	orgs    Orgs
	audit   web.Auditor
	log     *slog.Logger
	now     func() time.Time
}

// NewService builds the service.
func NewService(d Deps) *Service {
	return &Service{db: d.DB, objects: d.Objects, orgs: d.Orgs, audit: d.Audit, log: d.Log, now: time.Now}
}

// Roles of the module: who applies for a base, and who decides.
var (
	Appliers  = []string{web.RoleOrgAdmin, web.RoleCollegeAdmin, web.RoleUnitAdmin}
	Reviewers = []string{web.RoleOrgAdmin}
)

// Transitions a base may make: the states it may leave, the state it
// reaches, and whether a reason is required.
type move struct {
	from   []string
	to     string
	reason bool
	done   string // the page's message once made
}

// Names of the transitions (also the audit actions "base."+name).
const (
	ActApprove   = "approve"
	ActReject    = "reject"
	ActFile      = "file"
	ActSuspend   = "suspend"
	ActReinstate = "reinstate"
	ActWithdraw  = "withdraw"
)

var moves = map[string]move{
	ActApprove:   {from: []string{StatusApplied}, to: StatusApproved, done: "准入申请已通过"},
	ActReject:    {from: []string{StatusApplied}, to: StatusRejected, reason: true, done: "准入申请未通过，原因已记录"},
	ActFile:      {from: []string{StatusApproved}, to: StatusFiled, done: "基地已备案"},
	ActSuspend:   {from: []string{StatusFiled}, to: StatusSuspended, reason: true, done: "基地已暂停"},
	ActReinstate: {from: []string{StatusSuspended}, to: StatusFiled, done: "基地已恢复备案"},
	ActWithdraw:  {from: []string{StatusApproved, StatusFiled, StatusSuspended}, to: StatusWithdrawn, reason: true, done: "基地已撤销"},
}

var moveOrder = []string{ActApprove, ActReject, ActFile, ActSuspend, ActReinstate, ActWithdraw}

// canApply and canReview say who may do what.
func canApply(p *web.Principal) bool  { return p.HasAny(Appliers...) }
func canReview(p *web.Principal) bool { return p.HasAny(Reviewers...) }

// Actions are the transitions p may make on b now ("check" included).
func Actions(p *web.Principal, b *Base) []string {
	if !canReview(p) {
		return []string{}
	}
	out := []string{}
	for _, a := range moveOrder {
		if slices.Contains(moves[a].from, b.Status) {
			out = append(out, a)
		}
	}
	if b.Status == StatusFiled || b.Status == StatusSuspended {
		out = append(out, "check")
	}
	return out
}

func wrongState(b *Base, action string) error {
	return web.Conflict("wrong_state", fmt.Sprintf("基地当前为“%s”，不能%s", StatusNames[b.Status], actionVerbs[action]))
}

var actionVerbs = map[string]string{ActApprove: "准入", ActReject: "退回申请", ActFile: "备案", ActSuspend: "暂停",
	ActReinstate: "恢复备案", ActWithdraw: "撤销", "check": "复核", "upload": "上传材料"}

// scoped is the query over the bases p may see.
func (s *Service) scoped(ctx context.Context, p *web.Principal) *gorm.DB {
	return s.db.WithContext(ctx).Model(&Base{}).Scopes(web.OrgScope(p, "org_id"))
}

// Managed loads a base in p's subtree (404 outside it).
func (s *Service) Managed(ctx context.Context, p *web.Principal, id uint64) (*Base, error) {
	if !canApply(p) {
		return nil, web.Forbidden()
	}
	return web.Load[Base](s.scoped(ctx, p), id)
}

// Apply stores an application for admission (准入申请) of a base in the
// caller's subtree.
func (s *Service) Apply(ctx context.Context, p *web.Principal, in BaseRequest) (*Base, error) {
	if !canApply(p) {
		return nil, web.Forbidden()
	}
	if in.OrgID == 0 {
		in.OrgID = p.OrgID
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	path, ok, err := s.orgs.OrgPath(ctx, in.OrgID)
	if err != nil {
		return nil, web.Internal(err)
	}
	if !ok || !p.InScope(path) {
		return nil, web.Invalid(map[string]string{"org_id": "管理单位不存在或不在您的管理范围内"})
	}
	now := s.now().UTC()
	b := &Base{Name: in.Name, Kind: in.Kind, OrgID: in.OrgID, Address: in.Address, Capacity: in.Capacity, Contact: in.Contact,
		OfficePhone: in.OfficePhone, Intro: in.Intro, Status: StatusApplied, AppliedBy: p.UserID, CreatedAt: now, UpdatedAt: now}
	err = web.ChangeAudited(ctx, s.db, s.audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Create(b).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "base.apply", "base", b.ID, map[string]any{"name": b.Name, "kind": b.Kind, "org_id": b.OrgID}), nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Transition makes one step of a base's life cycle (the org department),
// atomically: a base changed meanwhile makes it a 409.
func (s *Service) Transition(ctx context.Context, p *web.Principal, id uint64, action, reason string) (*Base, error) {
	m, ok := moves[action]
	if !ok {
		return nil, web.NotFound()
	}
	if !canReview(p) {
		return nil, web.Forbidden()
	}
	b, err := web.Load[Base](s.scoped(ctx, p), id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(m.from, b.Status) {
		return nil, wrongState(b, action)
	}
	set := map[string]any{"status": m.to, "updated_at": s.now().UTC()}
	detail := map[string]any{"status": m.to}
	if m.reason {
		if reason, err = validReason(reason); err != nil {
			return nil, err
		}
		set["reason"], detail["reason"] = reason, reason
	} else if m.to == StatusApproved || m.to == StatusFiled {
		set["reason"] = ""
	}
	if action == ActFile {
		now := s.now().UTC()
		set["filed_at"] = &now
	}
	err = web.ChangeAudited(ctx, s.db, s.audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		res := tx.Model(&Base{}).Where("id = ? AND status = ?", id, b.Status).Updates(set)
		if res.Error != nil {
			return web.AuditEntry{}, res.Error
		}
		if res.RowsAffected == 0 {
			return web.AuditEntry{}, web.Conflict("wrong_state", "基地状态已改变，请刷新后重试")
		}
		return web.AuditBy(p, "base."+action, "base", id, detail), nil
	})
	if err != nil {
		return nil, err
	}
	return web.Load[Base](s.db.WithContext(ctx), id)
}

// Done is the message shown once action is made.
func Done(action string) string { return moves[action].done }

// AddCheck records the yearly re-check (复核) of a filed or suspended base.
func (s *Service) AddCheck(ctx context.Context, p *web.Principal, id uint64, in CheckRequest) (*Check, error) {
	if !canReview(p) {
		return nil, web.Forbidden()
	}
	b, err := web.Load[Base](s.scoped(ctx, p), id)
	if err != nil {
		return nil, err
	}
	if b.Status != StatusFiled && b.Status != StatusSuspended {
		return nil, wrongState(b, "check")
	}
	f := web.Fields{}
	this := s.now().In(web.Shanghai).Year()
	if in.Year == 0 {
		in.Year = this
	}
	if in.Year < 2000 || in.Year > this {
		f["year"] = fmt.Sprintf("复核年度应为 2000 至 %d", this)
	}
	if ResultNames[in.Result] == "" {
		f["result"] = "复核结果应为 pass（合格）、rectify（限期整改）或 fail（不合格）"
	}
	if len([]rune(in.Note)) > 1000 {
		f["note"] = "复核意见不能超过 1000 字"
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&Check{}).Where("base_id = ? AND year = ?", id, in.Year).Count(&n).Error; err != nil {
		return nil, web.Internal(err)
	}
	if n > 0 {
		return nil, web.Conflict("already_checked", fmt.Sprintf("该基地 %d 年度已复核", in.Year))
	}
	c := &Check{BaseID: id, Year: in.Year, Result: in.Result, Note: in.Note, CheckedBy: p.UserID, CreatedAt: s.now().UTC()}
	err = web.ChangeAudited(ctx, s.db, s.audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Create(c).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "base.check", "base", id, map[string]any{"year": c.Year, "result": c.Result}), nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Detail is the response of a base for p.
func (s *Service) Detail(ctx context.Context, p *web.Principal, id uint64) (BaseResponse, error) {
	b, err := s.Managed(ctx, p, id)
	if err != nil {
		return BaseResponse{}, err
	}
	out := BaseResponse{BaseItem: s.item(ctx, b), Contact: b.Contact, OfficePhone: b.OfficePhone, Intro: b.Intro, Reason: b.Reason,
		Documents: []DocumentResponse{}, Checks: []CheckResponse{}, Actions: Actions(p, b)}
	var docs []Document
	if err := s.db.WithContext(ctx).Where("base_id = ?", id).Order("created_at, id").Find(&docs).Error; err != nil {
		return out, web.Internal(err)
	}
	for _, d := range docs {
		out.Documents = append(out.Documents, DocumentResponse{ID: d.ID, Name: d.Name, Size: d.Size, CreatedAt: d.CreatedAt})
	}
	var checks []Check
	if err := s.db.WithContext(ctx).Where("base_id = ?", id).Order("year DESC").Find(&checks).Error; err != nil {
		return out, web.Internal(err)
	}
	for _, c := range checks {
		out.Checks = append(out.Checks, CheckResponse{ID: c.ID, Year: c.Year, Result: c.Result, ResultName: ResultNames[c.Result], Note: c.Note, CreatedAt: c.CreatedAt})
	}
	return out, nil
}

func (s *Service) item(ctx context.Context, b *Base) BaseItem {
	return BaseItem{ID: b.ID, Name: b.Name, Kind: b.Kind, KindName: KindNames[b.Kind], OrgID: b.OrgID, OrgName: s.orgs.OrgName(ctx, b.OrgID),
		Address: b.Address, Capacity: b.Capacity, Status: b.Status, StatusName: StatusNames[b.Status], FiledAt: b.FiledAt, CreatedAt: b.CreatedAt}
}

// Filter narrows the admin list.
type Filter struct {
	Status string
	Kind   string
}

func (f Filter) apply(q *gorm.DB) *gorm.DB {
	if StatusNames[f.Status] != "" {
		q = q.Where("status = ?", f.Status)
	}
	if KindNames[f.Kind] != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	return q
}

// List lists the bases in p's subtree, newest first.
func (s *Service) List(ctx context.Context, p *web.Principal, f Filter, pg web.Page) ([]BaseItem, int64, error) {
	if !canApply(p) {
		return nil, 0, web.Forbidden()
	}
	var total int64
	if err := f.apply(s.scoped(ctx, p)).Count(&total).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	var rows []Base
	if err := f.apply(s.scoped(ctx, p)).Order("created_at DESC, id DESC").Offset(pg.Offset()).Limit(pg.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	items := make([]BaseItem, len(rows))
	for i := range rows {
		items[i] = s.item(ctx, &rows[i])
	}
	return items, total, nil
}

// Public lists the filed bases, by kind and name: what everyone may see.
func (s *Service) Public(ctx context.Context, kind string) ([]PublicBase, error) {
	q := s.db.WithContext(ctx).Where("status = ?", StatusFiled)
	if KindNames[kind] != "" {
		q = q.Where("kind = ?", kind)
	}
	var rows []Base
	if err := q.Order("name").Limit(1000).Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	slices.SortStableFunc(rows, func(a, b Base) int { return slices.Index(kindOrder, a.Kind) - slices.Index(kindOrder, b.Kind) })
	out := make([]PublicBase, len(rows))
	for i, b := range rows {
		out[i] = PublicBase{ID: b.ID, Name: b.Name, Kind: b.Kind, KindName: KindNames[b.Kind], OrgName: s.orgs.OrgName(ctx, b.OrgID),
			Address: b.Address, Capacity: b.Capacity, OfficePhone: b.OfficePhone, Intro: b.Intro}
	}
	return out, nil
}

// ClassBase tells training whether a base may host a class: its name, and
// whether it is filed. A base that does not exist is not filed.
func (s *Service) ClassBase(ctx context.Context, id uint64) (name string, filed bool, err error) {
	var b Base
	res := s.db.WithContext(ctx).Select("name", "status").Where("id = ?", id).Limit(1).Find(&b)
	if res.Error != nil {
		return "", false, fmt.Errorf("bases: class base: %w", res.Error)
	}
	return b.Name, res.RowsAffected == 1 && b.Status == StatusFiled, nil
}
