package college

import (
	"context"

	"college/modules/faculty"
	"college/modules/identity"
	"college/modules/web"
)

// seedFaculty adds the demo faculty (师资库) of the party school: its own
// teachers (李明 linked to the teacher account), outside experts, and leading
// cadres of the city's units who lecture. It answers the number added.
func seedFaculty(ctx context.Context, a *App, root, hq *identity.Org, units []*identity.Org) (int, error) {
	if exists, err := a.Faculty.Any(ctx); err != nil || exists {
		return 0, err
	}
	ids, err := a.Identity.IDsByUsername(ctx, []string{"college", "orgadmin", "teacher"})
	if err != nil {
		return 0, err
	}
	host := &web.Principal{UserID: ids["college"], Username: "college", Name: "党校教务处", Roles: []string{web.RoleCollegeAdmin}, OrgID: hq.ID, OrgPath: hq.Path}
	dept := &web.Principal{UserID: ids["orgadmin"], Username: "orgadmin", Name: "组织部干部教育科", Roles: []string{web.RoleOrgAdmin}, OrgID: root.ID, OrgPath: root.Path}
	unit := func(i int) (uint64, string) {
		if len(units) == 0 {
			return 0, ""
		}
		u := units[i%len(units)]
		return u.ID, u.Name
	}
	school := []faculty.TeacherRequest{
		{Name: "李明", Kind: faculty.KindInternal, UserID: ids["teacher"], Title: "教授", Fields: "基层治理、党的建设", Unit: "市委党校",
			Intro: "市委党校党建教研部教授，长期从事基层治理和党的建设教学研究。"},
		{Name: "周晓红", Kind: faculty.KindInternal, Title: "教授", Fields: "马克思主义理论", Unit: "市委党校"},
		{Name: "陈建华", Kind: faculty.KindInternal, Title: "副教授", Fields: "经济学、新发展理念", Unit: "市委党校"},
		{Name: "王丽", Kind: faculty.KindInternal, Title: "副教授", Fields: "公共管理、应急管理", Unit: "市委党校"},
		{Name: "赵志强", Kind: faculty.KindInternal, Title: "讲师", Fields: "法治政府建设", Unit: "市委党校"},
		{Name: "孙海燕", Kind: faculty.KindInternal, Title: "讲师", Fields: "党史党建", Unit: "市委党校"},
		{Name: "刘卫东", Kind: faculty.KindInternal, Title: "教授", Fields: "哲学、领导科学", Unit: "市委党校", Status: faculty.StatusInactive},
		{Name: "郑伟", Kind: faculty.KindExpert, Title: "研究员", Fields: "数字经济", Unit: "省社会科学院"},
		{Name: "黄静", Kind: faculty.KindExpert, Title: "教授", Fields: "乡村振兴", Unit: "浙江大学公共管理学院"},
		{Name: "吴勇", Kind: faculty.KindExpert, Title: "研究员", Fields: "生态文明建设", Unit: "省发展规划研究院"},
		{Name: "徐芳", Kind: faculty.KindExpert, Title: "主任医师", Fields: "心理健康与压力管理", Unit: "市第一人民医院"},
		{Name: "马超", Kind: faculty.KindExpert, Title: "高级律师", Fields: "依法行政、合规管理", Unit: "市律师协会"},
		{Name: "高红梅", Kind: faculty.KindExpert, Title: "教授", Fields: "文化建设、传播", Unit: "市委宣传部理论讲师团"},
	}
	leaders := []faculty.TeacherRequest{
		{Name: "林建国", Post: "市发改委主任", Fields: "经济形势与发展规划"},
		{Name: "罗秀英", Post: "市教育局局长", Fields: "教育改革"},
		{Name: "梁晓东", Post: "东城区委书记", Fields: "基层治理实践"},
		{Name: "谢敏", Post: "市财政局副局长", Fields: "财政预算管理"},
		{Name: "宋涛", Post: "市应急管理局局长", Fields: "安全生产与应急管理"},
		{Name: "唐磊", Post: "市数据局局长", Fields: "数字政府建设"},
		{Name: "韩娜", Post: "市司法局副局长", Fields: "法治建设"},
	}
	made := 0
	for _, in := range school {
		if _, err := a.Faculty.Create(ctx, host, in); err != nil {
			return made, err
		}
		made++
	}
	for i, in := range leaders {
		in.Kind = faculty.KindLeader
		in.OrgID, in.Unit = unit(i)
		if _, err := a.Faculty.Create(ctx, dept, in); err != nil {
			return made, err
		}
		made++
	}
	return made, nil
}
