package training

import (
	"fmt"
	"net/url"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// unitPages are the unit administrator's pages (调训报名): the classes open
// to the unit, and per class the nomination of cadres, withdrawal and
// replacement.
func (h *Handlers) unitPages(r fiber.Router) {
	units := web.RequireRole(web.RoleUnitAdmin, web.RoleOrgAdmin)
	r.Get("/unit/classes", units, h.unitClassesPage)
	r.Get("/unit/classes/:id", units, h.unitClassPage)
	r.Post("/unit/classes/:id/nominate", units, h.unitNominateSubmit)
	r.Post("/unit/registrations/:rid/withdraw", units, h.unitWithdrawSubmit)
	r.Post("/unit/registrations/:rid/replace", units, h.unitReplaceSubmit)
}

// unitMaxCandidates bounds the people search of the nomination page.
const unitMaxCandidates = 50

// unitCard is a class with the unit's use of it.
type unitCard struct {
	ClassSummary
	Dates     string
	Closes    string
	SeatsLeft int
	Use       UnitUse
	Shared    bool // the class shares its seats out among units
}

type unitClassesData struct {
	Open []unitCard
	Past []unitCard // registration closed, the unit has cadres in it
}

func (h *Handlers) unitClassesPage(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), web.Caller(c)
	open, err := h.svc.OpenClasses(ctx, p)
	if err != nil {
		return err
	}
	d := unitClassesData{Open: []unitCard{}, Past: []unitCard{}}
	seen := map[uint64]bool{}
	card := func(cl *Class) (unitCard, error) {
		s := h.svc.Summary(ctx, cl)
		use, err := h.svc.UnitUseOf(ctx, p, cl.ID)
		if err != nil {
			return unitCard{}, err
		}
		quotas, err := h.svc.Quotas(ctx, cl.ID)
		return unitCard{ClassSummary: s, Dates: learnerSpan(s.StartsOn, s.EndsOn), Closes: learnerStamp(s.ClosesAt), SeatsLeft: max(s.Quota-s.Enrolled, 0),
			Use: use, Shared: len(quotas) > 0}, err
	}
	for i := range open {
		x, err := card(&open[i])
		if err != nil {
			return err
		}
		seen[x.ID] = true
		d.Open = append(d.Open, x)
	}
	past, err := h.svc.UnitClasses(ctx, p, 50)
	if err != nil {
		return err
	}
	for i := range past {
		if seen[past[i].ID] || !published(past[i].Status) {
			continue
		}
		x, err := card(&past[i])
		if err != nil {
			return err
		}
		d.Past = append(d.Past, x)
	}
	return h.pages.Render(c, fiber.StatusOK, "training/unit_classes", "调训报名", d)
}

// unitCandidate is a cadre the unit admin may nominate.
type unitCandidate struct {
	Person
	Status string // the name of their registration's status, if any
	Tone   string
	Taken  bool // an active registration: cannot be nominated again
}

// unitNominee is one of the unit's registrations in the class.
type unitNominee struct {
	RegistrationResponse
	Tone   string
	Flags  []string
	Active bool
}

type unitClassData struct {
	Class        ClassResponse
	Dates        string
	RegCloses    string
	SeatsLeft    int
	Use          UnitUse
	Shared       bool
	CanNominate  bool
	NominateHint string
	CanChange    bool // withdraw and replace: before the class starts
	Q            string
	Candidates   []unitCandidate
	Free         []unitCandidate // who may replace a nominee
	Nominees     []unitNominee
	Selected     map[uint64]bool
	Error        string
}

func (h *Handlers) unitClassPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.unitRenderClass(c, fiber.StatusOK, id, c.Query("q"), "", nil)
}

// unitRenderClass shows the nomination page, with the message of a
// refused action and the cadres that were ticked.
func (h *Handlers) unitRenderClass(c *fiber.Ctx, status int, id uint64, q, alert string, selected map[uint64]bool) error {
	ctx, p := c.UserContext(), web.Caller(c)
	cl, detail, err := h.svc.ClassDetail(ctx, p, id)
	if err != nil {
		return err
	}
	use, err := h.svc.UnitUseOf(ctx, p, id)
	if err != nil {
		return err
	}
	regs, _, err := h.svc.ClassRegistrations(ctx, p, id, RegistrationFilter{}, web.Page{Page: 1, PageSize: 1000})
	if err != nil {
		return err
	}
	q = strings.TrimSpace(q)
	people, err := h.svc.people.Search(ctx, p, q, unitMaxCandidates)
	if err != nil {
		return err
	}
	now := h.svc.now()
	d := unitClassData{Class: detail, Dates: learnerSpan(detail.StartsOn, detail.EndsOn), SeatsLeft: max(detail.Quota-detail.Enrolled, 0),
		Use: use, Shared: len(detail.Quotas) > 0, Q: q, Selected: selected, Error: alert,
		CanChange: (cl.Status == StatusOpen || cl.Status == StatusClosed) && !cl.Started(now)}
	if d.Selected == nil {
		d.Selected = map[uint64]bool{}
	}
	if detail.RegistrationClosesAt != nil {
		d.RegCloses = learnerStamp(*detail.RegistrationClosesAt)
	}
	switch {
	case detail.Status != StatusOpen:
		d.NominateHint = "本班次当前不在报名期（" + detail.StatusName + "），不能再推荐人选。"
	case now.Before(cl.RegOpensAt):
		d.NominateHint = "报名尚未开始，开始时间：" + learnerStamp(cl.RegOpensAt)
	default:
		d.CanNominate = true
	}
	byUser := map[uint64]RegistrationResponse{}
	for _, r := range regs {
		d.Nominees = append(d.Nominees, unitNominee{RegistrationResponse: r, Tone: learnerTone(r.Status), Flags: learnerFlags(r.Flags), Active: learnerActive(r.Status)})
		if prev, ok := byUser[r.UserID]; !ok || !learnerActive(prev.Status) {
			byUser[r.UserID] = r
		}
	}
	for _, u := range people {
		x := unitCandidate{Person: u}
		if r, ok := byUser[u.ID]; ok {
			x.Status, x.Tone, x.Taken = r.StatusName, learnerTone(r.Status), learnerActive(r.Status)
		}
		d.Candidates = append(d.Candidates, x)
		if !x.Taken {
			d.Free = append(d.Free, x)
		}
	}
	return h.pages.Render(c, status, "training/unit_class", detail.Title+" - 调训报名", d)
}

func unitClassURL(id uint64, q string) string {
	u := fmt.Sprintf("/unit/classes/%d", id)
	if q = strings.TrimSpace(q); q != "" {
		u += "?q=" + url.QueryEscape(q)
	}
	return u
}

// unitNominateSubmit registers each ticked cadre and tells, in one message,
// who was nominated with what result and who was not, and why.
func (h *Handlers) unitNominateSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ctx, p := c.UserContext(), web.Caller(c)
	q := c.FormValue("q")
	var ids []uint64
	selected := map[uint64]bool{}
	for _, v := range c.Request().PostArgs().PeekMulti("user_id") {
		uid, err := web.ParseUint(string(v))
		if err != nil || uid == 0 || selected[uid] {
			continue
		}
		selected[uid] = true
		ids = append(ids, uid)
	}
	if len(ids) == 0 {
		return h.unitRenderClass(c, fiber.StatusBadRequest, id, q, "请先勾选要推荐的干部。", nil)
	}
	if len(ids) > unitMaxCandidates {
		return h.unitRenderClass(c, fiber.StatusBadRequest, id, q, fmt.Sprintf("一次最多推荐 %d 人。", unitMaxCandidates), selected)
	}
	known, err := h.svc.people.People(ctx, ids)
	if err != nil {
		return web.Internal(err)
	}
	name := func(uid uint64) string {
		// Only the names of the admin's own cadres: an id from elsewhere
		// must not reveal who it is.
		if u, ok := known[uid]; ok && p.InScope(u.OrgPath) {
			return u.Name
		}
		return fmt.Sprintf("用户 %d", uid)
	}
	outcomes, err := h.svc.Nominate(ctx, p, id, ids)
	if err != nil {
		return err
	}
	var done, failed []string
	for _, x := range outcomes {
		if x.Err != nil {
			_, msg, ok := learnerRefusal(x.Err)
			if !ok {
				return x.Err
			}
			failed = append(failed, name(x.UserID)+"（"+msg+"）")
			continue
		}
		done = append(done, name(x.UserID)+"（"+RegStatusNames[x.Registration.Status]+"）")
	}
	if len(done) == 0 {
		return h.unitRenderClass(c, fiber.StatusUnprocessableEntity, id, q, "未能推荐："+strings.Join(failed, "、"), selected)
	}
	msg := fmt.Sprintf("已推荐 %d 人：%s", len(done), strings.Join(done, "、"))
	if len(failed) > 0 {
		msg += "；未能推荐：" + strings.Join(failed, "、")
	}
	web.Flash(c, msg)
	return c.Redirect(unitClassURL(id, q), fiber.StatusSeeOther)
}

// unitRefused shows the nomination page again with the reason an action on
// a registration was refused.
func (h *Handlers) unitRefused(c *fiber.Ctx, err error) error {
	we, msg, ok := learnerRefusal(err)
	classID, perr := web.ParseUint(c.FormValue("class_id"))
	if !ok || perr != nil || classID == 0 {
		return err
	}
	return h.unitRenderClass(c, we.Status, classID, c.FormValue("q"), msg, nil)
}

func (h *Handlers) unitWithdrawSubmit(c *fiber.Ctx) error {
	rid, err := web.ParamID(c, "rid")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	r, err := h.svc.Withdraw(ctx, web.Caller(c), rid)
	if err != nil {
		return h.unitRefused(c, err)
	}
	who := "该学员"
	if u, err := h.svc.people.Person(ctx, r.UserID); err == nil && u != nil {
		who = u.Name
	}
	web.Flash(c, who+" 已退出本班次，名额已释放")
	return c.Redirect(unitClassURL(r.ClassID, c.FormValue("q")), fiber.StatusSeeOther)
}

func (h *Handlers) unitReplaceSubmit(c *fiber.Ctx) error {
	rid, err := web.ParamID(c, "rid")
	if err != nil {
		return err
	}
	ctx, p := c.UserContext(), web.Caller(c)
	uid, _ := web.ParseUint(c.FormValue("user_id"))
	r, err := h.svc.Replace(ctx, p, rid, uid)
	if err != nil {
		return h.unitRefused(c, err)
	}
	who := "替换人员"
	if u, err := h.svc.people.Person(ctx, r.UserID); err == nil && u != nil {
		who = u.Name
	}
	web.Flash(c, "已替换为 "+who+"（"+RegStatusNames[r.Status]+"）")
	return c.Redirect(unitClassURL(r.ClassID, c.FormValue("q")), fiber.StatusSeeOther)
}
