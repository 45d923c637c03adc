package sites

import (
	"context"

	"fmt"
	"sort"
	"strings"
	"time"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
)

// Courses names catalog courses (the catalog module); a missing id is
// absent from the map.
type Courses interface {
	CourseTitles(ctx context.Context, ids []uint64) (map[uint64]string, error)
	// CourseChoices lists published courses to pick from, newest first.
	CourseChoices(ctx context.Context, limit int) ([]CourseChoice, error)
}

// CourseChoice is a published course offered in the link form.
type CourseChoice struct {
	ID    uint64
	Title string
}

// SetCourses lets sites name the premium courses taught there.
func (s *Service) SetCourses(c Courses) { s.courses = c }

// CourseLinkRequest links a premium course of the catalog to a site with
// the guide who gives it.
type CourseLinkRequest struct {
	CourseID  uint64 `json:"course_id"`
	GuideName string `json:"guide_name"`
}

// SiteCourseResponse is a premium course taught at a site.
type SiteCourseResponse struct {
	CourseID  uint64 `json:"course_id"`
	Title     string `json:"title"`
	GuideName string `json:"guide_name"`
}

// JointSite is one in-use site of a district in the joint view.
type JointSite struct {
	ID       uint64               `json:"id"`
	Name     string               `json:"name"`
	Category string               `json:"category"`
	HostName string               `json:"host_name"`
	Courses  []SiteCourseResponse `json:"courses"`
	Shared   int                  `json:"shared_bookings"` // confirmed bookings of classes from outside the district
}

// JointDistrict is one district's part of the joint conference view.
type JointDistrict struct {
	OrgID  uint64      `json:"org_id"`
	Name   string      `json:"name"`
	Sites  []JointSite `json:"sites"`
	Shared int         `json:"shared_bookings"`
}

// JointResponse is the joint conference (联席会议) view of the city.
type JointResponse struct {
	Year      int             `json:"year"`
	Districts []JointDistrict `json:"districts"`
}

// LinkCourse links a catalog course to a site the caller manages, with
// its guide (讲解员): 400 for a course that does not exist, 409 when it is
// linked already.
func (s *Service) LinkCourse(ctx context.Context, p *web.Principal, siteID uint64, in CourseLinkRequest) (SiteCourseResponse, error) {
	in.GuideName = strings.TrimSpace(in.GuideName)
	errs := map[string]string{}
	if in.CourseID == 0 {
		errs["course_id"] = "请选择课程"
	}
	if in.GuideName == "" || tooLong(in.GuideName, 100) {
		errs["guide_name"] = "请填写讲解员姓名（100 字以内）"
	}
	if len(errs) > 0 {
		return SiteCourseResponse{}, web.Invalid(errs)
	}
	site, err := s.load(ctx, s.d.DB, p, siteID)
	if err != nil {
		return SiteCourseResponse{}, err
	}
	if !canManage(p, site) {
		return SiteCourseResponse{}, web.Forbidden()
	}
	if s.courses == nil {
		return SiteCourseResponse{}, web.Invalid(map[string]string{"course_id": "无法读取课程"})
	}
	titles, err := s.courses.CourseTitles(ctx, []uint64{in.CourseID})
	if err != nil {
		return SiteCourseResponse{}, fmt.Errorf("sites: course: %w", err)
	}
	title, ok := titles[in.CourseID]
	if !ok {
		return SiteCourseResponse{}, web.Invalid(map[string]string{"course_id": "课程不存在"})
	}
	err = web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if site.Status == StatusWithdrawn {
			return web.AuditEntry{}, web.Conflict("wrong_state", "教学点已撤销")
		}
		var n int64
		if err := tx.Model(&SiteCourse{}).Where("site_id = ? AND course_id = ?", siteID, in.CourseID).Count(&n).Error; err != nil {
			return web.AuditEntry{}, err
		}
		if n > 0 {
			return web.AuditEntry{}, web.Conflict("duplicate", "该课程已列入本教学点")
		}
		if err := tx.Create(&SiteCourse{SiteID: siteID, CourseID: in.CourseID, GuideName: in.GuideName, CreatedBy: p.UserID}).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "site.course.link", "site", siteID, map[string]any{"course_id": in.CourseID, "title": title, "guide_name": in.GuideName}), nil
	})
	if err != nil {
		return SiteCourseResponse{}, err
	}
	return SiteCourseResponse{CourseID: in.CourseID, Title: title, GuideName: in.GuideName}, nil
}

// UnlinkCourse removes a course from a site the caller manages.
func (s *Service) UnlinkCourse(ctx context.Context, p *web.Principal, siteID, courseID uint64) error {
	site, err := s.load(ctx, s.d.DB, p, siteID)
	if err != nil {
		return err
	}
	if !canManage(p, site) {
		return web.Forbidden()
	}
	return web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		res := tx.Where("site_id = ? AND course_id = ?", siteID, courseID).Delete(&SiteCourse{})
		if res.Error != nil {
			return web.AuditEntry{}, res.Error
		}
		if res.RowsAffected == 0 {
			return web.AuditEntry{}, web.NotFound()
		}
		return web.AuditBy(p, "site.course.unlink", "site", siteID, map[string]any{"course_id": courseID}), nil
	})
}

// SiteCourses lists the premium courses of a site the caller may see.
func (s *Service) SiteCourses(ctx context.Context, p *web.Principal, siteID uint64) ([]SiteCourseResponse, error) {
	if _, err := s.load(ctx, s.d.DB, p, siteID); err != nil {
		return nil, err
	}
	m, err := s.coursesOf(ctx, []uint64{siteID})
	if err != nil {
		return nil, err
	}
	if m[siteID] == nil {
		return []SiteCourseResponse{}, nil
	}
	return m[siteID], nil
}

// coursesOf reads the premium courses of sites, named by the catalog.
func (s *Service) coursesOf(ctx context.Context, siteIDs []uint64) (map[uint64][]SiteCourseResponse, error) {
	var links []SiteCourse
	if err := s.d.DB.WithContext(ctx).Where("site_id IN ?", siteIDs).Order("site_id, created_at, course_id").Find(&links).Error; err != nil {
		return nil, fmt.Errorf("sites: site courses: %w", err)
	}
	titles := map[uint64]string{}
	if len(links) > 0 && s.courses != nil {
		ids := make([]uint64, len(links))
		for i, l := range links {
			ids[i] = l.CourseID
		}
		var err error
		if titles, err = s.courses.CourseTitles(ctx, ids); err != nil {
			return nil, fmt.Errorf("sites: course titles: %w", err)
		}
	}
	out := map[uint64][]SiteCourseResponse{}
	for _, l := range links {
		title, ok := titles[l.CourseID]
		if !ok {
			continue // a course since deleted
		}
		out[l.SiteID] = append(out[l.SiteID], SiteCourseResponse{CourseID: l.CourseID, Title: title, GuideName: l.GuideName})
	}
	return out, nil
}

// Joint is the joint conference view for the org department and the
// districts alike (read-only): per district its sites in use, their
// premium courses and guides, and how often classes from outside the
// district booked them in the year.
func (s *Service) Joint(ctx context.Context, p *web.Principal, year string) (JointResponse, error) {
	if !p.HasAny(Managers...) {
		return JointResponse{}, web.Forbidden()
	}
	y, err := statsYear(year)
	if err != nil {
		return JointResponse{}, err
	}
	out := JointResponse{Year: y, Districts: []JointDistrict{}}
	var rows []Site
	if err := s.d.DB.WithContext(ctx).Where("status = ?", StatusInUse).Order("name, id").Limit(exportLimit).Find(&rows).Error; err != nil {
		return out, fmt.Errorf("sites: joint sites: %w", err)
	}
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]uint64, len(rows))
	orgIDs := make([]uint64, 0, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
		orgIDs = append(orgIDs, r.OrgID)
	}
	courses, err := s.coursesOf(ctx, ids)
	if err != nil {
		return out, err
	}
	var bookings []Booking
	if err := s.d.DB.WithContext(ctx).Select("site_id", "org_id").Where("site_id IN ? AND status = ? AND date BETWEEN ? AND ?", ids, BookingConfirmed,
		fmt.Sprintf("%04d-01-01", y), fmt.Sprintf("%04d-12-31", y)).Find(&bookings).Error; err != nil {
		return out, fmt.Errorf("sites: joint bookings: %w", err)
	}
	for _, b := range bookings {
		orgIDs = append(orgIDs, b.OrgID)
	}
	orgs, err := s.d.Orgs.Orgs(ctx, orgIDs)
	if err != nil {
		return out, fmt.Errorf("sites: joint orgs: %w", err)
	}
	shared := map[uint64]int{}
	paths := map[uint64]string{}
	for _, r := range rows {
		paths[r.ID] = r.OrgPath
	}
	for _, b := range bookings {
		booker, ok := orgs[b.OrgID]
		if !ok || !strings.HasPrefix(booker.Path, paths[b.SiteID]) {
			shared[b.SiteID]++
		}
	}
	byOrg := map[uint64]*JointDistrict{}
	for _, r := range rows {
		d := byOrg[r.OrgID]
		if d == nil {
			d = &JointDistrict{OrgID: r.OrgID, Name: orgs[r.OrgID].Name}
			byOrg[r.OrgID] = d
		}
		cs := courses[r.ID]
		if cs == nil {
			cs = []SiteCourseResponse{}
		}
		d.Sites = append(d.Sites, JointSite{ID: r.ID, Name: r.Name, Category: r.Category, HostName: r.HostName, Courses: cs, Shared: shared[r.ID]})
		d.Shared += shared[r.ID]
	}
	for _, d := range byOrg {
		out.Districts = append(out.Districts, *d)
	}
	sort.Slice(out.Districts, func(i, j int) bool {
		a, b := orgs[out.Districts[i].OrgID].Path, orgs[out.Districts[j].OrgID].Path
		return a < b || a == b && out.Districts[i].OrgID < out.Districts[j].OrgID
	})
	return out, nil
}

func (h *Handlers) joint(c *fiber.Ctx) error {
	out, err := h.svc.Joint(c.UserContext(), web.Caller(c), c.Query("year"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) jointPage(c *fiber.Ctx) error {
	out, err := h.svc.Joint(c.UserContext(), web.Caller(c), c.Query("year"))
	if err != nil {
		return err
	}
	years := []int{}
	for y := time.Now().In(web.Shanghai).Year(); y >= time.Now().In(web.Shanghai).Year()-5; y-- {
		years = append(years, y)
	}
	return h.pages.Render(c, fiber.StatusOK, "sites/joint", "联席会议", struct {
		J     JointResponse
		Years []int
	}{out, years})
}

func (h *Handlers) siteCourses(c *fiber.Ctx) error {
	_, out, err := web.WithID(c, h.svc.SiteCourses)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) linkCourse(c *fiber.Ctx) error {
	_, out, err := web.WithIDBody(c, h.svc.LinkCourse)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *Handlers) unlinkCourse(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	course, err := web.ParamID(c, "course_id")
	if err != nil {
		return err
	}
	if err := h.svc.UnlinkCourse(c.UserContext(), web.Caller(c), id, course); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Handlers) linkCourseForm(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	course, _ := web.ParseUint(strings.TrimSpace(c.FormValue("course_id")))
	if _, err := h.svc.LinkCourse(c.UserContext(), web.Caller(c), id, CourseLinkRequest{CourseID: course, GuideName: c.FormValue("guide_name")}); err != nil {
		return h.formError(c, err)
	}
	web.Flash(c, "已列入精品课程")
	return c.Redirect(fmt.Sprintf("%s/%d#site-courses", AdminPath, id), fiber.StatusSeeOther)
}

func (h *Handlers) unlinkCourseForm(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	course, err := web.ParamID(c, "course_id")
	if err != nil {
		return err
	}
	if err := h.svc.UnlinkCourse(c.UserContext(), web.Caller(c), id, course); err != nil {
		return err
	}
	web.Flash(c, "已移出精品课程")
	return c.Redirect(fmt.Sprintf("%s/%d#site-courses", AdminPath, id), fiber.StatusSeeOther)
}

// courseChoices lists the courses the link form offers.
func (s *Service) courseChoices(ctx context.Context) ([]CourseChoice, error) {
	if s.courses == nil {
		return nil, nil
	}
	return s.courses.CourseChoices(ctx, 200)
}
