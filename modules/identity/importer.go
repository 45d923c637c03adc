package identity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"college/modules/media"
	"college/modules/web"

	"github.com/xuri/excelize/v2"
)

// importHeaders are the columns of the user import template, in order; a
// trailing * marks a required column.
var importHeaders = []string{"用户名*", "姓名*", "组织代码*", "职级", "职务", "身份证号", "手机号", "角色", "任职期满日期"}

// MaxImportRows bounds one import file.
const MaxImportRows = 50000

// ImportTemplate writes the .xlsx template with an example row.
func ImportTemplate(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "用户"
	_ = f.SetSheetName("Sheet1", sheet)
	for i, h := range importHeaders {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		_ = f.SetCellStr(sheet, cell, h)
	}
	example := []string{"zhangsan", "张三", "U001", "乡科级", "科长", "110101199003074514", "13800138000", "学员", "2028-12-31"}
	for i, v := range example {
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		_ = f.SetCellStr(sheet, cell, v)
	}
	style, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1}})
	_ = f.SetCellStyle(sheet, "A1", "I1", style)
	_ = f.SetColWidth(sheet, "A", "I", 16)
	_ = f.SetColWidth(sheet, "F", "F", 22)
	notes := f.NewSheet
	if idx, err := notes("说明"); err == nil {
		_ = idx
		lines := []string{
			"带 * 的列必填；第一行为表头，请勿修改。示例行请删除后再导入。",
			"组织代码：组织机构管理页面中显示的代码，须在您的管理范围内。",
			"职级：" + strings.Join(Levels, "、") + "。",
			"角色：不填或填“学员”。其他角色由安全管理员在用户管理中分配。",
			"身份证号为 18 位并校验；手机号为 11 位大陆手机号。",
			"任职期满日期格式为 YYYY-MM-DD，可不填。",
			"导入时如任意一行有误，则全部不导入，并列出出错的行号。",
		}
		for i, l := range lines {
			_ = f.SetCellStr("说明", fmt.Sprintf("A%d", i+1), l)
		}
		_ = f.SetColWidth("说明", "A", "A", 90)
	}
	return f.Write(w)
}

var roleByName = func() map[string]string {
	m := map[string]string{}
	for code, name := range web.RoleNames {
		m[name] = code
		m[code] = code
	}
	return m
}()

// ImportUsers reads an .xlsx file and creates every user in it, or none:
// any bad row makes a 422 listing every bad row by number. Users without a
// password get initialPassword (or a generated one, returned) and must
// change it at first login; the hash is computed once for the whole file.
func (s *Service) ImportUsers(ctx context.Context, p *web.Principal, data []byte, initialPassword string) (ImportResponse, error) {
	if !canManageUsers(p) {
		return ImportResponse{}, web.Forbidden()
	}
	generated := false
	if initialPassword == "" {
		initialPassword, generated = RandomPassword(), true
	} else if msg := PasswordProblem(initialPassword, s.settings.Int(ctx, SetPasswordMinLen)); msg != "" {
		return ImportResponse{}, web.Invalid(map[string]string{"initial_password": msg})
	}
	invalid := func(rows []web.RowError) error {
		return &web.Error{Status: 422, Code: "import_invalid", Message: "导入文件有误，未导入任何数据", Rows: rows}
	}
	f, err := media.OpenXLSX(data, media.DefaultXLSXLimits)
	if errors.Is(err, media.ErrZipTooLarge) {
		return ImportResponse{}, invalid([]web.RowError{{Message: media.MsgZipTooLarge}})
	}
	if err != nil {
		return ImportResponse{}, invalid([]web.RowError{{Message: "文件不是有效的 Excel (.xlsx) 文件"}})
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return ImportResponse{}, invalid([]web.RowError{{Message: "文件中没有工作表"}})
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return ImportResponse{}, invalid([]web.RowError{{Message: "无法读取工作表"}})
	}
	defer rows.Close()

	orgs, err := s.store.ListOrgs(ctx, p)
	if err != nil {
		return ImportResponse{}, web.Internal(err)
	}
	orgByCode := make(map[string]*Org, len(orgs))
	for i := range orgs {
		orgByCode[orgs[i].Code] = &orgs[i]
	}

	var bad []web.RowError
	addBad := func(row int, msg string) {
		if len(bad) < 200 {
			bad = append(bad, web.RowError{Row: row, Message: msg})
		}
	}
	var users []*User
	rowOf := map[*User]int{}
	seenName := map[string]int{}
	seenID := map[string]int{}
	now := s.now().UTC()
	rowNum := 0
	for rows.Next() {
		rowNum++
		cols, err := rows.Columns()
		if err != nil {
			return ImportResponse{}, invalid([]web.RowError{{Row: rowNum, Message: "无法读取该行"}})
		}
		if rowNum == 1 {
			if !headersMatch(cols) {
				return ImportResponse{}, invalid([]web.RowError{{Row: 1, Message: "表头与模板不一致，应为：" + strings.Join(importHeaders, "、")}})
			}
			continue
		}
		for len(cols) < len(importHeaders) {
			cols = append(cols, "")
		}
		for i := range cols {
			cols[i] = strings.TrimSpace(cols[i])
		}
		if strings.Join(cols, "") == "" {
			continue // blank line
		}
		if len(users)+len(bad) >= MaxImportRows {
			return ImportResponse{}, invalid([]web.RowError{{Row: rowNum, Message: fmt.Sprintf("一次最多导入 %d 行", MaxImportRows)}})
		}
		in := UserRequest{Username: cols[0], Name: cols[1], Level: cols[3], Post: cols[4], IDNumber: cols[5], Phone: cols[6], TermEndsOn: cols[8]}
		fields := web.Fields{}
		fields.Required("username", in.Username)
		fields.MaxLen("username", in.Username, 64)
		fields.Check(in.Username == "" || validUsername(in.Username), "username", "用户名只能包含字母、数字、下划线、点和短横线")
		if org := orgByCode[cols[2]]; org != nil {
			in.OrgID = org.ID
		} else if cols[2] == "" {
			fields.Add("org", "组织代码必填")
		} else {
			fields.Add("org", "组织代码 "+cols[2]+" 不存在或不在您的管理范围内")
		}
		var roles []string
		for _, part := range strings.FieldsFunc(cols[7], func(r rune) bool { return r == '、' || r == ',' || r == '，' || r == ';' || r == '；' }) {
			code, ok := roleByName[strings.TrimSpace(part)]
			if !ok {
				fields.Add("roles", "未知角色："+part)
				continue
			}
			roles = append(roles, code)
		}
		roles = normalizeRoles(roles)
		if err := checkNewRoles(fields, roles); err != nil {
			fields.Add("roles", "导入的账号只能是学员，其他角色由安全管理员分配")
		}
		u := &User{Username: in.Username, PasswordChangedAt: now, MustChangePassword: true}
		if in.OrgID == 0 {
			in.OrgID = 1 // org error already recorded; keeps validateUser quiet about it
		}
		s.validateUser(fields, in, u)
		if prev, dup := seenName[strings.ToLower(in.Username)]; dup && in.Username != "" {
			fields.Add("username", fmt.Sprintf("用户名与第 %d 行重复", prev))
		}
		seenName[strings.ToLower(in.Username)] = rowNum
		if u.IDNumberHash != nil {
			if prev, dup := seenID[*u.IDNumberHash]; dup {
				fields.Add("id_number", fmt.Sprintf("身份证号与第 %d 行重复", prev))
			}
			seenID[*u.IDNumberHash] = rowNum
		}
		if len(fields) > 0 {
			addBad(rowNum, describeFields(fields))
			continue
		}
		for _, r := range roles {
			u.Roles = append(u.Roles, UserRole{Role: r})
		}
		users = append(users, u)
		rowOf[u] = rowNum
	}
	if rowNum <= 1 && len(bad) == 0 {
		return ImportResponse{}, invalid([]web.RowError{{Message: "文件中没有数据行"}})
	}
	if len(users) == 0 && len(bad) == 0 {
		return ImportResponse{}, invalid([]web.RowError{{Message: "文件中没有数据行"}})
	}

	// Against the database: taken usernames and ID numbers.
	names := make([]string, 0, len(users))
	hashes := []string{}
	idHashes := map[*User][]string{} // under every key: rows not yet re-sealed count too
	for _, u := range users {
		names = append(names, u.Username)
		if u.IDNumberHash != nil {
			id, _ := s.sealer.Open(u.IDNumberSealed)
			idHashes[u] = s.sealer.Hashes("id", id)
			hashes = append(hashes, idHashes[u]...)
		}
	}
	takenNames, err := s.store.ExistingUsernames(ctx, names)
	if err != nil {
		return ImportResponse{}, web.Internal(err)
	}
	takenIDs, err := s.store.ExistingIDHashes(ctx, hashes)
	if err != nil {
		return ImportResponse{}, web.Internal(err)
	}
	// Below the city level the caller cannot see every account, so the
	// messages do not say that one exists elsewhere.
	citywide := len(p.OrgChain()) <= 1
	for _, u := range users {
		if takenNames[u.Username] {
			if citywide {
				addBad(rowOf[u], "用户名 "+u.Username+" 已存在")
			} else {
				addBad(rowOf[u], "用户名 "+u.Username+" 不可用，请换一个")
			}
		}
		if slices.ContainsFunc(idHashes[u], func(h string) bool { return takenIDs[h] }) {
			if citywide {
				addBad(rowOf[u], "身份证号已登记")
			} else {
				addBad(rowOf[u], "身份证号无法在此登记，请联系上级组织部门核实")
			}
		}
	}
	if len(bad) > 0 {
		sortRows(bad)
		return ImportResponse{}, invalid(bad)
	}

	hash, err := HashPassword(initialPassword)
	if err != nil {
		return ImportResponse{}, web.Internal(err)
	}
	for _, u := range users {
		u.PasswordHash = hash
	}
	start := time.Now()
	err = s.change(ctx, func(st *Store) error { return st.CreateUsers(ctx, users) }, func() web.AuditEntry {
		return web.AuditBy(p, "user.import", "user", 0, map[string]any{"created": len(users)})
	})
	if err != nil {
		if dup := s.duplicateUser(err); web.AsError(dup).Status == 400 {
			return ImportResponse{}, invalid([]web.RowError{{Message: "导入期间有重复的用户名或身份证号被其他操作登记，请重试"}})
		}
		return ImportResponse{}, web.AsError(err)
	}
	s.log.InfoContext(ctx, "identity: users imported", "count", len(users), "ms", time.Since(start).Milliseconds())
	out := ImportResponse{Created: len(users)}
	if generated {
		out.InitialPassword = initialPassword
	}
	return out, nil
}

func headersMatch(cols []string) bool {
	if len(cols) < len(importHeaders) {
		return false
	}
	for i, h := range importHeaders {
		got := strings.TrimSpace(cols[i])
		if got != h && got != strings.TrimSuffix(h, "*") {
			return false
		}
	}
	return true
}

var fieldNames = map[string]string{
	"username": "用户名", "name": "姓名", "org": "组织代码", "org_id": "组织代码", "level": "职级", "post": "职务",
	"id_number": "身份证号", "phone": "手机号", "roles": "角色", "term_ends_on": "任职期满日期",
}

func describeFields(f web.Fields) string {
	order := []string{"username", "name", "org", "org_id", "level", "post", "id_number", "phone", "roles", "term_ends_on"}
	var parts []string
	for _, k := range order {
		if msg, ok := f[k]; ok {
			if k == "org_id" {
				if _, has := f["org"]; has {
					continue
				}
			}
			if strings.HasPrefix(msg, fieldNames[k]) || strings.Contains(msg, "组织代码") {
				parts = append(parts, msg)
			} else {
				parts = append(parts, fieldNames[k]+"："+msg)
			}
		}
	}
	return strings.Join(parts, "；")
}

func sortRows(rows []web.RowError) {
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && rows[j].Row < rows[j-1].Row; j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}
