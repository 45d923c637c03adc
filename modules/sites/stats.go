package sites

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
)

// Satisfaction is what the evaluations of some timetable sessions say:
// how many answered and the share satisfied (0–1).
type Satisfaction struct {
	Responses int
	Rate      float64
}

// Evaluations reads the satisfaction of timetable sessions (the assess
// module).
type Evaluations interface {
	SessionsSatisfaction(ctx context.Context, sessionIDs []uint64) (Satisfaction, error)
}

// SetEvaluations lets the usage statistics read the sessions' evaluations.
func (s *Service) SetEvaluations(e Evaluations) { s.evaluations = e }

// SiteUsage is one site's use in a year.
type SiteUsage struct {
	ID               uint64  `json:"id"`
	Name             string  `json:"name"`
	Category         string  `json:"category"`
	OrgName          string  `json:"org_name"`
	Sessions         int     `json:"sessions"` // confirmed bookings
	Held             int     `json:"held"`     // of those, the ones whose day has passed
	Trainees         int     `json:"trainees"` // people of the confirmed bookings
	Responses        int     `json:"responses"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
}

// CategoryUsage is one category's use in a year.
type CategoryUsage struct {
	Category         string  `json:"category"`
	Sites            int     `json:"sites"`
	Sessions         int     `json:"sessions"`
	Held             int     `json:"held"`
	Trainees         int     `json:"trainees"`
	Responses        int     `json:"responses"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
}

// StatsResponse is the usage of the caller's sites in a year.
type StatsResponse struct {
	Year       int             `json:"year"`
	Sites      []SiteUsage     `json:"sites"`
	Categories []CategoryUsage `json:"categories"`
}

// statsYear reads the year of the statistics: this year when empty.
func statsYear(s string) (int, error) {
	if s == "" {
		return time.Now().In(web.Shanghai).Year(), nil
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < 2000 || y > 2100 {
		return 0, web.Invalid(map[string]string{"year": "年份应为 2000 至 2100 的数字"})
	}
	return y, nil
}

// managed limits a query of sites to those the caller manages: the org
// department the city's, a unit administrator its subtree's.
func managed(p *web.Principal) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		if p.Has(web.RoleOrgAdmin) {
			return q
		}
		if p.Has(web.RoleUnitAdmin) && p.OrgPath != "" {
			return q.Where("org_path LIKE ?", web.Prefix(p.OrgPath))
		}
		return q.Where("1 = 0")
	}
}

// Stats counts, for the sites the caller manages, the confirmed bookings of
// the year, the people they brought, and the satisfaction the evaluations
// of the booked timetable sessions give; sites with no booking that year
// are listed while they are in use.
func (s *Service) Stats(ctx context.Context, p *web.Principal, year string) (StatsResponse, error) {
	if !p.HasAny(Managers...) {
		return StatsResponse{}, web.Forbidden()
	}
	y, err := statsYear(year)
	if err != nil {
		return StatsResponse{}, err
	}
	out := StatsResponse{Year: y, Sites: []SiteUsage{}, Categories: []CategoryUsage{}}
	from, to := fmt.Sprintf("%04d-01-01", y), fmt.Sprintf("%04d-12-31", y)
	var bookings []Booking
	if err := s.d.DB.WithContext(ctx).Select("site_id", "date", "group_size", "session_id").
		Where("status = ? AND date BETWEEN ? AND ?", BookingConfirmed, from, to).
		Where("site_id IN (?)", s.d.DB.Model(&Site{}).Scopes(managed(p)).Select("id")).
		Find(&bookings).Error; err != nil {
		return out, fmt.Errorf("sites: stats bookings: %w", err)
	}
	booked := map[uint64][]Booking{}
	for _, b := range bookings {
		booked[b.SiteID] = append(booked[b.SiteID], b)
	}
	var rows []Site
	q := s.d.DB.WithContext(ctx).Scopes(managed(p)).Where("status = ?", StatusInUse)
	if len(booked) > 0 {
		ids := make([]uint64, 0, len(booked))
		for id := range booked {
			ids = append(ids, id)
		}
		q = s.d.DB.WithContext(ctx).Scopes(managed(p)).Where("status = ? OR id IN ?", StatusInUse, ids)
	}
	if err := q.Order("category, name, id").Limit(exportLimit).Find(&rows).Error; err != nil {
		return out, fmt.Errorf("sites: stats sites: %w", err)
	}
	resp, err := s.responses(ctx, rows)
	if err != nil {
		return out, err
	}
	now := today()
	cats := map[string]*CategoryUsage{}
	catSessions := map[string][]uint64{}
	var order []string
	for i, site := range rows {
		u := SiteUsage{ID: site.ID, Name: site.Name, Category: site.Category, OrgName: resp[i].OrgName}
		var sessions []uint64
		for _, b := range booked[site.ID] {
			u.Sessions++
			u.Trainees += b.GroupSize
			if b.Date < now {
				u.Held++
			}
			if b.SessionID != 0 {
				sessions = append(sessions, b.SessionID)
			}
		}
		if u.Responses, u.SatisfactionRate, err = s.satisfaction(ctx, sessions); err != nil {
			return out, err
		}
		out.Sites = append(out.Sites, u)
		c := cats[site.Category]
		if c == nil {
			c = &CategoryUsage{Category: site.Category}
			cats[site.Category] = c
			order = append(order, site.Category)
		}
		c.Sites++
		c.Sessions += u.Sessions
		c.Held += u.Held
		c.Trainees += u.Trainees
		catSessions[site.Category] = append(catSessions[site.Category], sessions...)
	}
	sort.Strings(order)
	for _, name := range order {
		c := cats[name]
		if c.Responses, c.SatisfactionRate, err = s.satisfaction(ctx, catSessions[name]); err != nil {
			return out, err
		}
		out.Categories = append(out.Categories, *c)
	}
	return out, nil
}

// satisfaction asks the evaluations of the sessions; none when there are
// no sessions or no reader.
func (s *Service) satisfaction(ctx context.Context, sessions []uint64) (int, float64, error) {
	if len(sessions) == 0 || s.evaluations == nil {
		return 0, 0, nil
	}
	sat, err := s.evaluations.SessionsSatisfaction(ctx, sessions)
	if err != nil {
		return 0, 0, fmt.Errorf("sites: satisfaction: %w", err)
	}
	return sat.Responses, sat.Rate, nil
}

func (h *Handlers) stats(c *fiber.Ctx) error {
	out, err := h.svc.Stats(c.UserContext(), web.Caller(c), c.Query("year"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// pctText spells a rate as a percentage, "—" without responses.
func pctText(rate float64, responses int) string {
	if responses == 0 {
		return "—"
	}
	return strconv.FormatFloat(float64(int(rate*1000+0.5))/10, 'f', -1, 64) + "%"
}

// ExportStats records the export and returns a writer of the year's usage
// as a workbook: a sheet of sites and one of categories.
func (s *Service) ExportStats(ctx context.Context, p *web.Principal, year string) (func(w io.Writer) error, error) {
	st, err := s.Stats(ctx, p, year)
	if err != nil {
		return nil, err
	}
	if err := web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(*gorm.DB) (web.AuditEntry, error) {
		return web.AuditBy(p, "export.site_stats", "site", 0, map[string]any{"year": st.Year}), nil
	}); err != nil {
		return nil, err
	}
	return func(w io.Writer) error {
		x := excelize.NewFile()
		defer x.Close()
		if err := x.SetSheetName("Sheet1", "教学点"); err != nil {
			return err
		}
		if _, err := x.NewSheet("类别"); err != nil {
			return err
		}
		sw, err := x.NewStreamWriter("教学点")
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", []any{"教学点", "类别", "所属区县/单位", "确认场次", "已开展", "参训人次", "评估人数", "满意率"}); err != nil {
			return err
		}
		for i, u := range st.Sites {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, []any{text(u.Name), text(u.Category), text(u.OrgName), u.Sessions, u.Held, u.Trainees, u.Responses, text(pctText(u.SatisfactionRate, u.Responses))}); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		cw, err := x.NewStreamWriter("类别")
		if err != nil {
			return err
		}
		if err := cw.SetRow("A1", []any{"类别", "教学点数", "确认场次", "已开展", "参训人次", "评估人数", "满意率"}); err != nil {
			return err
		}
		for i, c := range st.Categories {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := cw.SetRow(cell, []any{text(c.Category), c.Sites, c.Sessions, c.Held, c.Trainees, c.Responses, text(pctText(c.SatisfactionRate, c.Responses))}); err != nil {
				return err
			}
		}
		if err := cw.Flush(); err != nil {
			return err
		}
		return x.Write(w)
	}, nil
}

func (h *Handlers) exportStats(c *fiber.Ctx) error {
	write, err := h.svc.ExportStats(c.UserContext(), web.Caller(c), c.Query("year"))
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "现场教学点使用统计.xlsx", h.log, write)
}

// statsData is the statistics page.
type statsData struct {
	Stats StatsResponse
	Years []int
}

func (h *Handlers) statsPage(c *fiber.Ctx) error {
	st, err := h.svc.Stats(c.UserContext(), web.Caller(c), c.Query("year"))
	if err != nil {
		return err
	}
	d := statsData{Stats: st}
	for y := time.Now().In(web.Shanghai).Year(); y >= time.Now().In(web.Shanghai).Year()-5; y-- {
		d.Years = append(d.Years, y)
	}
	if !containsInt(d.Years, st.Year) {
		d.Years = append(d.Years, st.Year)
	}
	return h.pages.Render(c, fiber.StatusOK, "sites/stats", "现场教学点使用统计", d)
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}
