package reports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"college/modules/dashboard"
	"college/modules/followup"
	"college/modules/training"
	"college/modules/web"
	"college/storage/cache"
	"college/storage/objects"

	"gorm.io/gorm"
)

// Roles that request reports: the org department for any org of the city,
// a unit administrator for their own subtree.
var Roles = []string{web.RoleOrgAdmin, web.RoleUnitAdmin}

// Org is an organization as the reports name it.
type Org struct {
	ID   uint64
	Name string
	Path string
}

// Directory is what the reports need of the identity module.
type Directory interface {
	Root(ctx context.Context) (Org, error)
	// Org returns the org with this id; ok is false when there is none.
	Org(ctx context.Context, id uint64) (o Org, ok bool, err error)
	// Subtree lists the orgs under (and with) the org at path, by path.
	Subtree(ctx context.Context, path string) ([]Org, error)
	OrgNames(ctx context.Context, ids []uint64) (map[uint64]string, error)
	// Principal is the user as they are now, with their roles and org; nil
	// when the account is gone or disabled.
	Principal(ctx context.Context, userID uint64) (*web.Principal, error)
}

// Dashboard is what the reports read of the dashboards, so that a report
// holds the same numbers as the pages.
type Dashboard interface {
	Compliance(ctx context.Context, p *web.Principal, orgID uint64, year int) (dashboard.Compliance, error)
	PeopleExport(ctx context.Context, p *web.Principal, orgID uint64, year int, status string) (dashboard.Org, []dashboard.PersonRow, error)
	Exams(ctx context.Context, p *web.Principal, orgID uint64, year int) (dashboard.ExamBoard, error)
}

// Classes is what the reports read of the training module.
type Classes interface {
	ClassYear(ctx context.Context, orgPath string, year int) ([]training.ClassYearRow, error)
}

// Followups is what the reports read of the follow-up module.
type Followups interface {
	Summary(ctx context.Context, p *web.Principal, f followup.SummaryFilter) (followup.SummaryResponse, error)
}

// Deps are the service's collaborators. LeaseTTL is how long a dead
// runner holds up its job (default one minute).
type Deps struct {
	DB        *gorm.DB
	Cache     *cache.Cache
	Objects   objects.Store
	Directory Directory
	Dashboard Dashboard
	Classes   Classes
	Followups Followups
	Audit     web.Auditor
	Log       *slog.Logger
	LeaseTTL  time.Duration
}

// Service takes report requests and builds them.
type Service struct {
	d     Deps
	store store
	now   func() time.Time
}

// NewService builds the service.
func NewService(d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.LeaseTTL <= 0 {
		d.LeaseTTL = time.Minute
	}
	return &Service{d: d, store: store{db: d.DB}, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// CurrentYear is this year in the college's time zone.
func (s *Service) CurrentYear() int { return s.now().In(web.Shanghai).Year() }

// scopedOrg is the org a caller asks about: id 0 is the city for the org
// department and the caller's own org for a unit administrator; an org
// outside the caller's subtree answers 404 like one that does not exist.
func (s *Service) scopedOrg(ctx context.Context, p *web.Principal, id uint64) (Org, error) {
	if !p.HasAny(Roles...) {
		return Org{}, web.Forbidden()
	}
	if id == 0 {
		if p.Has(web.RoleOrgAdmin) {
			root, err := s.d.Directory.Root(ctx)
			if err != nil {
				return Org{}, web.Internal(err)
			}
			if p.InScope(root.Path) {
				return root, nil
			}
		}
		id = p.OrgID
	}
	o, ok, err := s.d.Directory.Org(ctx, id)
	if err != nil {
		return Org{}, web.Internal(err)
	}
	if !ok || !p.InScope(o.Path) {
		return Org{}, web.NotFound()
	}
	return o, nil
}

// Request queues a report and records the request in the audit log, in
// one transaction.
func (s *Service) Request(ctx context.Context, p *web.Principal, in ReportRequest) (*Job, error) {
	if !p.HasAny(Roles...) {
		return nil, web.Forbidden()
	}
	r, err := in.Validate()
	if err != nil {
		return nil, err
	}
	org, err := s.scopedOrg(ctx, p, r.OrgID)
	if err != nil {
		return nil, err
	}
	j := &Job{Kind: r.Kind, Year: r.Year, OrgID: org.ID, OrgName: org.Name, RequestedBy: p.UserID, State: StateQueued, CreatedAt: s.now().UTC()}
	err = web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		j.ID = 0
		if err := tx.Create(j).Error; err != nil {
			return web.AuditEntry{}, fmt.Errorf("reports: create job: %w", err)
		}
		return web.AuditBy(p, "report.request", "report_job", j.ID, map[string]any{"kind": j.Kind, "year": j.Year, "org_id": j.OrgID}), nil
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// List is the caller's jobs, newest first.
func (s *Service) List(ctx context.Context, p *web.Principal, pg web.Page) ([]Job, int64, error) {
	if !p.HasAny(Roles...) {
		return nil, 0, web.Forbidden()
	}
	jobs, total, err := s.store.mine(ctx, p.UserID, pg)
	if err != nil {
		return nil, 0, web.Internal(err)
	}
	return jobs, total, nil
}

// Get is one of the caller's jobs; another user's job answers 404.
func (s *Service) Get(ctx context.Context, p *web.Principal, id uint64) (*Job, error) {
	if !p.HasAny(Roles...) {
		return nil, web.Forbidden()
	}
	return web.Load[Job](s.d.DB.WithContext(ctx).Where("requested_by = ?", p.UserID), id)
}

// errNotReady refuses the file of a job that has not finished.
var errNotReady = web.Conflict("report_not_ready", "报表尚未生成完成")

// File opens the finished report of one of the caller's jobs, after
// checking that its org is still in the caller's scope, and records the
// download in the audit log. The caller closes the reader.
func (s *Service) File(ctx context.Context, p *web.Principal, id uint64) (*Job, io.ReadCloser, error) {
	j, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.scopedOrg(ctx, p, j.OrgID); err != nil {
		return nil, nil, err
	}
	if j.State != StateDone || j.ObjectKey == "" {
		return nil, nil, errNotReady
	}
	// The body is written after the handler returns: the read must not die
	// with the request context.
	rc, _, err := s.d.Objects.Get(context.WithoutCancel(ctx), j.ObjectKey, 0, -1)
	if errors.Is(err, objects.ErrNotFound) {
		return nil, nil, web.NotFound()
	}
	if err != nil {
		if web.IsOutage(err) {
			return nil, nil, web.Unavailable("文件存储暂时不可用，请稍后重试").WithCause(err)
		}
		return nil, nil, web.Internal(err)
	}
	if err := s.d.Audit.Record(ctx, web.AuditBy(p, "export.report", "report_job", j.ID, map[string]any{"kind": j.Kind, "year": j.Year, "org_id": j.OrgID})); err != nil {
		_ = rc.Close()
		return nil, nil, web.AuditUnavailable(err)
	}
	return j, rc, nil
}
