package settings

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"college/modules/web"
	"college/storage/cache"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Kind is the type of a setting's value.
type Kind string

// Kinds of settings.
const (
	KindInt    Kind = "int"
	KindNumber Kind = "number"
	KindBool   Kind = "bool"
	KindText   Kind = "text"
)

// Def declares a setting: its key, type, default and bounds, and the label
// shown to administrators.
type Def struct {
	Key     string
	Group   string
	Label   string
	Help    string
	Kind    Kind
	Default string
	Min     float64
	Max     float64
}

// Service reads and writes settings.
type Service struct {
	db    *gorm.DB
	cache *cache.Cache
	audit web.Auditor

	mu     sync.RWMutex
	defs   map[string]Def
	order  []string
	values map[string]string
	loaded time.Time
}

const topic = "settings"

// reloadEvery bounds how stale a cached value may be if a broadcast is lost.
const reloadEvery = 30 * time.Second

// New makes the service; modules add their definitions with Define.
func New(gdb *gorm.DB, c *cache.Cache) *Service {
	s := &Service{db: gdb, cache: c, defs: map[string]Def{}}
	if c != nil {
		c.Subscribe(topic, func(string) { s.invalidate() })
	}
	return s
}

// SetAuditor gives the service the audit log its changes are recorded in
// (the audit module reads settings, so it is built after this service).
func (s *Service) SetAuditor(a web.Auditor) { s.audit = a }

// Define registers definitions; a module calls it when it is built.
func (s *Service) Define(defs ...Def) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range defs {
		if _, dup := s.defs[d.Key]; !dup {
			s.order = append(s.order, d.Key)
		}
		s.defs[d.Key] = d
	}
}

func (s *Service) invalidate() {
	s.mu.Lock()
	s.values = nil
	s.mu.Unlock()
}

func (s *Service) snapshot(ctx context.Context) map[string]string {
	s.mu.RLock()
	v, at := s.values, s.loaded
	s.mu.RUnlock()
	if v != nil && time.Since(at) < reloadEvery {
		return v
	}
	var rows []Setting
	if err := s.db.WithContext(ctx).Find(&rows).Error; err != nil {
		if v != nil {
			return v // keep serving the last known values
		}
		return map[string]string{}
	}
	v = make(map[string]string, len(rows))
	for _, r := range rows {
		v[r.Key] = r.Value
	}
	s.mu.Lock()
	s.values, s.loaded = v, time.Now()
	s.mu.Unlock()
	return v
}

func (s *Service) raw(ctx context.Context, key string) string {
	if v, ok := s.snapshot(ctx)[key]; ok {
		return v
	}
	s.mu.RLock()
	d, ok := s.defs[key]
	s.mu.RUnlock()
	if !ok {
		panic("settings: undefined key " + key)
	}
	return d.Default
}

// Int returns an integer setting.
func (s *Service) Int(ctx context.Context, key string) int {
	n, _ := strconv.Atoi(s.raw(ctx, key))
	return n
}

// Float returns a number setting.
func (s *Service) Float(ctx context.Context, key string) float64 {
	f, _ := strconv.ParseFloat(s.raw(ctx, key), 64)
	return f
}

// Bool returns a yes/no setting.
func (s *Service) Bool(ctx context.Context, key string) bool { return s.raw(ctx, key) == "true" }

// Text returns a text setting.
func (s *Service) Text(ctx context.Context, key string) string { return s.raw(ctx, key) }

// All lists every setting with its current value, grouped and in the order
// the modules defined them.
func (s *Service) All(ctx context.Context) []View {
	vals := s.snapshot(ctx)
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]View, 0, len(s.order))
	for _, k := range s.order {
		d := s.defs[k]
		v, ok := vals[k]
		if !ok {
			v = d.Default
		}
		out = append(out, View{Key: k, Group: d.Group, Label: d.Label, Help: d.Help, Kind: d.Kind, Value: v, Default: d.Default, Min: d.Min, Max: d.Max})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Group < out[j].Group })
	return out
}

// Validate checks new values against their definitions and returns the
// normalized values, or messages by key.
func (s *Service) Validate(values map[string]string) (map[string]string, map[string]string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	clean := map[string]string{}
	bad := map[string]string{}
	for k, v := range values {
		d, ok := s.defs[k]
		if !ok {
			bad[k] = "没有这个设置项"
			continue
		}
		v = strings.TrimSpace(v)
		switch d.Kind {
		case KindInt:
			n, err := strconv.Atoi(v)
			if err != nil {
				bad[k] = "应为整数"
				continue
			}
			if (d.Min != 0 || d.Max != 0) && (float64(n) < d.Min || float64(n) > d.Max) {
				bad[k] = fmt.Sprintf("应在 %g 到 %g 之间", d.Min, d.Max)
				continue
			}
			v = strconv.Itoa(n)
		case KindNumber:
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				bad[k] = "应为数字"
				continue
			}
			if (d.Min != 0 || d.Max != 0) && (f < d.Min || f > d.Max) {
				bad[k] = fmt.Sprintf("应在 %g 到 %g 之间", d.Min, d.Max)
				continue
			}
			v = strconv.FormatFloat(f, 'f', -1, 64)
		case KindBool:
			switch v {
			case "true", "1", "on", "是":
				v = "true"
			case "false", "0", "off", "否", "":
				v = "false"
			default:
				bad[k] = "应为 true 或 false"
				continue
			}
		case KindText:
			if len([]rune(v)) > 500 {
				bad[k] = "不能超过 500 个字"
				continue
			}
		}
		clean[k] = v
	}
	return clean, bad
}

// Update is the system administrator's change of settings: it checks the
// values against their definitions and stores them with the audit entry of
// the change in the same transaction.
func (s *Service) Update(ctx context.Context, p *web.Principal, values map[string]string) error {
	if len(values) == 0 {
		return web.Invalid(map[string]string{"body": "没有要修改的设置"})
	}
	clean, bad := s.Validate(values)
	if len(bad) > 0 {
		return web.Invalid(bad)
	}
	if s.audit == nil {
		return web.Internal(errors.New("settings: no audit log to record the change in"))
	}
	e := web.AuditBy(p, "settings.update", "settings", 0, clean)
	err := s.save(ctx, p.UserID, clean, func(tx *gorm.DB) error { return web.RecordTx(s.audit, tx, e) })
	if err != nil {
		return web.AsError(err)
	}
	return nil
}

// Set stores validated values and tells every instance to reload.
func (s *Service) Set(ctx context.Context, by uint64, values map[string]string) error {
	return s.save(ctx, by, values, nil)
}

// save stores values, running also (when given) in the same transaction,
// and tells every instance to reload.
func (s *Service) save(ctx context.Context, by uint64, values map[string]string, also func(tx *gorm.DB) error) error {
	now := time.Now().UTC()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for k, v := range values {
			row := Setting{Key: k, Value: v, UpdatedAt: now, UpdatedBy: by}
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "setting_key"}}, DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at", "updated_by"})}).Create(&row).Error; err != nil {
				return err
			}
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("settings: save: %w", err)
	}
	s.invalidate()
	if s.cache != nil {
		_ = s.cache.Broadcast(ctx, topic, "")
	}
	return nil
}
