package faculty

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"
)

// registerLectures lists the routes of the 讲坛 lectures.
func (h *Handlers) registerLectures(api *web.API, pages fiber.Router) {
	a := api.Tag("faculty")
	a.Get("/lectures", web.Doc{Summary: "讲坛讲座：主办方看本单位的全部讲座，其他干部看已发布、已举办和已取消的讲座（series=系列，status=draft|published|held|cancelled，year=）",
		Resp: web.List[LectureItem]{}, Query: []string{"series", "status", "year", "page", "page_size"}}, h.lectures)
	a.Post("/lectures", web.Doc{Summary: "新建讲座（草稿）：系列、主题、主讲人（师资库在库教师）、时间地点、听课对象与容纳人数", Body: LectureRequest{}, Resp: LectureItem{}, Status: 201, Roles: Managers}, h.createLecture)
	a.Get("/lectures.xlsx", web.Doc{Summary: "导出讲座清单（Excel）", Roles: Managers, Query: []string{"series", "status", "year"}}, h.exportLectures)
	a.Get("/lectures/:id", web.Doc{Summary: "讲座详情：签到人数，已关联录像的附课程链接", Resp: LectureItem{}}, web.ByID(h.svc.Lecture))
	a.Put("/lectures/:id", web.Doc{Summary: "修改草稿或已发布的讲座", Body: LectureRequest{}, Resp: LectureItem{}, Roles: Managers}, web.ByIDWith(h.svc.UpdateLecture))
	a.Post("/lectures/:id/publish", web.Doc{Summary: "发布讲座：全市干部可见，生成签到码", Resp: LectureItem{}, Roles: Managers, OptionalBody: true}, h.stepLecture("publish"))
	a.Post("/lectures/:id/hold", web.Doc{Summary: "登记讲座已举办（开始后），计入领导干部上讲台次数", Resp: LectureItem{}, Roles: Managers, OptionalBody: true}, h.stepLecture("hold"))
	a.Post("/lectures/:id/cancel", web.Doc{Summary: "取消讲座，须填写原因", Body: CancelRequest{}, Resp: LectureItem{}, Roles: Managers}, h.stepLecture("cancel"))
	a.Post("/lectures/:id/publish-recording", web.Doc{Summary: "关联讲座录像课程：已举办的讲座关联课程管理中已发布的课程", Body: RecordingRequest{}, Resp: LectureItem{}, Roles: Managers}, web.ByIDWith(h.svc.LinkRecording))
	a.Get("/lectures/:id/code", web.Doc{Summary: "讲座签到码（主办方）", Resp: LectureCode{}, Roles: Managers}, h.lectureCode)
	a.Post("/lectures/:id/signin", web.Doc{Summary: "干部凭现场签到码签到：讲座当天开始前 30 分钟至结束；重复签到保留首次时间", Body: SignInRequest{}, Resp: SignInResponse{}}, h.signInLecture)
	a.Get("/lectures/:id/attendance", web.Doc{Summary: "讲座签到名单与人数（主办方）", Resp: AttendanceResponse{}, Roles: Managers, Query: []string{"page", "page_size"}}, h.attendance)
	a.Get("/lectures/:id/attendance.xlsx", web.Doc{Summary: "导出讲座签到名单（Excel）", Roles: Managers}, h.exportAttendance)
	h.registerLecturePages(pages)
}

// lectureFilter reads a lecture filter from the query; an unknown status
// is left for the service to refuse.
func lectureFilter(c *fiber.Ctx) LectureFilter {
	f := LectureFilter{Series: c.Query("series"), Status: c.Query("status")}
	if y, err := strconv.Atoi(c.Query("year")); err == nil && y >= 2000 && y <= 2100 {
		f.Year = y
	}
	return f
}

func (h *Handlers) lectures(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	items, total, err := h.svc.Lectures(c.UserContext(), web.Caller(c), lectureFilter(c), pg)
	if err != nil {
		return err
	}
	return c.JSON(web.NewList(items, total, pg))
}

func (h *Handlers) createLecture(c *fiber.Ctx) error {
	out, err := web.WithBody(c, h.svc.CreateLecture)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// stepLecture serves one step of a lecture's life cycle.
func (h *Handlers) stepLecture(step string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return err
		}
		var in CancelRequest
		if step == "cancel" { // publish and hold take no body
			if err := web.DecodeJSON(c, &in); err != nil {
				return err
			}
		}
		out, err := h.svc.StepLecture(c.UserContext(), web.Caller(c), id, step, in)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func (h *Handlers) lectureCode(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	out, _, err := h.svc.LectureCode(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(out)
}

func (h *Handlers) signInLecture(c *fiber.Ctx) error {
	id, in, err := web.IDBody[SignInRequest](c)
	if err != nil {
		return err
	}
	out, err := h.svc.SignInLecture(c.UserContext(), web.Caller(c), id, in.Code)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) attendance(c *fiber.Ctx) error {
	id, pg, err := web.IDPage(c)
	if err != nil {
		return err
	}
	out, err := h.svc.Attendance(c.UserContext(), web.Caller(c), id, pg)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// text keeps a value a string cell, never a formula.
func text(s string) excelize.Cell { return excelize.Cell{Value: s} }

// lectureHeader are the columns of the lecture export.
var lectureHeader = []any{"系列", "主题", "主讲人", "日期", "时间", "地点", "听课对象", "容纳人数", "状态", "取消原因"}

// exportLectures streams the host's lectures as an Excel sheet.
func (h *Handlers) exportLectures(c *fiber.Ctx) error {
	p := web.Caller(c)
	if !canManage(p) {
		return web.Forbidden()
	}
	f := lectureFilter(c)
	if f.Status != "" && LectureStatusNames[f.Status] == "" {
		f.Status = ""
	}
	ctx := context.WithoutCancel(c.UserContext()) // the rows are read after the handler returns
	return web.AttachmentStream(c, web.XLSX, "lectures.xlsx", h.log, func(w io.Writer) error {
		return web.WriteSheet(w, "讲坛讲座", lectureHeader, func(add func([]any) error) error {
			return h.svc.eachLecture(ctx, p, f, func(ls []Lecture) error {
				for i := range ls {
					it := lectureItem(&ls[i])
					capacity := "不限"
					if it.Capacity > 0 {
						capacity = strconv.Itoa(it.Capacity)
					}
					if err := add([]any{text(it.Series), text(it.Topic), text(it.Speaker), it.Date, it.StartTime + "–" + it.EndTime, text(it.Place),
						text(it.Audience), capacity, it.StatusName, text(it.Reason)}); err != nil {
						return err
					}
				}
				return nil
			})
		})
	})
}

// exportAttendance streams a lecture's attendance as an Excel sheet; the
// export itself is recorded.
func (h *Handlers) exportAttendance(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	l, err := h.svc.ExportAttendance(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	ctx := context.WithoutCancel(c.UserContext())
	name := fmt.Sprintf("lecture-%d-attendance.xlsx", l.ID)
	return web.AttachmentStream(c, web.XLSX, name, h.log, func(w io.Writer) error {
		return web.WriteSheet(w, "签到名单", []any{"序号", "姓名", "单位", "签到时间"}, func(add func([]any) error) error {
			n := 0
			return h.svc.eachAttendee(ctx, l.ID, func(items []AttendeeItem) error {
				for _, a := range items {
					n++
					if err := add([]any{n, text(a.Name), text(a.OrgName), a.SignedAt.In(web.Shanghai).Format("2006-01-02 15:04:05")}); err != nil {
						return err
					}
				}
				return nil
			})
		})
	})
}
