package portal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// store runs the portal's queries.
type store struct{ db *gorm.DB }

// published lists up to limit published notices of kind not expired at now:
// pinned first, then newest.
func (st *store) published(ctx context.Context, kind string, now time.Time, limit int) ([]Notice, error) {
	var out []Notice
	err := st.db.WithContext(ctx).Where("status = ? AND kind = ? AND (expires_at IS NULL OR expires_at > ?)", StatusPublished, kind, now).
		Order("pinned DESC, published_at DESC, id DESC").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("portal store: published: %w", err)
	}
	return out, nil
}

// search lists up to limit published, unexpired notices and news whose
// title contains q, newest first.
func (st *store) search(ctx context.Context, q string, now time.Time, limit int) ([]Notice, error) {
	var out []Notice
	find := st.db.WithContext(ctx).Model(&Notice{}).Where("notices.status = ? AND (notices.expires_at IS NULL OR notices.expires_at > ?) AND notices.title LIKE ? ESCAPE '!'", StatusPublished, now, web.Contains(q))
	grams, order, indexed, none, err := titleGrams.Match(ctx, st.db, q, "notices.id")
	switch {
	case err != nil:
		return nil, fmt.Errorf("portal store: search: %w", err)
	case none:
		return out, nil
	case indexed:
		find = find.Scopes(grams)
	default:
		order = "notices.id"
	}
	if err := find.Order(order + " DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("portal store: search: %w", err)
	}
	return out, nil
}

// titleGrams indexes the bigrams of every notice's title for the search.
var titleGrams = db.GramIndex{Table: "notice_title_grams", IDColumn: "notice_id"}

// IndexAllTitles rebuilds the title index of every notice: what the
// migration runs once, and what a bulk load that wrote notices directly
// runs after it. It answers the number of notices indexed.
func IndexAllTitles(ctx context.Context, gdb *gorm.DB) (int, error) {
	n, err := titleGrams.Rebuild(ctx, gdb, func(tx *gorm.DB, after uint64, limit int) *gorm.DB {
		return tx.Table("notices").Select("id, title AS text").Where("id > ?", after).Order("id").Limit(limit)
	})
	if err != nil {
		return n, fmt.Errorf("portal: index titles: %w", err)
	}
	return n, nil
}

// byID loads a notice; nil when there is none.
func (st *store) byID(ctx context.Context, id uint64) (*Notice, error) {
	var n Notice
	err := st.db.WithContext(ctx).First(&n, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("portal store: notice: %w", err)
	}
	return &n, nil
}

// managed loads a notice owned inside the caller's subtree.
func (st *store) managed(ctx context.Context, p *web.Principal, id uint64) (*Notice, error) {
	return web.Load[Notice](st.db.WithContext(ctx).Scopes(web.OrgScope(p, "owner_org_id")), id)
}

// list is a page of the notices owned inside the caller's subtree, newest
// first; kind empty: both kinds.
func (st *store) list(ctx context.Context, p *web.Principal, kind string, pg web.Page) ([]Notice, int64, error) {
	q := st.db.WithContext(ctx).Model(&Notice{}).Scopes(web.OrgScope(p, "owner_org_id"))
	if kind != "" {
		q = q.Where("kind = ?", kind)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("portal store: count: %w", err)
	}
	var out []Notice
	if err := q.Order("id DESC").Offset(pg.Offset()).Limit(pg.PageSize).Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("portal store: list: %w", err)
	}
	return out, total, nil
}

// intro is a college's introduction; empty when none was written.
func (st *store) intro(ctx context.Context, orgID uint64) (string, error) {
	var in CollegeIntro
	err := st.db.WithContext(ctx).First(&in, orgID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("portal store: intro: %w", err)
	}
	return in.Body, nil
}

// saveIntro writes a college's introduction in tx.
func saveIntro(tx *gorm.DB, in *CollegeIntro) error {
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "org_id"}}, DoUpdates: clause.AssignmentColumns([]string{"body", "updated_by", "updated_at"})}).Create(in).Error
}
