package learning

import (
	"college/modules/catalog"
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

func (h *Handlers) registerPages(r fiber.Router) {
	r.Get("/courses/:id", web.RequireLogin, h.coursePage)
	r.Get("/lessons/:id", web.RequireLogin, h.lessonPage)
	r.Get("/me/courses", web.RequireLogin, h.myCoursesPage)
	r.Get("/admin/courses/:id/stats", web.RequireRole(web.RoleCollegeAdmin, web.RoleOrgAdmin), h.statsPage)
}

// LessonView is a lesson on the course page, with the caller's progress.
type LessonView struct {
	catalog.LessonResponse
	TypeName  string
	Coverage  float64 // 0..1
	Percent   int
	Completed bool
}

func (h *Handlers) coursePage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	p := web.Caller(c)
	ctx := c.UserContext()
	course, manage, err := h.svc.catalog.VisibleCourse(ctx, p, id)
	if err != nil {
		return err
	}
	detail, err := h.svc.catalog.Detail(ctx, course, manage)
	if err != nil {
		return err
	}
	lessons, err := h.svc.catalog.Lessons(ctx, course.ID)
	if err != nil {
		return web.Internal(err)
	}
	states, err := h.svc.LessonStates(ctx, p.UserID, lessons)
	if err != nil {
		return web.Internal(err)
	}
	views := make([]LessonView, len(detail.Lessons))
	done := 0
	for i, l := range detail.Lessons {
		st := states[l.ID]
		views[i] = LessonView{LessonResponse: l, TypeName: catalog.LessonTypeNames[l.Type], Coverage: st.Coverage, Percent: int(st.Coverage*100 + 0.5), Completed: st.Completed}
		if st.Completed {
			done++
		}
	}
	return h.pages.Render(c, fiber.StatusOK, "learning/course", course.Title, map[string]any{
		"Course": detail, "Lessons": views, "Done": done, "KindName": catalog.KindNames[course.Kind],
		"Published": course.Status == catalog.StatusPublished,
	})
}

func (h *Handlers) lessonPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	p := web.Caller(c)
	ctx := c.UserContext()
	l, course, err := h.svc.catalog.VisibleLesson(ctx, p, id)
	if err != nil {
		return err
	}
	lessons, err := h.svc.catalog.Lessons(ctx, course.ID)
	if err != nil {
		return web.Internal(err)
	}
	var prev, next uint64
	for i, x := range lessons {
		if x.ID == l.ID {
			if i > 0 {
				prev = lessons[i-1].ID
			}
			if i+1 < len(lessons) {
				next = lessons[i+1].ID
			}
		}
	}
	return h.pages.Render(c, fiber.StatusOK, "learning/lesson", l.Title, map[string]any{
		"Lesson": l, "Course": course, "TypeName": catalog.LessonTypeNames[l.Type], "Prev": prev, "Next": next,
		"Watermark": h.svc.settings.Bool(ctx, SetWatermark), "Published": course.Status == catalog.StatusPublished,
	})
}

func (h *Handlers) myCoursesPage(c *fiber.Ctx) error {
	status := c.Query("status")
	if status != "completed" {
		status = "in_progress"
	}
	list, err := h.svc.MyCourses(c.UserContext(), web.Caller(c), status)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "learning/mine", "我的课程", map[string]any{"Courses": list, "Status": status, "Kinds": catalog.KindNames})
}
