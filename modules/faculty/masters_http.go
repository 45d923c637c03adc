package faculty

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// MastersPath is the page of the 名师 designation.
const MastersPath = AdminPath + "/masters"

func (h *Handlers) masterCandidates(c *fiber.Ctx) error {
	out, err := h.svc.MasterCandidates(c.UserContext(), web.Caller(c), c.QueryInt("year"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) masters(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	items, total, err := h.svc.Masters(c.UserContext(), web.Caller(c), pg)
	if err != nil {
		return err
	}
	return c.JSON(web.NewList(items, total, pg))
}

func (h *Handlers) decideMaster(c *fiber.Ctx) error {
	_, out, err := web.WithIDBody(c, h.svc.DecideMaster)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *Handlers) reviewMasters(c *fiber.Ctx) error {
	var in ReviewRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := h.svc.ReviewMasters(c.UserContext(), web.Caller(c), in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// mastersHeader are the columns of the 名师 export.
var mastersHeader = []any{"姓名", "授予年度", "授予时间", "年度授课学时", "评估份数", "满意率"}

// exportMasters streams the standing 名师 the caller manages.
func (h *Handlers) exportMasters(c *fiber.Ctx) error {
	p := web.Caller(c)
	if !canManage(p) {
		return web.Forbidden()
	}
	return h.streamSheet(c, "master-teachers.xlsx", "名师", mastersHeader, func(ctx context.Context, add func([]any) error) error {
		for page := 1; ; page++ {
			items, _, err := h.svc.Masters(ctx, p, web.Page{Page: page, PageSize: 500})
			if err != nil {
				return err
			}
			for _, m := range items {
				if err := add([]any{m.TeacherName, m.Year, m.DecidedAt.In(web.Shanghai).Format("2006-01-02 15:04"), m.Hours.String(), m.Responses,
					fmt.Sprintf("%.1f%%", m.SatisfactionRate*100)}); err != nil {
					return err
				}
			}
			if len(items) < 500 {
				return nil
			}
		}
	})
}

// mastersPage shows the year's candidates with the decision forms, the
// standing 名师 and the review; problem is why a decision was refused.
func (h *Handlers) mastersPage(c *fiber.Ctx) error { return h.renderMasters(c, fiber.StatusOK, "") }

func (h *Handlers) renderMasters(c *fiber.Ctx, code int, problem string) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	p := web.Caller(c)
	year := formInt(c, "year")
	cands, err := h.svc.MasterCandidates(c.UserContext(), p, year)
	if err != nil {
		return err
	}
	items, total, err := h.svc.Masters(c.UserContext(), p, pg)
	if err != nil {
		return err
	}
	return h.pages.Render(c, code, "faculty/masters", "名师评选", map[string]any{"C": cands, "List": web.NewList(items, total, pg), "Problem": problem,
		"Years": recentYears(h.svc.now().In(web.Shanghai).Year(), 5)})
}

// formInt reads a number from the form or, failing that, the query.
func formInt(c *fiber.Ctx, key string) int {
	v := c.FormValue(key)
	if v == "" {
		v = c.Query(key)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(v))
	return n
}

// recentYears are this year and the n-1 before it, newest first.
func recentYears(this, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = this - i
	}
	return out
}

// decideSubmit records a decision from the candidates' forms.
func (h *Handlers) decideSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in := MasterRequest{Year: formInt(c, "year"), Decision: c.FormValue("decision"), Reason: c.FormValue("reason")}
	out, err := h.svc.DecideMaster(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		return h.refusedOn(c, err, h.renderMasters)
	}
	web.Flash(c, fmt.Sprintf("%s：%d 年度%s名师称号", out.TeacherName, out.Year, out.DecisionName))
	return c.Redirect(fmt.Sprintf("%s?year=%d", MastersPath, out.Year), fiber.StatusSeeOther)
}

// reviewSubmit runs the yearly review from the page.
func (h *Handlers) reviewSubmit(c *fiber.Ctx) error {
	out, err := h.svc.ReviewMasters(c.UserContext(), web.Caller(c), ReviewRequest{Year: formInt(c, "year")})
	if err != nil {
		return h.refusedOn(c, err, h.renderMasters)
	}
	web.Flash(c, fmt.Sprintf("%d 年度复核完成：复核 %d 人，撤销 %d 人", out.Year, out.Checked, len(out.Revoked)))
	return c.Redirect(fmt.Sprintf("%s?year=%d", MastersPath, out.Year), fiber.StatusSeeOther)
}

// refusedOn shows a page again with the reason a form was refused; not
// found, forbidden and failures go to the error page.
func (h *Handlers) refusedOn(c *fiber.Ctx, err error, render func(*fiber.Ctx, int, string) error) error {
	we := web.AsError(err)
	if we.Status >= 500 || we.Status == fiber.StatusNotFound || we.Status == fiber.StatusForbidden {
		return err
	}
	return render(c, we.Status, we.Message+fieldText(we.Fields))
}
