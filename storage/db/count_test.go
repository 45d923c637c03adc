package db_test

import (
	"testing"

	"college/storage/db"
	"college/storage/db/dbtest"

	"gorm.io/gorm"
)

type countedThing struct {
	ID     uint64 `gorm:"primaryKey"`
	Kind   string `gorm:"size:10"`
	Parent uint64
}

// CountBy groups by a string and by an id column, keeps the conditions of
// the query, and answers an empty map for no rows, on SQLite and MySQL.
func TestCountBy(t *testing.T) {
	t.Parallel()
	gdb := dbtest.New(t, db.Migration{ID: "0001_things", Up: func(tx *gorm.DB) error {
		return tx.Migrator().CreateTable(&countedThing{})
	}})
	things := []countedThing{{Kind: "a", Parent: 1}, {Kind: "a", Parent: 2}, {Kind: "b", Parent: 2}, {Kind: "c", Parent: 9}}
	if err := gdb.Create(&things).Error; err != nil {
		t.Fatal(err)
	}
	kinds, err := db.CountBy[string](gdb.Model(&countedThing{}).Where("parent < ?", 5), "kind")
	if err != nil || len(kinds) != 2 || kinds["a"] != 2 || kinds["b"] != 1 {
		t.Errorf("by kind: %v, %v", kinds, err)
	}
	parents, err := db.CountBy[uint64](gdb.Model(&countedThing{}), "parent")
	if err != nil || len(parents) != 3 || parents[1] != 1 || parents[2] != 2 || parents[9] != 1 {
		t.Errorf("by parent: %v, %v", parents, err)
	}
	none, err := db.CountBy[string](gdb.Model(&countedThing{}).Where("parent = 0"), "kind")
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("no rows: %#v, %v", none, err)
	}
}
