package college

import (
	"context"

	"college/modules/identity"
	"college/modules/sites"
	"college/modules/web"
)

// seedSites proposes the demo field teaching sites of the districts and
// takes most of them through review and approval into use; a site whose
// name exists already is left as it is.
func seedSites(ctx context.Context, a *App, root *identity.Org, districts []*identity.Org) (int, error) {
	p := &web.Principal{Username: "seed", Roles: []string{web.RoleOrgAdmin}, OrgID: root.ID, OrgPath: root.Path}
	demo := []struct {
		name, category, address string
		district, capacity      int
		status                  string
	}{
		{"东城区红色教育基地", "党的建设", "东城区解放路 18 号", 0, 120, sites.StatusInUse},
		{"东华街道党群服务中心", "党的建设", "东城区东华街道人民路 6 号", 0, 60, sites.StatusInUse},
		{"东城科技创新园", "创新驱动发展", "东城区科创大道 99 号", 0, 80, sites.StatusInUse},
		{"东城老旧小区改造示范点", "保障和改善民生", "东城区和平里社区", 0, 40, sites.StatusApproved},
		{"西城自贸服务中心", "开放合作", "西城区港湾路 2 号", 1, 100, sites.StatusInUse},
		{"西湖镇乡村振兴示范村", "保障和改善民生", "西城区西湖镇桃源村", 1, 50, sites.StatusInUse},
		{"西城智能制造产业园", "创新驱动发展", "西城区工业大道 300 号", 1, 90, sites.StatusReviewed},
		{"西城社区养老服务综合体", "保障和改善民生", "西城区福寿街 12 号", 1, 30, sites.StatusProposed},
		{"南湖湿地生态保护区", "绿色发展", "南湖区环湖路 1 号", 2, 150, sites.StatusInUse},
		{"南湖乡垃圾分类示范点", "绿色发展", "南湖区南湖乡中心村", 2, 40, sites.StatusInUse},
		{"南湖国际合作产业园", "开放合作", "南湖区开放大道 8 号", 2, 70, sites.StatusSuspended},
		{"南湖新能源示范基地", "绿色发展", "南湖区光明路 66 号", 2, 60, sites.StatusProposed},
	}
	order := []string{sites.StatusReviewed, sites.StatusApproved, sites.StatusInUse, sites.StatusSuspended}
	stepOf := map[string]string{sites.StatusReviewed: "review", sites.StatusApproved: "approve", sites.StatusInUse: "activate", sites.StatusSuspended: "suspend"}
	reasons := map[string]string{"review": "专家论证：主题鲜明，讲解和接待条件具备，同意列入。", "suspend": "场馆改造，暂停接待"}
	n := 0
	for _, d := range demo {
		if d.district >= len(districts) {
			continue
		}
		id, err := a.Sites.SiteID(ctx, d.name)
		if err != nil {
			return n, err
		}
		if id != 0 {
			continue
		}
		s, err := a.Sites.Propose(ctx, p, sites.SiteRequest{Name: d.name, Category: d.category, OrgID: districts[d.district].ID, Capacity: d.capacity,
			Address: d.address, HostName: "接待联络员", HostPhone: "0571-8800" + string(rune('1'+n%9)) + "000",
			Intro: d.name + "是本市干部现场教学的重要点位。", Facilities: "讲解员、多媒体教室、停车场"})
		if err != nil {
			return n, err
		}
		n++
		if d.status == sites.StatusProposed {
			continue
		}
		for _, st := range order {
			if st == sites.StatusSuspended && d.status != sites.StatusSuspended {
				break
			}
			step := stepOf[st]
			if _, err := a.Sites.Step(ctx, p, s.ID, step, sites.StepRequest{Reason: reasons[step]}); err != nil {
				return n, err
			}
			if st == d.status {
				break
			}
		}
	}
	return n, seedRoutes(ctx, a, p)
}

// seedRoutes makes two demo teaching routes of sites in use.
func seedRoutes(ctx context.Context, a *App, p *web.Principal) error {
	routes := []struct {
		name, theme string
		stops       []string
	}{
		{"东城党建引领线路", "党的建设", []string{"东城区红色教育基地", "东华街道党群服务中心", "东城科技创新园"}},
		{"南湖生态文明线路", "绿色发展", []string{"南湖湿地生态保护区", "南湖乡垃圾分类示范点"}},
	}
	for _, r := range routes {
		exists, err := a.Sites.HasRoute(ctx, r.name)
		if err != nil || exists {
			if err != nil {
				return err
			}
			continue
		}
		in := sites.RouteRequest{Name: r.name, Theme: r.theme}
		for i, name := range r.stops {
			id, err := a.Sites.SiteID(ctx, name)
			if err != nil {
				return err
			}
			in.Stops = append(in.Stops, sites.StopRequest{SiteID: id, StayMinutes: 60, TravelMinutes: 25 * min(i, 1)})
		}
		if _, err := a.Sites.CreateRoute(ctx, p, in); err != nil {
			return err
		}
	}
	return nil
}
