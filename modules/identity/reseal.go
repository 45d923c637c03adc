package identity

import (
	"context"
	"fmt"
	"log/slog"

	"college/storage/db"

	"gorm.io/gorm"
)

// sealedColumn is a column holding a sealed value, and the column holding
// its blind index ("" when it has none).
type sealedColumn struct {
	col, hashCol, kind string
}

// sealedTables are every table of this module with sealed columns.
var sealedTables = []struct {
	table, key string
	cols       []sealedColumn
}{
	{"users", "id", []sealedColumn{{"id_number_sealed", "id_number_hash", "id"}, {"phone_sealed", "phone_hash", "phone"}}},
	{"user_mfa", "user_id", []sealedColumn{{"secret_sealed", "", ""}, {"pending_sealed", "", ""}}},
}

// ResealResult counts what a rotation did.
type ResealResult struct {
	Checked  int // rows read
	Resealed int // rows written with the active key
	Changed  int // rows edited meanwhile (their new values are sealed by whoever wrote them; run again)
	Failed   int // rows with a value no configured key opens
}

// Reseal re-seals every sealed value not under the active suite and key and
// recomputes the blind indexes, batch rows per transaction. It runs beside
// the servers: they open old and new values alike and look up by every
// key's hash, and a row edited meanwhile is left as its writer sealed it.
func Reseal(ctx context.Context, gdb *gorm.DB, s *Sealer, batch int, log *slog.Logger) (ResealResult, error) {
	var res ResealResult
	if batch <= 0 {
		batch = 500
	}
	for _, t := range sealedTables {
		if !gdb.Migrator().HasTable(t.table) {
			continue
		}
		var after uint64
		for {
			n, last, err := resealBatch(ctx, gdb, s, t.table, t.key, t.cols, after, batch, &res, log)
			if err != nil {
				return res, err
			}
			if n < batch {
				break
			}
			after = last
		}
	}
	return res, nil
}

func resealBatch(ctx context.Context, gdb *gorm.DB, s *Sealer, table, key string, cols []sealedColumn, after uint64, batch int, res *ResealResult, log *slog.Logger) (int, uint64, error) {
	names := []string{key}
	for _, c := range cols {
		names = append(names, c.col)
		if c.hashCol != "" {
			names = append(names, c.hashCol)
		}
	}
	var rows []map[string]any
	// Ordered by key for a keyset walk over all rows, not as a time order.
	if err := gdb.WithContext(ctx).Table(table).Select(names).Where(key+" > ?", after).Order(key).Limit(batch).Find(&rows).Error; err != nil {
		return 0, 0, fmt.Errorf("identity: reseal %s: %w", table, err)
	}
	var last uint64
	var done ResealResult
	err := db.Transaction(ctx, gdb, func(tx *gorm.DB) error {
		done = ResealResult{}
		for _, row := range rows {
			id := asUint(row[key])
			last = id
			done.Checked++
			set := map[string]any{}
			where := tx.Table(table).Where(key+" = ?", id)
			ok := true
			for _, c := range cols {
				old := asString(row[c.col])
				plain, err := s.Open(old)
				if err != nil {
					log.Error("identity: reseal: value opens with no configured key", "table", table, "key", id, "column", c.col, "err", err)
					ok = false
					break
				}
				if !s.ring.Current(old) {
					set[c.col] = s.Seal(plain)
				}
				if c.hashCol != "" {
					want := s.Hash(c.kind, plain)
					cur := asString(row[c.hashCol])
					if (want == nil) != (row[c.hashCol] == nil) || (want != nil && *want != cur) {
						set[c.hashCol] = want
					}
				}
				where = where.Where(c.col+" = ?", old)
			}
			if !ok {
				done.Failed++
				continue
			}
			if len(set) == 0 {
				continue
			}
			r := where.Updates(set)
			if r.Error != nil {
				return fmt.Errorf("identity: reseal %s %d: %w", table, id, r.Error)
			}
			if r.RowsAffected == 0 {
				done.Changed++
				continue
			}
			done.Resealed++
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	res.Checked += done.Checked
	res.Resealed += done.Resealed
	res.Changed += done.Changed
	res.Failed += done.Failed
	return len(rows), last, nil
}

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case *string:
		if x != nil {
			return *x
		}
	}
	return ""
}

func asUint(v any) uint64 {
	switch x := v.(type) {
	case int64:
		return uint64(x)
	case uint64:
		return x
	case int:
		return uint64(x)
	case int32:
		return uint64(x)
	case uint32:
		return uint64(x)
	case []byte:
		var n uint64
		_, _ = fmt.Sscan(string(x), &n)
		return n
	}
	return 0
}
