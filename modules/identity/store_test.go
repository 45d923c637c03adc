package identity

import (
	"context"
	"testing"

	"college/modules/web"
	"college/storage/db/dbtest"
)

// The store's scoping runs on SQLite and, with COLLEGE_TEST_MYSQL_DSN, on
// MariaDB: the same queries must give the same answers.
func TestStoreScopesByOrgSubtree(t *testing.T) {
	t.Parallel()
	gdb := dbtest.New(t, Migrations()...)
	s := NewStore(gdb)
	ctx := context.Background()
	root := &Org{Name: "root", Code: "R", Kind: KindDepartment}
	if err := s.CreateOrg(ctx, root, "/"); err != nil {
		t.Fatal(err)
	}
	mk := func(code string, parent *Org) *Org {
		o := &Org{ParentID: &parent.ID, Name: code, Code: code, Kind: KindUnit}
		if err := s.CreateOrg(ctx, o, parent.Path); err != nil {
			t.Fatal(err)
		}
		return o
	}
	d1 := mk("D1", root)
	u1 := mk("U1", d1)
	u2 := mk("U2", root)
	// Path prefixes must not confuse /1/2/ with /1/21/: make enough orgs.
	for i := 0; i < 20; i++ {
		mk("X"+string(rune('a'+i)), root)
	}
	if u1.Path != root.Path+itoaU(d1.ID)+"/"+itoaU(u1.ID)+"/" {
		t.Fatalf("path = %s", u1.Path)
	}
	var users []*User
	for i, o := range []*Org{root, d1, u1, u2} {
		users = append(users, &User{Username: "user" + itoaU(uint64(i)), Name: "n", PasswordHash: "x", OrgID: o.ID, Roles: []UserRole{{Role: "learner"}}})
	}
	if err := s.CreateUsers(ctx, users); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		org  *Org
		want int64
	}{{root, 4}, {d1, 2}, {u1, 1}, {u2, 1}}
	for _, c := range cases {
		p := &web.Principal{OrgPath: c.org.Path}
		_, total, err := s.ListUsers(ctx, p, UserFilter{}, web.Page{Page: 1, PageSize: 50})
		if err != nil {
			t.Fatal(err)
		}
		if total != c.want {
			t.Errorf("scope %s: %d users, want %d", c.org.Code, total, c.want)
		}
	}
	p := &web.Principal{OrgPath: d1.Path}
	if u, _ := s.UserByID(ctx, p, users[3].ID); u != nil {
		t.Error("user of a sibling org visible")
	}
	if u, _ := s.UserByID(ctx, p, users[2].ID); u == nil || len(u.Roles) != 1 {
		t.Error("user of a child org not visible, or roles not loaded")
	}
	if o, _ := s.OrgByID(ctx, p, u2.ID); o != nil {
		t.Error("sibling org visible")
	}
	if _, total, _ := s.ListUsers(ctx, &web.Principal{}, UserFilter{}, web.Page{Page: 1, PageSize: 10}); total != 0 {
		t.Error("a principal without an org sees users")
	}
	// LIKE wildcards in a search are literal.
	if _, total, _ := s.ListUsers(ctx, &web.Principal{OrgPath: root.Path}, UserFilter{Q: "%"}, web.Page{Page: 1, PageSize: 10}); total != 0 {
		t.Errorf("'%%' matched %d users", total)
	}
	if _, total, _ := s.ListUsers(ctx, &web.Principal{OrgPath: root.Path}, UserFilter{Q: "user_"}, web.Page{Page: 1, PageSize: 10}); total != 0 {
		t.Errorf("'user_' matched %d users", total)
	}
}

func itoaU(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
