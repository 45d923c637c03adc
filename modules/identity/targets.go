package identity

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// UserTag marks a person with a tag other modules select by (驻村第一书记,
// 援疆干部 …).
type UserTag struct {
	UserID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Tag    string `gorm:"primaryKey;size:50;index:idx_user_tags_tag"`
}

// TableName keeps the table name stable.
func (UserTag) TableName() string { return "user_tags" }

// targetMigrations add what training programmes select people by: the
// date of appointment to the current post and tags.
func targetMigrations() []db.Migration {
	return []db.Migration{{
		ID: "0037_programs_identity_targets",
		Up: func(tx *gorm.DB) error {
			type user struct {
				AppointedOn string `gorm:"size:10;not null;default:'';index:idx_users_appointed"`
				Level       string `gorm:"size:32;not null;default:'';index:idx_users_level"`
			}
			m := tx.Table("users").Migrator()
			if err := m.AddColumn(&user{}, "AppointedOn"); err != nil {
				return err
			}
			if err := m.CreateIndex(&user{}, "idx_users_appointed"); err != nil {
				return err
			}
			if err := m.CreateIndex(&user{}, "idx_users_level"); err != nil {
				return err
			}
			type userTag struct {
				UserID uint64 `gorm:"primaryKey;autoIncrement:false"`
				Tag    string `gorm:"primaryKey;size:50;index:idx_user_tags_tag"`
			}
			return tx.Table("user_tags").Migrator().CreateTable(&userTag{})
		},
	}}
}

// MaxTags is how many tags one person may carry.
const MaxTags = 20

// TargetingRequest is what training programmes select a person by, beside
// level, org and post: the date of appointment to the current post and tags.
type TargetingRequest struct {
	AppointedOn string   `json:"appointed_on"` // YYYY-MM-DD; empty: unknown
	Tags        []string `json:"tags"`
}

// TargetingResponse is a person's appointment date and tags.
type TargetingResponse struct {
	AppointedOn string   `json:"appointed_on"`
	Tags        []string `json:"tags"`
}

// SetTargeting records when a user in the caller's subtree took up the
// current post and replaces their tags.
func (s *Service) SetTargeting(ctx context.Context, p *web.Principal, userID uint64, in TargetingRequest) (TargetingResponse, error) {
	if !p.HasAny(web.RoleOrgAdmin, web.RoleUnitAdmin) {
		return TargetingResponse{}, web.Forbidden()
	}
	u, err := s.store.UserByID(ctx, p, userID)
	if err != nil {
		return TargetingResponse{}, web.Internal(err)
	}
	if u == nil {
		return TargetingResponse{}, web.NotFound()
	}
	in.AppointedOn = strings.TrimSpace(in.AppointedOn)
	clean := []string{}
	for _, t := range in.Tags {
		t = strings.TrimSpace(t)
		if t != "" && !slices.Contains(clean, t) {
			clean = append(clean, t)
		}
	}
	f := web.Fields{}
	if in.AppointedOn != "" {
		_, err := time.Parse(time.DateOnly, in.AppointedOn)
		f.Check(err == nil, "appointed_on", "任现职时间应为 YYYY-MM-DD")
	}
	f.Check(len(clean) <= MaxTags, "tags", fmt.Sprintf("标签不能超过 %d 个", MaxTags))
	for _, t := range clean {
		f.Check(len([]rune(t)) <= 50 && !strings.Contains(t, ","), "tags", "每个标签不能超过 50 字，也不能含逗号")
	}
	if err := f.Err(); err != nil {
		return TargetingResponse{}, err
	}
	err = s.change(ctx, func(st *Store) error {
		if err := st.db.Model(&User{}).Where("id = ?", userID).Update("appointed_on", in.AppointedOn).Error; err != nil {
			return err
		}
		if err := st.db.Where("user_id = ?", userID).Delete(&UserTag{}).Error; err != nil {
			return err
		}
		for _, t := range clean {
			if err := st.db.Create(&UserTag{UserID: userID, Tag: t}).Error; err != nil {
				return err
			}
		}
		return nil
	}, func() web.AuditEntry {
		return web.AuditBy(p, "user.targeting", "user", userID, map[string]any{"appointed_on": in.AppointedOn, "tags": clean})
	})
	if err != nil {
		return TargetingResponse{}, web.Internal(err)
	}
	slices.Sort(clean)
	return TargetingResponse{AppointedOn: in.AppointedOn, Tags: clean}, nil
}

// TagsOf returns a user's tags, in name order.
func (s *Service) TagsOf(ctx context.Context, userID uint64) ([]string, error) {
	out := []string{}
	err := s.store.db.WithContext(ctx).Model(&UserTag{}).Where("user_id = ?", userID).Order("tag").Pluck("tag", &out).Error
	return out, err
}

// Target selects cadres: every field given must hold.
type Target struct {
	Levels         []string // any of
	OrgPath        string   // the org subtree; empty: everywhere
	PostContains   string   // a part of the post (职务)
	AppointedSince string   // YYYY-MM-DD: appointed to the current post on or after
	Tags           []string // any of
	WithinPath     string   // a further org subtree (the part of the city looked at); empty: none
}

// targeted is the query over the enabled learners t selects.
func (s *Store) targeted(ctx context.Context, t Target) *gorm.DB {
	q := s.cadresUnder(ctx, cmpOr(t.OrgPath, "/"))
	if t.WithinPath != "" {
		q = q.Where("users.org_id IN (SELECT id FROM orgs WHERE path LIKE ? ESCAPE '!')", web.Prefix(t.WithinPath))
	}
	if len(t.Levels) > 0 {
		q = q.Where("users.level IN ?", t.Levels)
	}
	if t.PostContains != "" {
		q = q.Where("users.post LIKE ? ESCAPE '!'", "%"+web.Prefix(t.PostContains))
	}
	if t.AppointedSince != "" {
		q = q.Where("users.appointed_on <> '' AND users.appointed_on >= ?", t.AppointedSince)
	}
	if len(t.Tags) > 0 {
		q = q.Where("EXISTS (SELECT 1 FROM user_tags WHERE user_tags.user_id = users.id AND user_tags.tag IN ?)", t.Tags)
	}
	return q
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TargetFilter narrows the people of a target by what another module knows
// of them: In and NotIn are subqueries of user ids (nil: no condition).
type TargetFilter struct {
	In    []*gorm.DB
	NotIn []*gorm.DB
}

func (f TargetFilter) apply(q *gorm.DB) *gorm.DB {
	for _, sub := range f.In {
		q = q.Where("users.id IN (?)", sub)
	}
	for _, sub := range f.NotIn {
		q = q.Where("users.id NOT IN (?)", sub)
	}
	return q
}

// CountTarget counts the people t selects, in SQL.
func (s *Service) CountTarget(ctx context.Context, t Target, f TargetFilter) (int64, error) {
	var n int64
	if err := f.apply(s.store.targeted(ctx, t)).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("identity: count target: %w", err)
	}
	return n, nil
}

// TargetPeople lists a page of the people t selects, by org and name; the
// ID number is left out.
func (s *Service) TargetPeople(ctx context.Context, t Target, f TargetFilter, pg web.Page) ([]Person, int64, error) {
	total, err := s.CountTarget(ctx, t, f)
	if err != nil {
		return nil, 0, err
	}
	var ids []uint64
	if err := f.apply(s.store.targeted(ctx, t)).Order("users.org_id, users.id").Offset(pg.Offset()).Limit(pg.PageSize).Pluck("users.id", &ids).Error; err != nil {
		return nil, 0, fmt.Errorf("identity: target people: %w", err)
	}
	found, err := s.PeopleByIDs(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Person, 0, len(ids))
	for _, id := range ids {
		if p, ok := found[id]; ok {
			out = append(out, p)
		}
	}
	return out, total, nil
}

// OrgTally counts the people of a target in one org.
type OrgTally struct {
	OrgID     uint64
	Target    int64
	Completed int64
	Reached   int64 // in reached but not in completed
}

// TallyTarget counts, per org, the people t selects, those among them in
// completed, and those in reached but not in completed: one grouped query.
func (s *Service) TallyTarget(ctx context.Context, t Target, completed, reached *gorm.DB) ([]OrgTally, error) {
	var rows []OrgTally
	err := s.store.targeted(ctx, t).
		Select("users.org_id AS org_id, COUNT(*) AS target, "+
			"SUM(CASE WHEN users.id IN (?) THEN 1 ELSE 0 END) AS completed, "+
			"SUM(CASE WHEN users.id IN (?) AND users.id NOT IN (?) THEN 1 ELSE 0 END) AS reached", completed, reached, completed).
		Group("users.org_id").Order("users.org_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("identity: tally target: %w", err)
	}
	return rows, nil
}
