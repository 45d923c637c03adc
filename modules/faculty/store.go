package faculty

import (
	"context"
	"fmt"

	"college/modules/web"

	"gorm.io/gorm"
)

// store runs the faculty's queries.
type store struct{ db *gorm.DB }

// Filter selects teachers in a list.
type Filter struct {
	Kind   string
	Status string
	Q      string
}

// where applies a filter to a query on teachers.
func (f Filter) where(q *gorm.DB) *gorm.DB {
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Q != "" {
		q = q.Where("name LIKE ? ESCAPE '!'", web.Contains(f.Q))
	}
	return q
}

// managed loads a teacher owned inside the caller's subtree.
func (st *store) managed(ctx context.Context, p *web.Principal, id uint64) (*Teacher, error) {
	return web.Load[Teacher](st.db.WithContext(ctx).Scopes(web.OrgScope(p, "owner_org_id")), id)
}

// list is a page of the teachers owned inside the caller's subtree, by name.
func (st *store) list(ctx context.Context, p *web.Principal, f Filter, pg web.Page) ([]Teacher, int64, error) {
	q := f.where(st.db.WithContext(ctx).Model(&Teacher{}).Scopes(web.OrgScope(p, "owner_org_id")))
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("faculty store: count: %w", err)
	}
	var out []Teacher
	if err := q.Order("name, id").Offset(pg.Offset()).Limit(pg.PageSize).Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("faculty store: list: %w", err)
	}
	return out, total, nil
}

// each calls fn with the caller's teachers in batches, by id, for the export.
func (st *store) each(ctx context.Context, p *web.Principal, f Filter, fn func([]Teacher) error) error {
	var after uint64
	for {
		var batch []Teacher
		q := f.where(st.db.WithContext(ctx).Model(&Teacher{}).Scopes(web.OrgScope(p, "owner_org_id")))
		if err := q.Where("id > ?", after).Order("id").Limit(500).Find(&batch).Error; err != nil {
			return fmt.Errorf("faculty store: export: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		if err := fn(batch); err != nil {
			return err
		}
		after = batch[len(batch)-1].ID
	}
}

// corrections lists a teacher's corrections, newest first.
func (st *store) corrections(ctx context.Context, teacherID uint64) ([]Correction, error) {
	var out []Correction
	if err := st.db.WithContext(ctx).Where("teacher_id = ?", teacherID).Order("created_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("faculty store: corrections: %w", err)
	}
	return out, nil
}

// CorrectionRow is a correction with its teacher's name.
type CorrectionRow struct {
	Correction
	TeacherName string
}

// allCorrections is a page of the corrections owned inside the caller's
// subtree, open ones by due date first; status empty: every status.
func (st *store) allCorrections(ctx context.Context, p *web.Principal, status string, pg web.Page) ([]CorrectionRow, int64, error) {
	q := st.db.WithContext(ctx).Model(&Correction{}).Scopes(web.OrgScope(p, "teacher_corrections.owner_org_id"))
	if status != "" {
		q = q.Where("teacher_corrections.status = ?", status)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("faculty store: count corrections: %w", err)
	}
	var out []CorrectionRow
	err := q.Select("teacher_corrections.*, teachers.name AS teacher_name").Joins("JOIN teachers ON teachers.id = teacher_corrections.teacher_id").
		Order("teacher_corrections.status DESC, teacher_corrections.due_on, teacher_corrections.id").Offset(pg.Offset()).Limit(pg.PageSize).Scan(&out).Error
	if err != nil {
		return nil, 0, fmt.Errorf("faculty store: corrections: %w", err)
	}
	return out, total, nil
}

// activeTitles are the standing 名师 titles of the teachers, by teacher.
func (st *store) activeTitles(ctx context.Context, teacherIDs []uint64) (map[uint64]MasterTitle, error) {
	out := map[uint64]MasterTitle{}
	for i := 0; i < len(teacherIDs); i += 500 {
		var rows []MasterTitle
		err := st.db.WithContext(ctx).Where("teacher_id IN ? AND active = ?", teacherIDs[i:min(i+500, len(teacherIDs))], true).Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("faculty store: titles: %w", err)
		}
		for _, m := range rows {
			out[m.TeacherID] = m
		}
	}
	return out, nil
}

// masterHistory lists a teacher's 名师 decisions, newest first.
func (st *store) masterHistory(ctx context.Context, teacherID uint64) ([]MasterTitle, error) {
	var out []MasterTitle
	if err := st.db.WithContext(ctx).Where("teacher_id = ?", teacherID).Order("decided_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("faculty store: title history: %w", err)
	}
	return out, nil
}

// MasterRow is a title with its teacher's name.
type MasterRow struct {
	MasterTitle
	TeacherName string
}

// masters is a page of the standing titles owned inside the caller's
// subtree, by (owner, active) then newest first.
func (st *store) masters(ctx context.Context, p *web.Principal, pg web.Page) ([]MasterRow, int64, error) {
	q := st.db.WithContext(ctx).Model(&MasterTitle{}).Scopes(web.OrgScope(p, "teacher_master_titles.owner_org_id")).Where("teacher_master_titles.active = ?", true)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("faculty store: count titles: %w", err)
	}
	var out []MasterRow
	err := q.Select("teacher_master_titles.*, teachers.name AS teacher_name").Joins("JOIN teachers ON teachers.id = teacher_master_titles.teacher_id").
		Order("teacher_master_titles.id DESC").Offset(pg.Offset()).Limit(pg.PageSize).Scan(&out).Error
	if err != nil {
		return nil, 0, fmt.Errorf("faculty store: titles: %w", err)
	}
	return out, total, nil
}
