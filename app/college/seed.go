package college

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"strings"

	"college/modules/catalog"
	"college/static"

	"college/modules/identity"
	"college/modules/web"
)

// DemoPassword is the password of every demo account made by `seed`.
const DemoPassword = "Demo-Pass-2026"

// Seed creates a demo city: the org department, a headquarters college and
// five branch colleges, districts with units, about fifty cadres at several
// levels and one account per role; it prints the logins. Running it again
// adds only what is missing.
func Seed(ctx context.Context, a *App, out io.Writer) error {
	svc := a.Identity
	root, err := svc.EnsureRoot(ctx)
	if err != nil {
		return err
	}
	org := func(parent *identity.Org, name, code, kind string) *identity.Org {
		if err != nil {
			return nil
		}
		var o *identity.Org
		o, err = svc.EnsureOrg(ctx, parent, name, code, kind)
		return o
	}
	hq := org(root, "市委党校（干部网络学院总部）", "HQ", identity.KindCollege)
	var branches []*identity.Org
	for i, name := range []string{"东城分院", "西城分院", "南湖分院", "北山分院", "高新区分院"} {
		branches = append(branches, org(hq, name, fmt.Sprintf("HQ-B%d", i+1), identity.KindCollege))
	}
	type district struct {
		name, code string
		units      []string
	}
	districts := []district{
		{"东城区委组织部", "DC", []string{"东城区发展和改革局", "东城区教育局", "东城区卫生健康委员会", "东城区东华街道办事处"}},
		{"西城区委组织部", "XC", []string{"西城区财政局", "西城区住房和城乡建设局", "西城区西湖镇人民政府"}},
		{"南湖区委组织部", "NH", []string{"南湖区农业农村局", "南湖区生态环境分局", "南湖区南湖乡人民政府"}},
	}
	var units, deps []*identity.Org
	for _, d := range districts {
		dep := org(root, d.name, d.code, identity.KindDepartment)
		deps = append(deps, dep)
		for i, u := range d.units {
			units = append(units, org(dep, u, fmt.Sprintf("%s-U%02d", d.code, i+1), identity.KindUnit))
		}
	}
	if err != nil {
		return err
	}

	admins := []identity.UserRequest{
		{Username: "orgadmin", Name: "组织部干部教育科", OrgID: root.ID, Roles: []string{web.RoleOrgAdmin}, Post: "干部教育科科长", Level: "乡科级"},
		{Username: "college", Name: "党校教务处", OrgID: hq.ID, Roles: []string{web.RoleCollegeAdmin}, Post: "教务处处长", Level: "县处级"},
		{Username: "teacher", Name: "李明", OrgID: hq.ID, Roles: []string{web.RoleTeacher}, Post: "教授", Level: "县处级"},
		{Username: "branch1", Name: "东城分院教务", OrgID: branches[0].ID, Roles: []string{web.RoleCollegeAdmin}},
		{Username: "unitadmin", Name: "东城发改局人事科", OrgID: units[0].ID, Roles: []string{web.RoleUnitAdmin}, Post: "人事科科长", Level: "乡科级"},
	}
	rng := rand.New(rand.NewSource(2026))
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
	given := []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华", "建国", "志强", "海燕", "红梅", "晓东"}
	levels := []struct {
		level string
		posts []string
	}{
		{"县处级", []string{"局长", "副局长", "党组书记", "主任"}},
		{"乡科级", []string{"科长", "副科长", "镇长", "副镇长", "街道办主任"}},
		{"科员及以下", []string{"科员", "一级科员", "办事员"}},
	}
	var cadres []identity.UserRequest
	for i := 0; i < 50; i++ {
		lv := levels[0]
		switch {
		case i%10 >= 7:
			lv = levels[2]
		case i%10 >= 2:
			lv = levels[1]
		}
		cadres = append(cadres, identity.UserRequest{
			Username: fmt.Sprintf("cadre%02d", i+1),
			Name:     string(surnames[rng.Intn(len(surnames))]) + given[rng.Intn(len(given))],
			OrgID:    units[i%len(units)].ID,
			Level:    lv.level,
			Post:     lv.posts[rng.Intn(len(lv.posts))],
			Roles:    []string{web.RoleLearner},
			Phone:    fmt.Sprintf("139%08d", 10000000+i),
		})
	}
	n, err := svc.Provision(ctx, append(admins, cadres...), DemoPassword)
	if err != nil {
		return err
	}
	courses, err := seedCourses(ctx, a, hq)
	if err != nil {
		return err
	}
	if _, err := seedFaculty(ctx, a, root, hq, units); err != nil {
		return err
	}
	classes, err := seedClasses(ctx, a, root, hq)
	if err != nil {
		return err
	}
	places, err := seedSites(ctx, a, root, deps)
	if err != nil {
		return err
	}
	if _, err := seedBases(ctx, a, root, hq); err != nil {
		return err
	}
	fmt.Fprintf(out, "演示数据已就绪：新建账号 %d 个、课程 %d 门、培训班次 %d 个、现场教学点 %d 个（再次运行只补充缺少的部分）。\n\n", n, courses, classes, places)
	fmt.Fprintf(out, "所有演示账号的密码：%s\n\n", DemoPassword)
	fmt.Fprintln(out, "账号        角色            姓名")
	for _, u := range admins {
		fmt.Fprintf(out, "%-11s %-15s %s\n", u.Username, web.RoleNames[u.Roles[0]], u.Name)
	}
	fmt.Fprintf(out, "%-11s %-15s %s（cadre01 至 cadre50，分布在 %d 个单位）\n", "cadre01", web.RoleNames[web.RoleLearner], cadres[0].Name, len(units))
	fmt.Fprintln(out, "\n管理员账号首次登录时须用手机验证器绑定动态验证码（配置 auth.admin_mfa）。")
	fmt.Fprintln(out, "内置的系统管理员 admin、安全管理员 secadmin、审计管理员 auditor 的初始密码见数据目录下的 "+identity.InitialPasswordsFile+"（或由 COLLEGE_ADMIN_PASSWORD、COLLEGE_SECADMIN_PASSWORD、COLLEGE_AUDITOR_PASSWORD 指定）。")
	return nil
}

// seedCourses publishes demo courses whose lessons are the short videos
// embedded in the binary, so a newcomer can study and earn hours at once.
func seedCourses(ctx context.Context, a *App, hq *identity.Org) (int, error) {
	p := &web.Principal{UserID: 0, Username: "seed", Roles: []string{web.RoleCollegeAdmin}, OrgID: hq.ID, OrgPath: hq.Path}
	existing, _, err := a.Catalog.List(ctx, p, catalog.CourseFilter{Manage: true}, web.Page{Page: 1, PageSize: 1})
	if err != nil {
		return 0, err
	}
	if len(existing) > 0 {
		return 0, nil
	}
	index, err := fs.ReadFile(static.Demo, "demo/README.txt")
	if err != nil {
		return 0, err
	}
	type demo struct{ file, title string }
	var demos []demo
	for _, line := range strings.Split(strings.TrimSpace(string(index)), "\n") {
		parts := strings.Split(line, "\t")
		if len(parts) == 3 {
			demos = append(demos, demo{file: parts[0], title: parts[2]})
		}
	}
	plans := []struct {
		title, summary, category, kind string
		lessons                        []demo
	}{
		{"学习贯彻新时代党的创新理论", "围绕党的创新理论开展专题学习，适合全体干部。", "理论教育", "required", demos[:1]},
		{"法治政府与数字政府建设", "法治政府建设与数字政府、基层治理专题。", "履职能力", "elective", demos[1:]},
	}
	made := 0
	for _, pl := range plans {
		c, err := a.Catalog.CreateCourse(ctx, p, catalog.CourseRequest{Title: pl.title, Summary: pl.summary, Category: pl.category, Kind: pl.kind, Teacher: "市委党校"})
		if err != nil {
			return made, err
		}
		for _, d := range pl.lessons {
			l, err := a.Catalog.AddLesson(ctx, p, c.ID, catalog.LessonRequest{Title: d.title, Type: catalog.LessonVideo})
			if err != nil {
				return made, err
			}
			f, err := static.Demo.Open("demo/" + d.file)
			if err != nil {
				return made, err
			}
			_, err = a.Catalog.SetMedia(ctx, p, l.ID, f)
			f.Close()
			if err != nil {
				return made, err
			}
		}
		if _, err := a.Catalog.AddLesson(ctx, p, c.ID, catalog.LessonRequest{Title: "学习材料", Type: catalog.LessonArticle,
			Body: pl.summary + "请认真阅读本课时材料，结合本职工作思考如何学以致用。", MinReadSeconds: 30}); err != nil {
			return made, err
		}
		if _, err := a.Catalog.Publish(ctx, p, c.ID); err != nil {
			return made, err
		}
		made++
	}
	return made, nil
}
