package college

import (
	"context"

	"college/modules/bases"
	"college/modules/identity"
	"college/modules/web"
)

// seedBases adds three demo training bases of the college headquarters: a
// 党性教育基地 and a 高校基地 filed, a 基层干部培训特色基地 still applying.
func seedBases(ctx context.Context, a *App, root, hq *identity.Org) (int, error) {
	if list, err := a.Bases.Public(ctx, ""); err != nil || len(list) > 0 {
		return 0, err
	}
	ids, err := a.Identity.IDsByUsername(ctx, []string{"college", "orgadmin"})
	if err != nil {
		return 0, err
	}
	host := &web.Principal{UserID: ids["college"], Username: "college", Name: "党校教务处", Roles: []string{web.RoleCollegeAdmin}, OrgID: hq.ID, OrgPath: hq.Path}
	dept := &web.Principal{UserID: ids["orgadmin"], Username: "orgadmin", Name: "组织部干部教育科", Roles: []string{web.RoleOrgAdmin}, OrgID: root.ID, OrgPath: root.Path}
	demo := []struct {
		in   bases.BaseRequest
		file bool
	}{
		{bases.BaseRequest{Name: "革命纪念馆党性教育基地", Kind: bases.KindParty, OrgID: hq.ID, Address: "市革命纪念馆", Capacity: 200,
			Contact: "教务处", OfficePhone: "010-12345678", Intro: "依托革命旧址和纪念馆开展现场教学、党性教育。"}, true},
		{bases.BaseRequest{Name: "市师范大学干部教育培训基地", Kind: bases.KindUniversity, OrgID: hq.ID, Address: "市师范大学", Capacity: 300,
			Contact: "继续教育学院", OfficePhone: "010-87654321", Intro: "提供专题讲座、案例教学和学员住宿。"}, true},
		{bases.BaseRequest{Name: "乡村振兴基层干部培训特色基地", Kind: bases.KindGrassroots, OrgID: hq.ID, Address: "城郊示范村", Capacity: 80,
			Intro: "乡村振兴现场教学点，申请准入中。"}, false},
	}
	made := 0
	for _, d := range demo {
		b, err := a.Bases.Apply(ctx, host, d.in)
		if err != nil {
			return made, err
		}
		made++
		if !d.file {
			continue
		}
		for _, act := range []string{bases.ActApprove, bases.ActFile} {
			if _, err := a.Bases.Transition(ctx, dept, b.ID, act, ""); err != nil {
				return made, err
			}
		}
	}
	return made, nil
}
