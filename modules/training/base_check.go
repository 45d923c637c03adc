package training

import (
	"context"

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
		return web.Unprocessable("base_not_filed", "所选培训基地不存在或未备案（暂停、撤销的基地不能承办班次），请选择已备案的基地")
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
