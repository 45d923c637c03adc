package training

import (
	"context"
	"slices"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// Bases tells whether a training base may host a class; app/college wires
// it to the bases module, so training never reads the bases' tables.
type Bases interface {
	// ClassBase is a base's name and whether it is filed (备案); a base that
	// does not exist is not filed.
	ClassBase(ctx context.Context, id uint64) (name string, filed bool, err error)
	// FiledBases are the bases a class may be hosted at now.
	FiledBases(ctx context.Context) ([]BaseOption, error)
}

// BaseOption is a filed base the class form offers.
type BaseOption struct {
	ID       uint64
	Name     string
	KindName string
}

// SetBases wires the training bases.
func (s *Service) SetBases(b Bases) { s.bases = b }

// classBaseMigration gives a class its hosting base (0: the college's own
// premises).
var classBaseMigration = db.Migration{
	ID: "0029_training_class_base",
	Up: func(tx *gorm.DB) error {
		return tx.Exec("ALTER TABLE training_classes ADD COLUMN base_id BIGINT UNSIGNED NOT NULL DEFAULT 0").Error
	},
}

// checkBase refuses a class at a base that is not filed: only filed bases
// may host classes.
func (s *Service) checkBase(ctx context.Context, baseID uint64) error {
	if baseID == 0 {
		return nil
	}
	if s.bases == nil {
		return web.Unprocessable("base_not_filed", "培训基地功能未启用，不能选择承办基地")
	}
	_, filed, err := s.bases.ClassBase(ctx, baseID)
	if err != nil {
		return web.Internal(err)
	}
	if !filed {
		e := web.Unprocessable("base_not_filed", "所选培训基地不存在或未备案（暂停、撤销的基地不能承办班次），请选择已备案的基地")
		e.Fields = map[string]string{"base_id": "该基地未备案，请改选已备案的基地或本学院自有场所"}
		return e
	}
	return nil
}

// baseName is the name of a class's base, for its pages ("" for none).
func (s *Service) baseName(ctx context.Context, baseID uint64) string {
	if baseID == 0 || s.bases == nil {
		return ""
	}
	name, _, err := s.bases.ClassBase(ctx, baseID)
	if err != nil {
		s.log.Warn("training: class base", "err", err)
	}
	return name
}

// baseOptions are the filed bases for the class form; a class's own base
// stays in the list when it is no longer filed, marked so, for the host to
// see why the class cannot be saved as it is.
func (s *Service) baseOptions(ctx context.Context, current uint64) ([]BaseOption, error) {
	if s.bases == nil {
		return nil, nil
	}
	opts, err := s.bases.FiledBases(ctx)
	if err != nil {
		return nil, web.Internal(err)
	}
	if current != 0 && !slices.ContainsFunc(opts, func(o BaseOption) bool { return o.ID == current }) {
		name, _, err := s.bases.ClassBase(ctx, current)
		if err != nil {
			return nil, web.Internal(err)
		}
		opts = append(opts, BaseOption{ID: current, Name: name + "（未备案）"})
	}
	return opts, nil
}
