package sites

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
)

// RouteRequest makes a teaching route of sites in visiting order.
type RouteRequest struct {
	Name  string        `json:"name"`
	Theme string        `json:"theme"`
	Stops []StopRequest `json:"stops"`
}

// StopRequest is one stop: the site, the minutes there, and the minutes of
// travel from the stop before (ignored on the first).
type StopRequest struct {
	SiteID        uint64 `json:"site_id"`
	StayMinutes   int    `json:"stay_minutes"`
	TravelMinutes int    `json:"travel_minutes"`
}

// RouteResponse is a route with its stops and total duration.
type RouteResponse struct {
	ID      uint64         `json:"id"`
	Name    string         `json:"name"`
	Theme   string         `json:"theme"`
	Minutes int            `json:"total_minutes"`
	Stops   []StopResponse `json:"stops"`
}

// StopResponse is one stop of a route.
type StopResponse struct {
	Seq           int    `json:"seq"`
	SiteID        uint64 `json:"site_id"`
	SiteName      string `json:"site_name"`
	StayMinutes   int    `json:"stay_minutes"`
	TravelMinutes int    `json:"travel_minutes"`
}

// maxStops bounds a route (a day's visit).
const maxStops = 20

// Validate checks the shape of a route request.
func (in *RouteRequest) Validate() error {
	errs := map[string]string{}
	if in.Name == "" || tooLong(in.Name, 200) {
		errs["name"] = "请填写线路名称（200 字以内）"
	}
	if tooLong(in.Theme, 200) {
		errs["theme"] = "主题不超过 200 字"
	}
	if len(in.Stops) < 2 || len(in.Stops) > maxStops {
		errs["stops"] = "线路应包含 2 至 20 个教学点"
	}
	seen := map[uint64]bool{}
	for i, st := range in.Stops {
		key := "stops." + strconv.Itoa(i)
		switch {
		case st.SiteID == 0 || seen[st.SiteID]:
			errs[key+".site_id"] = "请选择教学点，且同一教学点只出现一次"
		case st.StayMinutes < 10 || st.StayMinutes > 480:
			errs[key+".stay_minutes"] = "停留时间应为 10 至 480 分钟"
		case st.TravelMinutes < 0 || st.TravelMinutes > 600 || (i > 0 && st.TravelMinutes == 0):
			errs[key+".travel_minutes"] = "请填写自上一站的路程时间（分钟）"
		}
		seen[st.SiteID] = true
	}
	if len(errs) > 0 {
		return web.Invalid(errs)
	}
	return nil
}

// CreateRoute makes a route of sites the caller sees in use; its total is
// the stays plus the travel between stops.
func (s *Service) CreateRoute(ctx context.Context, p *web.Principal, in RouteRequest) (RouteResponse, error) {
	in.Name, in.Theme = strings.TrimSpace(in.Name), strings.TrimSpace(in.Theme)
	if len(in.Stops) > 0 {
		in.Stops[0].TravelMinutes = 0
	}
	if err := in.Validate(); err != nil {
		return RouteResponse{}, err
	}
	r := Route{Name: in.Name, Theme: in.Theme, OrgPath: p.OrgPath, CreatedBy: p.UserID}
	for _, st := range in.Stops {
		r.Minutes += st.StayMinutes + st.TravelMinutes
	}
	err := web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		for i, st := range in.Stops {
			site, err := s.load(ctx, tx, p, st.SiteID)
			if err != nil || site.Status != StatusInUse {
				return web.AuditEntry{}, web.Invalid(map[string]string{"stops." + strconv.Itoa(i) + ".site_id": "教学点不存在或未在使用中"})
			}
		}
		r.ID = 0
		if err := tx.Create(&r).Error; err != nil {
			return web.AuditEntry{}, err
		}
		for i, st := range in.Stops {
			if err := tx.Create(&Stop{RouteID: r.ID, Seq: i + 1, SiteID: st.SiteID, StayMinutes: st.StayMinutes, TravelMinutes: st.TravelMinutes}).Error; err != nil {
				return web.AuditEntry{}, err
			}
		}
		return web.AuditBy(p, "site_route.create", "site_route", r.ID, map[string]any{"name": r.Name, "stops": len(in.Stops)}), nil
	})
	if err != nil {
		return RouteResponse{}, err
	}
	return s.Route(ctx, p, r.ID)
}

// Route returns a route with its stops.
func (s *Service) Route(ctx context.Context, p *web.Principal, id uint64) (RouteResponse, error) {
	var r Route
	err := s.d.DB.WithContext(ctx).First(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return RouteResponse{}, web.NotFound()
	}
	if err != nil {
		return RouteResponse{}, fmt.Errorf("sites: route: %w", err)
	}
	var stops []Stop
	if err := s.d.DB.WithContext(ctx).Where("route_id = ?", id).Order("seq").Find(&stops).Error; err != nil {
		return RouteResponse{}, fmt.Errorf("sites: route stops: %w", err)
	}
	ids := make([]uint64, len(stops))
	for i, st := range stops {
		ids[i] = st.SiteID
	}
	var sites []Site
	if err := s.d.DB.WithContext(ctx).Scopes(visible(p)).Where("id IN ?", ids).Find(&sites).Error; err != nil {
		return RouteResponse{}, fmt.Errorf("sites: route sites: %w", err)
	}
	if len(sites) < len(stops) {
		return RouteResponse{}, web.NotFound() // a stop the caller may not see
	}
	names := map[uint64]string{}
	for _, site := range sites {
		names[site.ID] = site.Name
	}
	out := RouteResponse{ID: r.ID, Name: r.Name, Theme: r.Theme, Minutes: r.Minutes, Stops: make([]StopResponse, len(stops))}
	for i, st := range stops {
		out.Stops[i] = StopResponse{Seq: st.Seq, SiteID: st.SiteID, SiteName: names[st.SiteID], StayMinutes: st.StayMinutes, TravelMinutes: st.TravelMinutes}
	}
	return out, nil
}

// Routes lists the routes the caller may see in full, newest first.
func (s *Service) Routes(ctx context.Context, p *web.Principal) ([]RouteResponse, error) {
	var ids []uint64
	if err := s.d.DB.WithContext(ctx).Model(&Route{}).Order("created_at DESC").Limit(200).Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("sites: routes: %w", err)
	}
	out := []RouteResponse{}
	for _, id := range ids {
		r, err := s.Route(ctx, p, id)
		if web.IsStatus(err, fiber.StatusNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (h *Handlers) routes(c *fiber.Ctx) error {
	out, err := h.svc.Routes(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) route(c *fiber.Ctx) error {
	_, out, err := web.WithID(c, h.svc.Route)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) createRoute(c *fiber.Ctx) error {
	out, err := web.WithBody(c, h.svc.CreateRoute)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}
