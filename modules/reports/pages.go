package reports

import (
	"strconv"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// orgOption is one org of the page's unit picker, indented by depth.
type orgOption struct {
	ID    uint64
	Label string
}

// pickerLimit bounds the unit picker; deeper orgs are asked for by id.
const pickerLimit = 2000

// pageData is what the reports page shows.
type pageData struct {
	Kinds    []kindOption
	Years    []int
	Year     int
	Kind     string
	OrgID    uint64
	Orgs     []orgOption
	Jobs     web.List[JobResponse]
	Pages    int
	Errors   map[string]string
	Message  string
	Progress map[uint64]int // percent done of each job
}

type kindOption struct{ Value, Name string }

func (h *Handlers) page(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, h.svc.CurrentYear(), KindHours, 0, nil, "")
}

// submit is the page's form: it queues the report and comes back to the
// page, where the list shows the new job.
func (h *Handlers) submit(c *fiber.Ctx) error {
	year, _ := strconv.Atoi(c.FormValue("year"))
	orgID, _ := strconv.ParseUint(c.FormValue("org_id"), 10, 64)
	in := ReportRequest{Kind: c.FormValue("kind"), Year: year, OrgID: orgID}
	j, err := h.svc.Request(c.UserContext(), web.Caller(c), in)
	if err != nil {
		e := web.AsError(err)
		if e.Status == fiber.StatusBadRequest {
			return h.render(c, fiber.StatusBadRequest, year, in.Kind, orgID, e.Fields, e.Message)
		}
		return err
	}
	web.Flash(c, "已提交："+KindNames[j.Kind]+"（"+j.OrgName+"，"+strconv.Itoa(j.Year)+" 年），正在后台生成")
	return c.Redirect(PagePath, fiber.StatusSeeOther)
}

func (h *Handlers) render(c *fiber.Ctx, status, year int, kind string, orgID uint64, errs map[string]string, msg string) error {
	ctx, p := c.UserContext(), web.Caller(c)
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	jobs, total, err := h.svc.List(ctx, p, pg)
	if err != nil {
		return err
	}
	items := make([]JobResponse, len(jobs))
	progress := map[uint64]int{}
	for i := range jobs {
		items[i] = jobResponse(&jobs[i])
		progress[jobs[i].ID] = percent(&jobs[i])
	}
	scope, err := h.svc.scopedOrg(ctx, p, 0)
	if err != nil {
		return err
	}
	orgs, err := h.svc.d.Directory.Subtree(ctx, scope.Path)
	if err != nil {
		return web.Internal(err)
	}
	d := pageData{Years: yearsUpTo(h.svc.CurrentYear()), Year: year, Kind: kind, OrgID: orgID, Errors: errs, Message: msg, Progress: progress,
		Jobs: web.NewList(items, total, pg)}
	if d.OrgID == 0 {
		d.OrgID = scope.ID
	}
	d.Pages = int((total + int64(pg.PageSize) - 1) / int64(pg.PageSize))
	for _, k := range Kinds {
		d.Kinds = append(d.Kinds, kindOption{Value: k, Name: KindNames[k]})
	}
	base := strings.Count(scope.Path, "/")
	for i, o := range orgs {
		if i == pickerLimit {
			break
		}
		d.Orgs = append(d.Orgs, orgOption{ID: o.ID, Label: strings.Repeat("　", strings.Count(o.Path, "/")-base) + o.Name})
	}
	return h.pages.Render(c, status, "reports/index", "统计报表", d)
}

// percent is how far a job has come, 0..100.
func percent(j *Job) int {
	if j.State == StateDone {
		return 100
	}
	if j.ProgressAll <= 0 {
		return 0
	}
	return j.ProgressDone * 100 / j.ProgressAll
}

// yearsUpTo is this year and the four before.
func yearsUpTo(cur int) []int { return []int{cur, cur - 1, cur - 2, cur - 3, cur - 4} }
