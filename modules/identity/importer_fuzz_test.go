package identity

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/xuri/excelize/v2"

	"college/modules/audit"
	"college/modules/settings"
	"college/modules/web"
	"college/storage/cache/cachetest"
	"college/storage/db/dbtest"
)

// importFixture is a service over a fresh database with two units, and a
// unit admin of the first: the import may only create learners in it.
type importFixture struct {
	svc   *Service
	admin *web.Principal
	inOrg uint64
}

func newImportFixture(t testing.TB) *importFixture {
	// Each accepted file hashes its initial password once; the full cost,
	// slower still under the fuzzer's instrumentation, would leave it no
	// time to fuzz.
	params := hashParams
	hashParams = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	t.Cleanup(func() { hashParams = params })
	gdb := dbtest.New(t, slices.Concat(Migrations(), settings.Migrations(), audit.Migrations())...)
	c := cachetest.New(t)
	sealer, err := NewSealer([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	store := NewStore(gdb)
	log := slog.New(slog.DiscardHandler)
	auditLog, err := audit.New(audit.Deps{DB: gdb, Secret: []byte("0123456789abcdef0123456789abcdef"), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	svc := NewService(Deps{Store: store, Sealer: sealer, Settings: settings.New(gdb, c), Cache: c, Audit: auditLog, Log: log})
	ctx := context.Background()
	root := &Org{Name: "市委组织部", Code: "ROOT", Kind: KindDepartment}
	if err := store.CreateOrg(ctx, root, "/"); err != nil {
		t.Fatal(err)
	}
	ua := &Org{ParentID: &root.ID, Name: "甲单位", Code: "UA", Kind: KindUnit}
	ub := &Org{ParentID: &root.ID, Name: "乙单位", Code: "UB", Kind: KindUnit}
	for _, o := range []*Org{ua, ub} {
		if err := store.CreateOrg(ctx, o, root.Path); err != nil {
			t.Fatal(err)
		}
	}
	p := &web.Principal{UserID: 1, Username: "ua_admin", Roles: []string{web.RoleUnitAdmin}, OrgID: ua.ID, OrgPath: ua.Path}
	return &importFixture{svc: svc, admin: p, inOrg: ua.ID}
}

// importBook writes rows (cells separated by tabs, rows by new lines)
// under the template's header.
func importBook(t testing.TB, rows string) []byte {
	f := excelize.NewFile()
	defer f.Close()
	all := append([][]string{importHeaders}, nil)[:1]
	for _, line := range strings.Split(rows, "\n") {
		all = append(all, strings.Split(line, "\t"))
	}
	for i, r := range all {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
			return nil // a cell excelize itself will not write
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// check runs one import and holds it to the import's promises: a refusal
// is a 4xx, never a 5xx; what it creates is what the rows said, within
// the caller's unit, as learners who must change their password, with
// values that fit their columns.
func (fx *importFixture) check(t *testing.T, data []byte) {
	ctx := context.Background()
	// Each input starts from no users, so that a crasher reproduces alone.
	defer func() {
		fx.svc.store.db.Exec("DELETE FROM user_roles")
		fx.svc.store.db.Exec("DELETE FROM users")
		fx.svc.store.db.Exec("DELETE FROM audit_logs")
	}()
	res, err := fx.svc.ImportUsers(ctx, fx.admin, data, "")
	var entries []audit.Log
	if err := fx.svc.store.db.Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	if err != nil {
		var we *web.Error
		if !errors.As(err, &we) || we.Status >= 500 {
			t.Fatalf("import failed with %v", err)
		}
		if len(entries) != 0 {
			t.Fatalf("a refused import wrote %d audit entries", len(entries))
		}
		return
	}
	if res.Created <= 0 || res.InitialPassword == "" {
		t.Fatalf("import succeeded with %+v", res)
	}
	if len(entries) != 1 || entries[0].Action != "user.import" || entries[0].ActorID != fx.admin.UserID || entries[0].Detail != fmt.Sprintf(`{"created":%d}`, res.Created) {
		t.Fatalf("import of %d users wrote the audit entries %+v", res.Created, entries)
	}
	users, total, err := fx.svc.store.ListUsers(ctx, fx.admin, UserFilter{}, web.Page{Page: 1, PageSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if int(total) != res.Created {
		t.Fatalf("import said %d created, the unit has %d users", res.Created, total)
	}
	for _, u := range users {
		if u.OrgID != fx.inOrg {
			t.Fatalf("user %q created in org %d", u.Username, u.OrgID)
		}
		if u.Username == "" || !validUsername(u.Username) || utf8.RuneCountInString(u.Username) > 64 {
			t.Fatalf("user created with username %q", u.Username)
		}
		if strings.TrimSpace(u.Name) == "" || utf8.RuneCountInString(u.Name) > 64 || utf8.RuneCountInString(u.Post) > 100 {
			t.Fatalf("user %q created with name %q, post %q", u.Username, u.Name, u.Post)
		}
		if !u.MustChangePassword {
			t.Fatalf("user %q need not change the initial password", u.Username)
		}
		full, err := fx.svc.store.UserByUsername(ctx, u.Username)
		if err != nil || full == nil {
			t.Fatalf("user %q: %v", u.Username, err)
		}
		for _, r := range full.Roles {
			if r.Role != web.RoleLearner {
				t.Fatalf("a unit admin's import gave %q the role %q", u.Username, r.Role)
			}
		}
	}
}

// FuzzImportUserRows fuzzes the rows of a well-formed workbook.
//
//	go test ./modules/identity -run '^$' -fuzz FuzzImportUserRows -fuzztime 60s
func FuzzImportUserRows(f *testing.F) {
	for _, s := range []string{
		"zhangsan\t张三\tUA\t乡科级\t科长\t110101199003074514\t13800138000\t学员\t2028-12-31",
		"lisi\t李四\tUA",
		"wangwu\t王五\tUB",
		"zhao\t赵\tUA\t\t\t\t\t系统管理员",
		"a\tb\tUA\n\n\nc\td\tUA\t处级",
		"x1\t某\tUA\t\t\t11010119900307451X\t+86 138-0013-8000\t学员、单位管理员\t2028/1/1",
		" \t \t ",
		strings.Repeat("u", 65) + "\t长用户名\tUA",
		"u1\t" + strings.Repeat("名", 65) + "\tUA\t\t" + strings.Repeat("职", 101),
	} {
		f.Add(s)
	}
	fx := newImportFixture(f)
	f.Fuzz(func(t *testing.T, rows string) {
		data := importBook(t, rows)
		if data == nil {
			return
		}
		fx.check(t, data)
	})
}

// FuzzImportUserFile fuzzes the bytes of the uploaded file.
//
//	go test ./modules/identity -run '^$' -fuzz FuzzImportUserFile -fuzztime 60s
func FuzzImportUserFile(f *testing.F) {
	var tpl bytes.Buffer
	if err := ImportTemplate(&tpl); err != nil {
		f.Fatal(err)
	}
	f.Add(tpl.Bytes())
	f.Add(importBook(f, "lisi\t李四\tUA"))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("用户名*,姓名*,组织代码*\nzhangsan,张三,UA\n"))
	fx := newImportFixture(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		fx.check(t, data)
	})
}
