package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestSeedCreatesTheDemoCityOnce(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	var out bytes.Buffer
	if err := Seed(context.Background(), a.App, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), DemoPassword) || !strings.Contains(out.String(), "cadre01") {
		t.Fatalf("seed output lacks the logins:\n%s", out.String())
	}
	var colleges, units, users int64
	a.DB.Table("orgs").Where("kind = ?", "college").Count(&colleges)
	a.DB.Table("orgs").Where("kind = ?", "unit").Count(&units)
	a.DB.Table("users").Count(&users)
	if colleges != 6 || units < 10 || users != 1+8+50 {
		t.Fatalf("colleges %d, units %d, users %d", colleges, units, users)
	}
	// One account per role, each able to log in.
	for _, u := range []string{"orgadmin", "sysadmin", "secadmin", "auditor", "college", "teacher", "unitadmin", "cadre01", "cadre50"} {
		a.login(u, DemoPassword)
	}
	// The unit admin sees the cadres of their unit only.
	tok := a.login("unitadmin", DemoPassword)
	l := a.do("GET", "/api/v1/users?page_size=200", tok, nil).JSON(t)
	if n := l["total"].(float64); n < 2 || n > 10 {
		t.Fatalf("unit admin sees %v users", n)
	}
	// Running again adds nothing.
	out.Reset()
	if err := Seed(context.Background(), a.App, &out); err != nil {
		t.Fatal(err)
	}
	var again int64
	a.DB.Table("users").Count(&again)
	if again != users {
		t.Fatalf("second seed changed the user count: %d -> %d", users, again)
	}
}
