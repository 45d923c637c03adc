package portal

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"college/modules/settings"
	"college/modules/web"
	"college/storage/cache"

	"gorm.io/gorm"
)

// Sources are what the portal shows of other modules; app/college wires
// them to the catalog, training, hours and identity services.
type Sources interface {
	FeaturedCourses(ctx context.Context, limit int) ([]CourseCard, error)
	// OpenClasses lists classes taking registrations; hostOrgID 0: every host.
	OpenClasses(ctx context.Context, hostOrgID uint64, limit int) ([]ClassCard, error)
	// PeopleRanking and UnitRanking are the year's 学习排行, best first.
	PeopleRanking(ctx context.Context, year, limit int) ([]PersonRank, error)
	UnitRanking(ctx context.Context, year, limit int) ([]UnitRank, web.Hours, error)
	// Colleges lists the orgs of kind college in tree order.
	Colleges(ctx context.Context) ([]College, error)
	// OrgPath is the path of an org; ok false when there is none.
	OrgPath(ctx context.Context, id uint64) (path string, ok bool, err error)
}

// Settings of the portal's footer.
const (
	SetSponsor      = "portal.sponsor"
	SetICP          = "portal.icp"
	SetPoliceFiling = "portal.police_filing"
)

// SettingDefs are the portal's settings.
var SettingDefs = []settings.Def{
	{Key: SetSponsor, Group: "门户网站", Label: "主办单位", Help: "显示在门户页脚", Kind: settings.KindText, Default: "中共××市委组织部"},
	{Key: SetICP, Group: "门户网站", Label: "ICP 备案号", Help: "显示在门户页脚，如：京ICP备00000000号", Kind: settings.KindText, Default: ""},
	{Key: SetPoliceFiling, Group: "门户网站", Label: "公安机关备案号", Help: "显示在门户页脚，如：京公网安备 00000000000000号", Kind: settings.KindText, Default: ""},
}

// How much the portal shows and how long it keeps it.
const (
	listLimit       = 8
	courseLimit     = 6
	classLimit      = 6
	rankLimit       = 10
	contentTTL      = time.Minute     // notices, featured courses, open classes
	rankingsTTL     = 5 * time.Minute // 学习排行
	broadcastTopic  = "portal"
	maxBody         = 200_000
	maxIntro        = 50_000
	noticeCandidate = 50 // published notices kept to filter per caller
)

// Deps are what the service needs.
type Deps struct {
	DB       *gorm.DB
	Cache    *cache.Cache
	Settings *settings.Service
	Sources  Sources
	Audit    web.Auditor
	Log      *slog.Logger
}

// content is the cached part of the portal that does not depend on the caller
// except through the notices' audiences.
type content struct {
	notices, news []Notice
	courses       []CourseCard
	classes       []ClassCard
	colleges      []College
	at            time.Time
}

// Service keeps notices, news and college introductions, and assembles the
// public portal from a cache.
type Service struct {
	store    *store
	db       *gorm.DB
	cache    *cache.Cache
	settings *settings.Service
	sources  Sources
	audit    web.Auditor
	log      *slog.Logger
	clean    *Sanitizer
	now      func() time.Time

	mu       sync.Mutex // one refresh at a time
	content  *content
	rankings *Rankings
	rankedAt time.Time
}

// NewService builds the service, declares its settings and listens for changes
// on every instance.
func NewService(d Deps) *Service {
	d.Settings.Define(SettingDefs...)
	s := &Service{store: &store{db: d.DB}, db: d.DB, cache: d.Cache, settings: d.Settings, sources: d.Sources,
		audit: d.Audit, log: d.Log, clean: NewSanitizer(), now: time.Now}
	if d.Cache != nil {
		d.Cache.Subscribe(broadcastTopic, s.drop)
		// The online target and the footer are settings.
		d.Cache.Subscribe("settings", func(string) { s.drop("rankings") })
	}
	return s
}

// SetClock replaces the clock (tests move it past the caches' lifetimes).
func (s *Service) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// drop forgets the cached content ("content") or rankings ("rankings").
func (s *Service) drop(what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch what {
	case "rankings":
		s.rankings = nil
	default:
		s.content = nil
	}
}

// Invalidate drops the cached content or rankings on every instance.
func (s *Service) Invalidate(ctx context.Context, what string) {
	s.drop(what)
	if s.cache != nil {
		if err := s.cache.Broadcast(context.WithoutCancel(ctx), broadcastTopic, what); err != nil && s.log != nil {
			s.log.Warn("portal: broadcast invalidation", "err", err)
		}
	}
}

// loadContent returns the cached content, refreshed when older than its TTL.
func (s *Service) loadContent(ctx context.Context) (*content, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.content != nil && now.Sub(s.content.at) < contentTTL {
		return s.content, nil
	}
	c := &content{at: now}
	var err error
	if c.notices, err = s.store.published(ctx, KindNotice, now, noticeCandidate); err != nil {
		return nil, err
	}
	if c.news, err = s.store.published(ctx, KindNews, now, noticeCandidate); err != nil {
		return nil, err
	}
	if c.courses, err = s.sources.FeaturedCourses(ctx, courseLimit); err != nil {
		return nil, err
	}
	if c.classes, err = s.sources.OpenClasses(ctx, 0, classLimit); err != nil {
		return nil, err
	}
	if c.colleges, err = s.sources.Colleges(ctx); err != nil {
		return nil, err
	}
	s.content = c
	return c, nil
}

// Rankings returns the year's 学习排行 from the cache, computed again in
// SQL when older than its TTL.
func (s *Service) Rankings(ctx context.Context) (Rankings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.rankings != nil && now.Sub(s.rankedAt) < rankingsTTL {
		return *s.rankings, nil
	}
	year := now.In(web.Shanghai).Year()
	r := Rankings{Year: year, UpdatedAt: now.UTC()}
	var err error
	if r.People, err = s.sources.PeopleRanking(ctx, year, rankLimit); err != nil {
		return Rankings{}, err
	}
	if r.Units, r.OnlineTarget, err = s.sources.UnitRanking(ctx, year, rankLimit); err != nil {
		return Rankings{}, err
	}
	s.rankings, s.rankedAt = &r, now
	return r, nil
}

// visible reports whether p (nil: a visitor) may read the published notice.
func visible(n *Notice, p *web.Principal) bool {
	if n.Public() {
		return true
	}
	if p == nil || p.OrgPath == "" {
		return false
	}
	if n.AudienceOrgID != 0 && !strings.HasPrefix(p.OrgPath, n.AudiencePath) {
		return false
	}
	return n.AudienceLevels == "" || (p.Level != "" && strings.Contains(n.AudienceLevels, ","+p.Level+","))
}

// live reports whether a notice is published and not expired at now.
func live(n *Notice, now time.Time) bool {
	return n.Status == StatusPublished && (n.ExpiresAt == nil || now.Before(*n.ExpiresAt))
}

// pick lists up to limit of ns that p may read at now.
func pick(ns []Notice, p *web.Principal, now time.Time, limit int) []NoticeItem {
	out := []NoticeItem{}
	for i := range ns {
		if len(out) == limit {
			break
		}
		if live(&ns[i], now) && visible(&ns[i], p) {
			out = append(out, noticeItem(&ns[i]))
		}
	}
	return out
}

// Portal assembles the public portal as p (nil: a visitor) sees it.
func (s *Service) Portal(ctx context.Context, p *web.Principal) (PortalResponse, error) {
	c, err := s.loadContent(ctx)
	if err != nil {
		return PortalResponse{}, web.Internal(err)
	}
	r, err := s.Rankings(ctx)
	if err != nil {
		return PortalResponse{}, web.Internal(err)
	}
	now := s.now()
	return PortalResponse{
		Notices: pick(c.notices, p, now, listLimit), News: pick(c.news, p, now, listLimit),
		FeaturedCourses: c.courses, OpenClasses: c.classes, Rankings: r, Colleges: c.colleges, Footer: s.Footer(ctx),
	}, nil
}

// Search finds up to limit notices and news p may read by a part of their
// title, newest first.
func (s *Service) Search(ctx context.Context, p *web.Principal, q string, limit int) ([]NoticeItem, error) {
	now := s.now()
	ns, err := s.store.search(ctx, q, now, 5*limit)
	if err != nil {
		return nil, web.Internal(err)
	}
	return pick(ns, p, now, limit), nil
}

// Footer is the portal's footer from the settings.
func (s *Service) Footer(ctx context.Context) Footer {
	return Footer{Sponsor: s.settings.Text(ctx, SetSponsor), ICP: s.settings.Text(ctx, SetICP), PoliceFiling: s.settings.Text(ctx, SetPoliceFiling)}
}

// Notice returns a notice p may read: a published, unexpired one in its
// audience, or, for its editors, any of theirs (drafts to preview).
func (s *Service) Notice(ctx context.Context, p *web.Principal, id uint64) (*Notice, bool, error) {
	n, err := s.store.byID(ctx, id)
	if err != nil {
		return nil, false, web.Internal(err)
	}
	if n == nil {
		return nil, false, web.NotFound()
	}
	if live(n, s.now()) && visible(n, p) {
		return n, false, nil
	}
	if canWrite(p) {
		if m, err := s.store.managed(ctx, p, id); err == nil {
			return m, true, nil
		}
	}
	return nil, false, web.NotFound()
}

// canWrite: college admins write for their college, org admins city-wide.
func canWrite(p *web.Principal) bool { return p.HasAny(web.RoleCollegeAdmin, web.RoleOrgAdmin) }

// Writers are the roles that may write notices and news.
var Writers = []string{web.RoleCollegeAdmin, web.RoleOrgAdmin}

// List is a page of the notices the caller manages.
func (s *Service) List(ctx context.Context, p *web.Principal, kind string, pg web.Page) ([]Notice, int64, error) {
	if !canWrite(p) {
		return nil, 0, web.Forbidden()
	}
	ns, total, err := s.store.list(ctx, p, kind, pg)
	if err != nil {
		return nil, 0, web.Internal(err)
	}
	return ns, total, nil
}

// Managed loads a notice the caller may edit.
func (s *Service) Managed(ctx context.Context, p *web.Principal, id uint64) (*Notice, error) {
	if !canWrite(p) {
		return nil, web.Forbidden()
	}
	return s.store.managed(ctx, p, id)
}

// validate checks a request and fills n from it.
func (s *Service) validate(ctx context.Context, in NoticeRequest, n *Notice) error {
	f := web.Fields{}
	in.Title = strings.TrimSpace(in.Title)
	switch {
	case in.Title == "":
		f["title"] = "请填写标题"
	case utf8.RuneCountInString(in.Title) > 200:
		f["title"] = "标题不能超过 200 个字"
	}
	if in.Kind != KindNotice && in.Kind != KindNews {
		f["kind"] = "类型只能是通知公告（notice）或新闻动态（news）"
	}
	body := s.clean.Clean(in.Body)
	if len(in.Body) > maxBody {
		f["body"] = "正文过长"
	} else if strings.TrimSpace(body) == "" {
		f["body"] = "请填写正文"
	}
	var expires *time.Time
	if in.ExpiresOn != "" {
		d, err := time.ParseInLocation(time.DateOnly, in.ExpiresOn, web.Shanghai)
		if err != nil {
			f["expires_on"] = "截止日期格式应为 YYYY-MM-DD"
		} else {
			t := d.AddDate(0, 0, 1).UTC()
			expires = &t
		}
	}
	var path string
	if in.AudienceOrgID != 0 || len(in.AudienceLevels) > 0 {
		if in.Kind == KindNews {
			f["audience_org_id"] = "新闻动态面向所有人，不能限定范围"
		}
	}
	if in.AudienceOrgID != 0 {
		pth, ok, err := s.sources.OrgPath(ctx, in.AudienceOrgID)
		if err != nil {
			return web.Internal(err)
		}
		if !ok {
			f["audience_org_id"] = "所选组织不存在"
		}
		path = pth
	}
	levels := ""
	for _, l := range in.AudienceLevels {
		l = strings.TrimSpace(l)
		if l == "" || strings.Contains(l, ",") || utf8.RuneCountInString(l) > 32 {
			f["audience_levels"] = "职级填写有误"
			break
		}
		levels += "," + l
	}
	if levels != "" {
		levels += ","
	}
	if len(f) > 0 {
		return web.Invalid(f)
	}
	n.Kind, n.Title, n.Body, n.Pinned, n.ExpiresAt = in.Kind, in.Title, body, in.Pinned, expires
	n.AudienceOrgID, n.AudiencePath, n.AudienceLevels = in.AudienceOrgID, path, levels
	return nil
}

// setStatus publishes n (keeping the first publication time) or makes it a draft.
func (s *Service) setStatus(n *Notice, publish bool) {
	if !publish {
		n.Status = StatusDraft
		return
	}
	if n.Status != StatusPublished || n.PublishedAt == nil {
		t := s.now().UTC()
		n.PublishedAt = &t
	}
	n.Status = StatusPublished
}

// change runs fn and its audit entry in one transaction, then drops the
// portal's cache everywhere.
func (s *Service) change(ctx context.Context, fn func(tx *gorm.DB) (web.AuditEntry, error)) error {
	if err := web.ChangeAudited(ctx, s.db, s.audit, fn); err != nil {
		return err
	}
	s.Invalidate(ctx, "content")
	return nil
}

// Create writes a notice owned by the caller's org.
func (s *Service) Create(ctx context.Context, p *web.Principal, in NoticeRequest) (*Notice, error) {
	if !canWrite(p) {
		return nil, web.Forbidden()
	}
	n := &Notice{OwnerOrgID: p.OrgID, CreatedBy: p.UserID}
	if err := s.validate(ctx, in, n); err != nil {
		return nil, err
	}
	s.setStatus(n, in.Publish)
	err := s.change(ctx, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Create(n).Error; err != nil {
			return web.AuditEntry{}, fmt.Errorf("portal: create notice: %w", err)
		}
		if err := titleGrams.Index(tx, n.ID, n.Title); err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "notice.create", "notice", n.ID, map[string]any{"kind": n.Kind, "title": n.Title, "status": n.Status}), nil
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// Update replaces a notice the caller manages.
func (s *Service) Update(ctx context.Context, p *web.Principal, id uint64, in NoticeRequest) (*Notice, error) {
	n, err := s.Managed(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.validate(ctx, in, n); err != nil {
		return nil, err
	}
	s.setStatus(n, in.Publish)
	err = s.change(ctx, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Save(n).Error; err != nil {
			return web.AuditEntry{}, fmt.Errorf("portal: update notice: %w", err)
		}
		if err := titleGrams.Index(tx, n.ID, n.Title); err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "notice.update", "notice", n.ID, map[string]any{"kind": n.Kind, "title": n.Title, "status": n.Status}), nil
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// SetPublished publishes a notice or takes it back to a draft.
func (s *Service) SetPublished(ctx context.Context, p *web.Principal, id uint64, publish bool) (*Notice, error) {
	n, err := s.Managed(ctx, p, id)
	if err != nil {
		return nil, err
	}
	s.setStatus(n, publish)
	action := "notice.unpublish"
	if publish {
		action = "notice.publish"
	}
	err = s.change(ctx, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Model(n).Select("status", "published_at").Updates(n).Error; err != nil {
			return web.AuditEntry{}, fmt.Errorf("portal: %s: %w", action, err)
		}
		return web.AuditBy(p, action, "notice", n.ID, map[string]any{"title": n.Title}), nil
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// Publish publishes a notice.
func (s *Service) Publish(ctx context.Context, p *web.Principal, id uint64) (*Notice, error) {
	return s.SetPublished(ctx, p, id, true)
}

// Unpublish takes a notice back to a draft.
func (s *Service) Unpublish(ctx context.Context, p *web.Principal, id uint64) (*Notice, error) {
	return s.SetPublished(ctx, p, id, false)
}

// Delete removes a notice the caller manages.
func (s *Service) Delete(ctx context.Context, p *web.Principal, id uint64) error {
	n, err := s.Managed(ctx, p, id)
	if err != nil {
		return err
	}
	return s.change(ctx, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Delete(&Notice{}, n.ID).Error; err != nil {
			return web.AuditEntry{}, fmt.Errorf("portal: delete notice: %w", err)
		}
		if err := titleGrams.Remove(tx, n.ID); err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "notice.delete", "notice", n.ID, map[string]any{"title": n.Title}), nil
	})
}
