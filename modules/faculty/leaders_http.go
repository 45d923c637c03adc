package faculty

import (
	"context"
	"fmt"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// LeadersPath is the page of 领导干部上讲台.
const LeadersPath = AdminPath + "/leaders"

// leadersHeader are the columns of the 领导干部上讲台 export.
var leadersHeader = []any{"姓名", "职务", "单位", "授课次数", "要求次数", "是否达标"}

// exportLeaderLectures streams the year's report, those under the target first.
func (h *Handlers) exportLeaderLectures(c *fiber.Ctx) error {
	out, err := h.svc.LeaderLectures(c.UserContext(), web.Caller(c), c.QueryInt("year"))
	if err != nil {
		return err
	}
	return h.streamSheet(c, fmt.Sprintf("leader-lectures-%d.xlsx", out.Year), fmt.Sprintf("领导干部上讲台%d", out.Year), leadersHeader,
		func(_ context.Context, add func([]any) error) error {
			for _, l := range out.Leaders {
				met := "未达标"
				if l.Met {
					met = "达标"
				}
				if err := add([]any{l.Name, l.Post, l.Unit, l.Sessions, out.Target, met}); err != nil {
					return err
				}
			}
			return nil
		})
}

func (h *Handlers) leadersPage(c *fiber.Ctx) error {
	out, err := h.svc.LeaderLectures(c.UserContext(), web.Caller(c), c.QueryInt("year"))
	if err != nil {
		return err
	}
	var none []LeaderLecture
	for _, l := range out.Leaders {
		if l.Sessions == 0 {
			none = append(none, l)
		}
	}
	return h.pages.Render(c, fiber.StatusOK, "faculty/leaders", "领导干部上讲台", map[string]any{"L": out, "None": none,
		"Years": recentYears(h.svc.now().In(web.Shanghai).Year(), 5), "Export": fmt.Sprintf("/api/v1/leader-lectures.xlsx?year=%d", out.Year)})
}
