package settings_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"college/modules/audit"
	"college/modules/settings"
	"college/modules/web"
	"college/storage/cache/cachetest"
	"college/storage/db/dbtest"

	"gorm.io/gorm"
)

var defs = []settings.Def{
	{Key: "t.days", Group: "测试", Label: "天数", Kind: settings.KindInt, Default: "7", Min: 1, Max: 30},
	{Key: "t.count", Group: "测试", Label: "次数（不限）", Kind: settings.KindInt, Default: "0"},
	{Key: "t.ratio", Group: "测试", Label: "比例", Kind: settings.KindNumber, Default: "0.6", Min: 0, Max: 1},
	{Key: "t.on", Group: "测试", Label: "开关", Kind: settings.KindBool, Default: "false"},
	{Key: "t.motto", Group: "测试", Label: "标语", Kind: settings.KindText, Default: "学以致用"},
}

// newDB is a database with the settings and the audit log.
func newDB(t *testing.T) *gorm.DB {
	return dbtest.New(t, slices.Concat(settings.Migrations(), audit.Migrations())...)
}

// newAudit is the audit log on gdb.
func newAudit(t *testing.T, gdb *gorm.DB) *audit.Service {
	a, err := audit.New(audit.Deps{DB: gdb, Secret: []byte("0123456789abcdef0123456789abcdef"), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// downAuditor cannot write any entry.
type downAuditor struct{}

func (downAuditor) Record(context.Context, web.AuditEntry) error {
	return errors.New("audit log down")
}

func newService(gdb *gorm.DB, a web.Auditor) *settings.Service {
	s := settings.New(gdb, nil)
	s.Define(defs...)
	if a != nil {
		s.SetAuditor(a)
	}
	return s
}

var admin = &web.Principal{UserID: 7, Username: "admin", IP: "10.1.2.3", Roles: []string{web.RoleSysAdmin}}

func TestDefaultsUntilOverridden(t *testing.T) {
	t.Parallel()
	s := newService(newDB(t), nil)
	ctx := context.Background()
	if s.Int(ctx, "t.days") != 7 || s.Float(ctx, "t.ratio") != 0.6 || s.Bool(ctx, "t.on") || s.Text(ctx, "t.motto") != "学以致用" {
		t.Fatalf("defaults: %d %v %v %q", s.Int(ctx, "t.days"), s.Float(ctx, "t.ratio"), s.Bool(ctx, "t.on"), s.Text(ctx, "t.motto"))
	}
	all := s.All(ctx)
	if len(all) != len(defs) {
		t.Fatalf("All lists %d settings, want %d", len(all), len(defs))
	}
	for i, v := range all {
		if v.Key != defs[i].Key || v.Value != defs[i].Default || v.Default != defs[i].Default {
			t.Errorf("All()[%d] = %+v, want %s at its default", i, v, defs[i].Key)
		}
	}
}

func TestValidateBoundsAndForms(t *testing.T) {
	t.Parallel()
	s := newService(newDB(t), nil)
	refused := map[string]map[string]string{
		"below the minimum":     {"t.days": "0"},
		"above the maximum":     {"t.days": "31"},
		"not an integer":        {"t.days": "7.5"},
		"number above max":      {"t.ratio": "1.01"},
		"not a number":          {"t.ratio": "六成"},
		"not a yes or no":       {"t.on": "maybe"},
		"text too long":         {"t.motto": strings.Repeat("学", 501)},
		"no such setting":       {"t.nothing": "1"},
		"unbounded, not an int": {"t.count": "-x"},
	}
	for name, in := range refused {
		clean, bad := s.Validate(in)
		for k := range in {
			if bad[k] == "" || clean[k] != "" {
				t.Errorf("%s: %v accepted as %v (messages %v)", name, in, clean, bad)
			}
		}
	}
	clean, bad := s.Validate(map[string]string{"t.days": " 30 ", "t.count": "100000", "t.ratio": "0.50", "t.on": "是", "t.motto": strings.Repeat("学", 500)})
	if len(bad) != 0 {
		t.Fatalf("refused %v", bad)
	}
	want := map[string]string{"t.days": "30", "t.count": "100000", "t.ratio": "0.5", "t.on": "true", "t.motto": strings.Repeat("学", 500)}
	for k, v := range want {
		if clean[k] != v {
			t.Errorf("%s normalized to %q, want %q", k, clean[k], v)
		}
	}
	if _, bad := s.Validate(map[string]string{"t.days": "31"}); bad["t.days"] != "应在 1 到 30 之间" {
		t.Errorf("the message of a value out of bounds: %q", bad["t.days"])
	}
}

// An administrator's change is stored with its audit entry, read back by
// another instance on the same database, and refused whole when a value is
// wrong or the entry cannot be written.
func TestUpdateStoresAndRecords(t *testing.T) {
	t.Parallel()
	gdb := newDB(t)
	s := newService(gdb, newAudit(t, gdb))
	ctx := context.Background()

	if err := s.Update(ctx, admin, map[string]string{"t.days": "14", "t.on": "on"}); err != nil {
		t.Fatal(err)
	}
	if s.Int(ctx, "t.days") != 14 || !s.Bool(ctx, "t.on") {
		t.Fatalf("after the change: %d %v", s.Int(ctx, "t.days"), s.Bool(ctx, "t.on"))
	}
	other := newService(gdb, nil)
	if other.Int(ctx, "t.days") != 14 || !other.Bool(ctx, "t.on") || other.Int(ctx, "t.count") != 0 {
		t.Fatalf("another instance reads %d %v %d", other.Int(ctx, "t.days"), other.Bool(ctx, "t.on"), other.Int(ctx, "t.count"))
	}
	var row settings.Setting
	if err := gdb.Where("setting_key = ?", "t.days").Take(&row).Error; err != nil || row.Value != "14" || row.UpdatedBy != admin.UserID {
		t.Fatalf("stored row %+v, %v", row, err)
	}
	var entries []audit.Log
	if err := gdb.Find(&entries).Error; err != nil || len(entries) != 1 {
		t.Fatalf("%d audit entries, want 1 (%v)", len(entries), err)
	}
	if e := entries[0]; e.Action != "settings.update" || e.ActorID != admin.UserID || e.IP != admin.IP || e.Detail != `{"t.days":"14","t.on":"true"}` {
		t.Fatalf("audit entry %+v", e)
	}

	// A wrong value refuses the whole change, naming the field.
	err := s.Update(ctx, admin, map[string]string{"t.days": "20", "t.ratio": "2"})
	var we *web.Error
	if !errors.As(err, &we) || we.Status != 400 || we.Fields["t.ratio"] == "" || we.Fields["t.days"] != "" {
		t.Fatalf("a change with a value out of bounds: %v", err)
	}
	if err := s.Update(ctx, admin, map[string]string{}); !errors.As(err, &we) || we.Status != 400 {
		t.Fatalf("an empty change: %v", err)
	}
	// Without its audit entry the change is not stored.
	if err := newService(gdb, downAuditor{}).Update(ctx, admin, map[string]string{"t.days": "21"}); err == nil {
		t.Fatal("a change was stored without its audit entry")
	}
	if got := newService(gdb, nil).Int(ctx, "t.days"); got != 14 {
		t.Fatalf("after refused changes t.days = %d, want 14", got)
	}
	var n int64
	if gdb.Model(&audit.Log{}).Count(&n); n != 1 {
		t.Fatalf("refused changes wrote %d more audit entries", n-1)
	}
	// A service wired without an audit log stores nothing.
	if err := newService(gdb, nil).Update(ctx, admin, map[string]string{"t.days": "22"}); !errors.As(err, &we) || we.Status != 500 {
		t.Fatalf("a change without an audit log: %v", err)
	}
}

// A change on one instance reaches another at once through the cache's
// broadcast, not only when its cached values expire.
func TestChangeReachesOtherInstances(t *testing.T) {
	t.Parallel()
	gdb := newDB(t)
	c := cachetest.New(t)
	a, b := settings.New(gdb, c), settings.New(gdb, c)
	a.Define(defs...)
	b.Define(defs...)
	a.SetAuditor(newAudit(t, gdb))
	ctx := context.Background()
	if b.Int(ctx, "t.days") != 7 {
		t.Fatal("b does not start at the default")
	}
	// The instances share the cache's one subscription, which is made
	// asynchronously: wait until a probe on it arrives.
	probe := make(chan struct{}, 1)
	c.Subscribe("probe", func(string) {
		select {
		case probe <- struct{}{}:
		default:
		}
	})
	for subscribed, deadline := false, time.Now().Add(5*time.Second); !subscribed; {
		if time.Now().After(deadline) {
			t.Fatal("the cache's subscription did not start in 5 s")
		}
		if err := c.Broadcast(ctx, "probe", ""); err != nil {
			t.Fatal(err)
		}
		select {
		case <-probe:
			subscribed = true
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err := a.Update(ctx, admin, map[string]string{"t.days": "3"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for b.Int(ctx, "t.days") != 3 {
		if time.Now().After(deadline) {
			t.Fatal("b still serves the old value 5 s after the change")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
