package college

import (
	"context"
	"fmt"
	"strings"

	"college/modules/search"
	"college/modules/training"
	"college/modules/web"
)

// searchSources are the records the site-wide search looks in, each module
// answering for what the caller may see.
func (a *App) searchSources() []search.Source {
	return []search.Source{{
		Type: "course", Label: "课程",
		Find: func(ctx context.Context, p *web.Principal, q string, limit int) ([]search.Item, error) {
			rows, err := a.Catalog.SearchCourses(ctx, p, q, limit)
			if err != nil {
				return nil, err
			}
			out := make([]search.Item, 0, len(rows))
			for _, c := range rows {
				out = append(out, search.Item{Type: "course", ID: c.ID, Title: c.Title, URL: fmt.Sprintf("/courses/%d", c.ID)})
			}
			return out, nil
		},
	}, {
		Type: "topic", Label: "专题",
		Find: func(ctx context.Context, p *web.Principal, q string, limit int) ([]search.Item, error) {
			topics, err := a.Catalog.Topics(ctx, p)
			if err != nil {
				return nil, err
			}
			var out []search.Item
			for _, t := range topics {
				if len(out) < limit && (strings.Contains(t.Title, q) || strings.Contains(t.Summary, q)) {
					out = append(out, search.Item{Type: "topic", ID: t.ID, Title: t.Title, URL: fmt.Sprintf("/topics/%d", t.ID)})
				}
			}
			return out, nil
		},
	}, {
		Type: "class", Label: "培训班次",
		Find: func(ctx context.Context, p *web.Principal, q string, limit int) ([]search.Item, error) {
			var out []search.Item
			if p.HasAny(web.RoleCollegeAdmin, web.RoleOrgAdmin) {
				rows, _, err := a.Training.ListManaged(ctx, p, training.ListFilter{Q: q}, web.Page{Page: 1, PageSize: limit})
				if err != nil {
					return nil, err
				}
				for _, c := range rows {
					out = append(out, search.Item{Type: "class", ID: c.ID, Title: c.Title, URL: fmt.Sprintf("/admin/classes/%d", c.ID)})
				}
				return out, nil
			}
			rows, err := a.Training.OpenClasses(ctx, p)
			if err != nil {
				return nil, err
			}
			for _, c := range rows {
				if len(out) < limit && strings.Contains(c.Title, q) {
					out = append(out, search.Item{Type: "class", ID: c.ID, Title: c.Title, URL: fmt.Sprintf("/classes/%d", c.ID)})
				}
			}
			return out, nil
		},
	}, {
		Type: "notice", Label: "通知公告与新闻",
		Find: func(ctx context.Context, p *web.Principal, q string, limit int) ([]search.Item, error) {
			rows, err := a.Portal.Search(ctx, p, q, limit)
			if err != nil {
				return nil, err
			}
			out := make([]search.Item, 0, len(rows))
			for _, n := range rows {
				out = append(out, search.Item{Type: "notice", ID: n.ID, Title: n.Title, URL: fmt.Sprintf("/notices/%d", n.ID)})
			}
			return out, nil
		},
	}}
}
