package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"college/modules/web"
	"college/storage/db/dbtest"
)

// The hashing queue is bounded: with every slot taken and the queue full, a
// login check is refused at once instead of waiting behind the flood.
func TestHashQueueRefusesWhenFull(t *testing.T) {
	// Not parallel: it fills the process-wide slots.
	hash := dummyHash()
	for i := 0; i < cap(hashSlots); i++ {
		hashSlots <- struct{}{}
	}
	hashWaiting.Add(maxHashQueue)
	defer func() {
		hashWaiting.Add(-maxHashQueue)
		for i := 0; i < cap(hashSlots); i++ {
			<-hashSlots
		}
	}()
	ok, err := checkPasswordBounded(context.Background(), hash, "whatever")
	if !errors.Is(err, ErrBusy) || ok {
		t.Fatalf("full queue: ok=%v err=%v, want ErrBusy", ok, err)
	}
	// A waiter whose context ends gives up too.
	hashWaiting.Add(-maxHashQueue)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := checkPasswordBounded(ctx, hash, "whatever"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
	hashWaiting.Add(maxHashQueue)
}

func TestPasswordProblemFor(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		pw, user string
		ok       bool
	}{
		{"Good-Horse-2026", "zhang", true},
		{"P@ssw0rd", "zhang", false},
		{"p@SSW0RD", "zhang", false}, // case does not help
		{"Zhang-2026-x", "zhang", false},
		{"Abc@1234", "li", false},
		{"short1A", "li", false},
	} {
		if got := PasswordProblemFor(c.pw, 8, c.user) == ""; got != c.ok {
			t.Errorf("%q for %q: ok=%v, want %v", c.pw, c.user, got, c.ok)
		}
	}
}

// An existing account holding a system administrator role with others keeps
// the administrator role only after the migration step.
func TestExclusiveSystemRolesMigration(t *testing.T) {
	t.Parallel()
	gdb := dbtest.New(t, Migrations()...)
	grants := map[uint64][]string{
		1: {web.RoleSysAdmin, web.RoleOrgAdmin},
		2: {web.RoleSecAdmin, web.RoleAuditor, web.RoleLearner},
		3: {web.RoleAuditor, web.RoleTeacher},
		4: {web.RoleLearner, web.RoleTeacher},
	}
	for uid, roles := range grants {
		for _, r := range roles {
			if err := gdb.Create(&UserRole{UserID: uid, Role: r}).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := exclusiveSystemRoles(gdb); err != nil {
		t.Fatal(err)
	}
	want := map[uint64]string{1: "[sysadmin]", 2: "[secadmin]", 3: "[auditor]", 4: "[learner teacher]"}
	for uid, w := range want {
		var got []string
		gdb.Model(&UserRole{}).Where("user_id = ?", uid).Order("role").Pluck("role", &got)
		if fmt.Sprint(got) != w {
			t.Errorf("user %d roles = %v, want %s", uid, got, w)
		}
	}
}

func TestMayManage(t *testing.T) {
	t.Parallel()
	user := func(id uint64, roles ...string) *User {
		u := &User{ID: id}
		for _, r := range roles {
			u.Roles = append(u.Roles, UserRole{UserID: id, Role: r})
		}
		return u
	}
	sys := &web.Principal{UserID: 1, Roles: []string{web.RoleSysAdmin}}
	sec := &web.Principal{UserID: 2, Roles: []string{web.RoleSecAdmin}}
	unit := &web.Principal{UserID: 3, Roles: []string{web.RoleUnitAdmin}}
	for _, c := range []struct {
		p    *web.Principal
		u    *User
		want bool
	}{
		{sys, user(9, web.RoleLearner), true},
		{sys, user(9, web.RoleCollegeAdmin), true},
		{sys, user(9, web.RoleAuditor), false},
		{sys, user(9, web.RoleSecAdmin), false},
		{sys, user(1, web.RoleSysAdmin), false}, // self
		{sec, user(9, web.RoleAuditor), true},
		{sec, user(9, web.RoleSysAdmin), true},
		{sec, user(9, web.RoleLearner), false},
		{sec, user(2, web.RoleSecAdmin), false}, // self
		{unit, user(9, web.RoleLearner), true},
		{unit, user(9, web.RoleLearner, web.RoleTeacher), false},
	} {
		if got := mayManage(c.p, c.u); got != c.want {
			t.Errorf("%v manages %v: %v, want %v", c.p.Roles, c.u.RoleList(), got, c.want)
		}
	}
}

func TestRecoveryCodes(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		c := newRecoveryCode()
		if len(c) != 14 || c[4] != '-' || c[9] != '-' || seen[c] {
			t.Fatalf("code %q (or a repeat)", c)
		}
		seen[c] = true
		// Typed back in capitals, with spaces for dashes, it still matches.
		if recoveryHash(strings.ToUpper(strings.ReplaceAll(c, "-", " "))) != recoveryHash(c) {
			t.Fatalf("normalisation of %q", c)
		}
	}
}
