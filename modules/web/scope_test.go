package web

import (
	"net/http"
	"testing"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
)

type loadRow struct {
	ID    uint64
	OrgID uint64
}

func TestLoadAnswers404OutsideScopeAnd500OnError(t *testing.T) {
	gdb, err := gorm.Open(sqlite.Open("file::memory:"), &gorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := gdb.AutoMigrate(&loadRow{}); err != nil {
		t.Fatal(err)
	}
	gdb.Create(&loadRow{ID: 1, OrgID: 7})
	gdb.Create(&loadRow{ID: 2, OrgID: 8})

	got, err := Load[loadRow](gdb.Where("org_id = ?", 7), 1)
	if err != nil || got.ID != 1 {
		t.Fatalf("row in scope: %+v %v", got, err)
	}
	if _, err := Load[loadRow](gdb.Where("org_id = ?", 7), 2); AsError(err).Status != http.StatusNotFound {
		t.Fatalf("row outside the scope: %v, want 404", err)
	}
	if _, err := Load[loadRow](gdb, 99); AsError(err).Status != http.StatusNotFound {
		t.Fatalf("missing row: %v, want 404", err)
	}
	if _, err := Load[loadRow](gdb.Table("no_such_table"), 1); AsError(err).Status != http.StatusInternalServerError {
		t.Fatalf("database error: %v, want 500", err)
	}
}
