package exam

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"college/storage/db"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// saver makes autosaved answers durable in SQL before they are
// acknowledged, committing those of concurrent requests together: on exam
// day thousands of candidates save at once, and one transaction (two
// statements, one fsync) for many saves keeps the database up with them.
type saver struct {
	s     *Service
	group *db.Group[saveCall]
}

type saveCall struct {
	attempt uint64
	patch   map[string]json.RawMessage
}

func newSaver(s *Service) *saver {
	w := &saver{s: s}
	w.group = db.NewGroup(500, func(ctx context.Context, batch []saveCall) []error {
		finished, err := w.write(ctx, batch)
		if err != nil {
			return db.Each(err, len(batch))
		}
		errs := make([]error, len(batch))
		for i, c := range batch {
			if finished[c.attempt] {
				errs[i] = errAttemptFinished
			}
		}
		return errs
	})
	return w
}

// save waits until patch is merged into the attempt's answers in SQL;
// errAttemptFinished when the attempt is no longer open.
func (w *saver) save(ctx context.Context, attempt uint64, patch map[string]json.RawMessage) error {
	return w.group.Do(ctx, saveCall{attempt: attempt, patch: patch})
}

// write merges the batch's answers into their attempts in one transaction:
// the open attempts among them are locked (in id order, so that instances
// never deadlock), then one statement merges each one's answers, later
// saves winning, and counts the save. It returns the attempts that were
// not open.
func (w *saver) write(ctx context.Context, batch []saveCall) (map[uint64]bool, error) {
	merged := map[uint64]map[string]json.RawMessage{}
	for _, c := range batch {
		m := merged[c.attempt]
		if m == nil {
			m = map[string]json.RawMessage{}
			merged[c.attempt] = m
		}
		for k, v := range c.patch {
			m[k] = v
		}
	}
	ids := make([]uint64, 0, len(merged))
	for id := range merged {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	mysql := w.s.db.Dialector.Name() == "mysql"
	merge := "json_patch"
	if mysql {
		merge = "JSON_MERGE_PATCH"
	}
	var finished map[uint64]bool
	err := db.Transaction(ctx, w.s.db, func(tx *gorm.DB) error {
		finished = map[uint64]bool{}
		q := tx.Model(&Attempt{}).Where("id IN ? AND status = ?", ids, AttemptOpen).Order("id")
		if mysql {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var open []uint64
		if err := q.Pluck("id", &open).Error; err != nil {
			return err
		}
		for _, id := range ids {
			if !slices.Contains(open, id) {
				finished[id] = true
			}
		}
		if len(open) == 0 {
			return nil
		}
		var sb strings.Builder
		args := make([]any, 0, 2*len(open)+1)
		sb.WriteString("CASE id")
		for _, id := range open {
			body, err := json.Marshal(merged[id])
			if err != nil {
				return err
			}
			sb.WriteString(" WHEN ? THEN " + merge + "(COALESCE(NULLIF(answers, ''), '{}'), ?)")
			args = append(args, id, string(body))
		}
		sb.WriteString(" ELSE answers END")
		return tx.Model(&Attempt{}).Where("id IN ?", open).
			Updates(map[string]any{"answers": gorm.Expr(sb.String(), args...), "answers_rev": gorm.Expr("answers_rev + 1")}).Error
	})
	if err != nil {
		return nil, fmt.Errorf("exam: save answers of %d attempts: %w", len(ids), err)
	}
	return finished, nil
}
