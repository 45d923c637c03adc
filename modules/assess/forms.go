package assess

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// DefaultFormTitle names the built-in course card.
const DefaultFormTitle = "课程评估表（默认）"

// DefaultCard is the default course evaluation card of DOMAIN.md: five
// rating items of 20 points and a free comment.
func DefaultCard() FormRequest {
	no := false
	in := FormRequest{Title: DefaultFormTitle}
	for _, t := range []string{"现实针对性", "理论性", "信息量", "语言表达", "教风教态"} {
		in.Items = append(in.Items, Item{Kind: KindRating, Text: t, Weight: 20})
	}
	in.Items = append(in.Items, Item{Kind: KindText, Text: "意见和建议", Required: &no})
	ValidateForm(&in)
	return in
}

// formScope limits forms to those the caller may use: the built-in ones,
// those of the caller's org and its subtree, and those of the orgs above it
// (the org department's forms serve the colleges under it).
func formScope(p *web.Principal) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		if p.OrgPath == "/" {
			return q
		}
		chain := p.OrgChain()
		if len(chain) == 0 {
			return q.Where("builtin = ?", true)
		}
		sub, args := web.OrgSubtree("owner_org_id", p.OrgPath)
		return q.Where("builtin = ? OR owner_org_id IN ? OR "+sub, append([]any{true, chain}, args...)...)
	}
}

// CreateForm saves a new form of the caller's org.
func (s *Service) CreateForm(ctx context.Context, p *web.Principal, in FormRequest) (*Form, error) {
	if !canManage(p) {
		return nil, web.Forbidden()
	}
	if err := ValidateForm(&in).Err(); err != nil {
		return nil, err
	}
	items, err := json.Marshal(in.Items)
	if err != nil {
		return nil, web.Internal(err)
	}
	f := &Form{OwnerOrgID: p.OrgID, Title: in.Title, Items: string(items), CreatedBy: p.UserID, CreatedAt: s.now().UTC()}
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		f.ID = 0
		if err := tx.Create(f).Error; err != nil {
			return fmt.Errorf("assess: create form: %w", err)
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "form.create", "eval_form", f.ID, map[string]any{"title": f.Title, "items": len(in.Items)}))
	})
	if err != nil {
		return nil, web.AsError(err)
	}
	return f, nil
}

// ListForms lists the forms the caller may use, built-in ones first.
func (s *Service) ListForms(ctx context.Context, p *web.Principal, pg web.Page) ([]FormSummary, int64, error) {
	if !canManage(p) {
		return nil, 0, web.Forbidden()
	}
	if _, err := s.DefaultForm(ctx); err != nil {
		return nil, 0, err
	}
	q := s.db.WithContext(ctx).Model(&Form{}).Scopes(formScope(p))
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	var rows []Form
	if err := q.Order("builtin DESC, created_at DESC, id DESC").Offset(pg.Offset()).Limit(pg.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	out := make([]FormSummary, 0, len(rows))
	for i := range rows {
		fr, err := s.formResponse(ctx, &rows[i])
		if err != nil {
			return nil, 0, err
		}
		out = append(out, fr.FormSummary)
	}
	return out, total, nil
}

// GetForm returns a form the caller may use.
func (s *Service) GetForm(ctx context.Context, p *web.Principal, id uint64) (*Form, error) {
	if !canManage(p) {
		return nil, web.Forbidden()
	}
	return web.Load[Form](s.db.WithContext(ctx).Scopes(formScope(p)), id)
}

// FormResponse describes a form with its items and use.
func (s *Service) FormResponse(ctx context.Context, f *Form) (FormResponse, error) {
	return s.formResponse(ctx, f)
}

func (s *Service) formResponse(ctx context.Context, f *Form) (FormResponse, error) {
	items, err := decodeItems(f.Items)
	if err != nil {
		return FormResponse{}, web.Internal(err)
	}
	r := FormResponse{FormSummary: FormSummary{ID: f.ID, Title: f.Title, Builtin: f.Builtin, OwnerOrgID: f.OwnerOrgID, Items: len(items), CreatedAt: f.CreatedAt}, Questions: items}
	for _, it := range items {
		if it.Kind == KindRating {
			r.Ratings++
		}
	}
	if err := s.db.WithContext(ctx).Model(&Evaluation{}).Where("form_id = ?", f.ID).Count(&r.InUse).Error; err != nil {
		return r, web.Internal(err)
	}
	return r, nil
}

// DeleteForm removes a form of the caller's org subtree that no evaluation uses.
func (s *Service) DeleteForm(ctx context.Context, p *web.Principal, id uint64) (*Form, error) {
	f, err := s.GetForm(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if f.Builtin {
		return nil, web.Conflict("form_builtin", "系统内置的评估表不能删除")
	}
	var own int64
	if err := s.db.WithContext(ctx).Model(&Form{}).Scopes(web.OrgScope(p, "owner_org_id")).Where("id = ?", id).Count(&own).Error; err != nil {
		return nil, web.Internal(err)
	}
	if own == 0 { // a form of an org above the caller's
		return nil, web.Forbidden()
	}
	var used int64
	if err := s.db.WithContext(ctx).Model(&Evaluation{}).Where("form_id = ?", id).Count(&used).Error; err != nil {
		return nil, web.Internal(err)
	}
	if used > 0 {
		return nil, web.Conflict("form_in_use", "已有评估使用该评估表，不能删除")
	}
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Delete(&Form{}, id).Error; err != nil {
			return err
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "form.delete", "eval_form", id, map[string]any{"title": f.Title}))
	})
	if err != nil {
		return nil, web.AsError(err)
	}
	return f, nil
}

// DefaultForm returns the built-in course card, creating it when a
// database lacks it (it is made by the migration).
func (s *Service) DefaultForm(ctx context.Context) (*Form, error) {
	var f Form
	err := s.db.WithContext(ctx).Where("builtin = ? AND title = ?", true, DefaultFormTitle).Order("id").Take(&f).Error
	if err == nil {
		return &f, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, web.Internal(err)
	}
	card := DefaultCard()
	items, _ := json.Marshal(card.Items)
	f = Form{Title: card.Title, Items: string(items), Builtin: true, CreatedAt: s.now().UTC()}
	if err := s.db.WithContext(ctx).Create(&f).Error; err != nil {
		return nil, web.Internal(err)
	}
	return &f, nil
}
