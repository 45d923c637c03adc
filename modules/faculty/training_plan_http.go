package faculty

import (
	"context"
	"fmt"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// TrainingPath is the page of the 师资提能计划.
const TrainingPath = AdminPath + "/training"

func (h *Handlers) trainingPlan(c *fiber.Ctx) error {
	out, err := h.svc.TrainingPlan(c.UserContext(), web.Caller(c), c.QueryInt("years"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// planHeader are the columns of the 师资提能计划 export.
var planHeader = []any{"姓名", "是否参训", "参加的师资培训班次"}

// exportTrainingPlan streams the report, those not yet trained first.
func (h *Handlers) exportTrainingPlan(c *fiber.Ctx) error {
	plan, err := h.svc.TrainingPlan(c.UserContext(), web.Caller(c), c.QueryInt("years"))
	if err != nil {
		return err
	}
	sheet := fmt.Sprintf("师资提能%d-%d", plan.FromYear, plan.ToYear)
	return h.streamSheet(c, "teacher-training.xlsx", sheet, planHeader, func(_ context.Context, add func([]any) error) error {
		for _, it := range plan.Items {
			if err := add([]any{it.Name, planState(it), planClasses(it)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// planState says whether a teacher was trained, in words.
func planState(it PlanTeacher) string {
	switch {
	case len(it.Classes) > 0:
		return "已参训"
	case !it.Linked:
		return "未参训（未关联账号）"
	}
	return "未参训"
}

// planClasses lists a teacher's classes with their years.
func planClasses(it PlanTeacher) string {
	out := make([]string, len(it.Classes))
	for i, x := range it.Classes {
		out[i] = fmt.Sprintf("%s（%d）", x.Title, x.Year)
	}
	return strings.Join(out, "；")
}

func (h *Handlers) trainingPage(c *fiber.Ctx) error {
	plan, err := h.svc.TrainingPlan(c.UserContext(), web.Caller(c), c.QueryInt("years"))
	if err != nil {
		return err
	}
	years := plan.ToYear - plan.FromYear + 1
	return h.pages.Render(c, fiber.StatusOK, "faculty/training", "师资提能计划", map[string]any{"P": plan, "Years": years,
		"Spans": []int{1, 3, 5}, "Export": fmt.Sprintf("/api/v1/teacher-training.xlsx?years=%d", years)})
}
