package main

import (
	"log/slog"

	"college/storage/db"

	"gorm.io/gorm"
)

func openTestDB(cfg Config, log *slog.Logger) (*gorm.DB, error) {
	return db.Open(dbConfig(cfg), log)
}

func closeTestDB(gdb *gorm.DB) error { return db.Close(gdb) }
