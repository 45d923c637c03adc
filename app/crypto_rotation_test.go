package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"college/app/college"
	"college/app/collegetest"
	"college/modules/identity"
)

// servingBeside builds a second instance over the same stores with another
// configuration, as a rolling restart does.
func servingBeside(t *testing.T, a *collegetest.App, change func(*college.Config)) (*collegetest.App, college.Config) {
	t.Helper()
	cfg := a.Config()
	change(&cfg)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := college.Build(context.Background(), cfg, slog.New(slog.DiscardHandler), college.Stores{DB: a.DB, Cache: a.Cache, Objects: a.Objects})
	if err != nil {
		t.Fatal(err)
	}
	return &collegetest.App{App: b, T: t}, cfg
}

func sealedValues(t *testing.T, a *collegetest.App) []string {
	t.Helper()
	var rows []struct{ IDNumberSealed, PhoneSealed string }
	if err := a.DB.Table("users").Select("id_number_sealed", "phone_sealed").Where("id_number_sealed <> '' OR phone_sealed <> ''").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		for _, v := range []string{r.IDNumberSealed, r.PhoneSealed} {
			if v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

func searchTotal(t *testing.T, a *collegetest.App, tok, q string) float64 {
	t.Helper()
	r := a.Do("GET", "/api/v1/users?q="+q, tok, nil)
	collegetest.MustStatus(t, r, 200)
	return r.JSON(t)["total"].(float64)
}

// Switching to national cryptography and a new key while serving: the new
// instance reads and finds the rows sealed before, refuses their ID numbers
// as duplicates, and after `college keys rotate` every value is sealed with
// SM4 under the new key and every look-up still works.
func TestKeyRotationToNationalWhileServing(t *testing.T) {
	t.Parallel()
	a, adm := collegetest.NewAdminApp(t)
	unit := a.CreateOrg(adm, "测试单位", "T1", "unit", 0)
	people := []identity.UserRequest{
		{Username: "zhang", Name: "张三", OrgID: unit, IDNumber: "110101199003074514", Phone: "13800138000"},
		{Username: "li", Name: "李四", OrgID: unit, IDNumber: "11010519491231002X", Phone: "13900139000"},
		{Username: "wang", Name: "王五", OrgID: unit, Phone: "13700137000"},
	}
	a.Provision(people...)
	for _, v := range sealedValues(t, a) {
		if !strings.HasPrefix(v, "v1:") {
			t.Fatalf("standard mode sealed %q", v)
		}
	}

	key2 := "2:" + strings.Repeat("5a", 32)
	b, cfgB := servingBeside(t, a, func(c *college.Config) { c.Crypto = college.CryptoConfig{National: true, Keys: key2, ActiveKey: 2} })
	tokB := b.Admin()
	// Before the rotation the new instance finds the old rows...
	for _, q := range []string{"110101199003074514", "11010519491231002x", "13700137000"} {
		if n := searchTotal(t, b, tokB, q); n != 1 {
			t.Fatalf("before rotation, search %s found %v", q, n)
		}
	}
	// ...refuses their ID numbers...
	r := b.Do("POST", "/api/v1/users", tokB, map[string]any{"username": "copy", "name": "重号", "password": collegetest.UserPassword, "org_id": unit, "id_number": "110101199003074514"})
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["id_number"] == nil {
		t.Fatalf("a duplicate ID number sealed under the old key was accepted: %s", r.Body)
	}
	// ...in an import too...
	var code string
	a.DB.Table("orgs").Where("id = ?", unit).Pluck("code", &code)
	r = b.Upload("/api/v1/users/import", tokB, "users.xlsx", collegetest.ImportFile(t, collegetest.ImportHeader, [][]string{{"copy2", "重号", code, "", "", "11010519491231002X", "", "学员", ""}}), nil)
	if r.Status != 422 || !strings.Contains(string(r.Body), "身份证号") {
		t.Fatalf("an import repeating an ID number sealed under the old key: %d %s", r.Status, r.Body)
	}
	// ...and seals what it writes with SM4 under key 2.
	r = b.Do("POST", "/api/v1/users", tokB, map[string]any{"username": "zhao", "name": "赵六", "password": collegetest.UserPassword, "org_id": unit, "id_number": "110101199001011237", "phone": "13600136000"})
	collegetest.MustStatus(t, r, 201)
	newID := r.ID(t)

	secret, _ := cfgB.Secret()
	var out strings.Builder
	if err := rotateKeys(context.Background(), cfgB, a.DB, secret, 2, slog.New(slog.DiscardHandler), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "3 re-sealed") {
		t.Fatalf("rotation report: %s", out.String())
	}
	vals := sealedValues(t, a)
	if len(vals) != 7 {
		t.Fatalf("%d sealed values, want 7", len(vals))
	}
	for _, v := range vals {
		if !strings.HasPrefix(v, "v2:sm:2:") {
			t.Fatalf("after rotation a value is still %q", v[:8])
		}
	}
	for _, q := range []string{"110101199003074514", "11010519491231002X", "13800138000", "13700137000", "110101199001011237"} {
		if n := searchTotal(t, b, tokB, q); n != 1 {
			t.Fatalf("after rotation, search %s found %v", q, n)
		}
	}
	body := string(b.Do("GET", fmt.Sprintf("/api/v1/users/%d", a.UserID("zhang")), tokB, nil).Body)
	if !strings.Contains(body, "110***********4514") || !strings.Contains(body, "138****8000") {
		t.Fatalf("masked values after rotation: %s", body)
	}
	body = string(b.Do("GET", fmt.Sprintf("/api/v1/users/%d", newID), tokB, nil).Body)
	if !strings.Contains(body, "110***********1237") {
		t.Fatalf("masked value of a user created during rotation: %s", body)
	}
	// A second run has nothing left to do.
	out.Reset()
	if err := rotateKeys(context.Background(), cfgB, a.DB, secret, 2, slog.New(slog.DiscardHandler), &out); err != nil || !strings.Contains(out.String(), " 0 re-sealed") {
		t.Fatalf("second rotation: %v %s", err, out.String())
	}
	// An instance without key 2 cannot read the rows any more: the keys
	// live in the configuration, not in the database.
	if n := searchTotal(t, a, adm, "110101199003074514"); n != 0 {
		t.Fatalf("the old instance found a row sealed with a key it lacks: %v", n)
	}
	_ = io.Discard
}
