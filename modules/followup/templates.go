package followup

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// Templates returns the indicators of every dimension, in dimension order.
func (s *Service) Templates(ctx context.Context) ([]TemplateItem, error) {
	var rows []Template
	if err := s.db.WithContext(ctx).Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	byDim := map[string][]string{}
	for _, t := range rows {
		var list []string
		_ = json.Unmarshal([]byte(t.Indicators), &list)
		byDim[t.Dimension] = list
	}
	out := make([]TemplateItem, 0, len(Dimensions))
	for _, d := range Dimensions {
		list, ok := byDim[d]
		if !ok {
			list = DefaultIndicators[d]
		}
		if list == nil {
			list = []string{}
		}
		out = append(out, TemplateItem{Dimension: d, Indicators: list})
	}
	return out, nil
}

func (s *Service) templateMap(ctx context.Context) (map[string][]string, error) {
	items, err := s.Templates(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(items))
	for _, t := range items {
		out[t.Dimension] = t.Indicators
	}
	return out, nil
}

// SetTemplates changes the indicators of some dimensions. The templates are
// city-wide: only the org department at the top of the tree changes them.
func (s *Service) SetTemplates(ctx context.Context, p *web.Principal, in TemplatesRequest) ([]TemplateItem, error) {
	if !cityOrgAdmin(p) {
		return nil, web.Forbidden()
	}
	f := web.Fields{}
	f.Check(len(in.Templates) > 0, "templates", "请至少修改一个维度")
	seen := map[string]bool{}
	for i := range in.Templates {
		t := &in.Templates[i]
		if !slices.Contains(Dimensions, t.Dimension) {
			f.Add("templates", "未知的维度："+t.Dimension)
			continue
		}
		f.Check(!seen[t.Dimension], "templates", "维度重复："+t.Dimension)
		seen[t.Dimension] = true
		var list []string
		for _, x := range t.Indicators {
			x = strings.TrimSpace(x)
			if x != "" && !slices.Contains(list, x) {
				list = append(list, x)
			}
			f.MaxLen("templates."+t.Dimension, x, 50)
		}
		f.Check(len(list) > 0, "templates."+t.Dimension, "每个维度至少保留一项指标")
		f.Check(len(list) <= maxIndicator, "templates."+t.Dimension, fmt.Sprintf("指标不能超过 %d 项", maxIndicator))
		t.Indicators = list
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	err := db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		for _, t := range in.Templates {
			b, _ := json.Marshal(t.Indicators)
			res := tx.Model(&Template{}).Where("dimension = ?", t.Dimension).Updates(map[string]any{"indicators": string(b), "updated_by": p.UserID, "updated_at": now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				if err := tx.Create(&Template{Dimension: t.Dimension, Indicators: string(b), UpdatedBy: p.UserID, UpdatedAt: now}).Error; err != nil {
					return err
				}
			}
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "followup.templates", "followup_templates", 0, in.Templates))
	})
	if err != nil {
		return nil, web.AsError(err)
	}
	return s.Templates(ctx)
}
