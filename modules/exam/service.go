package exam

import (
	"log/slog"
	"time"

	"college/modules/settings"
	"college/storage/cache"

	"gorm.io/gorm"
)

// Service holds the exam rules and workflows.
type Service struct {
	db       *gorm.DB
	cache    *cache.Cache
	settings *settings.Service
	log      *slog.Logger
	now      func() time.Time
	papers   paperCache
	people   People
}

// Deps are what the service needs.
type Deps struct {
	DB       *gorm.DB
	Cache    *cache.Cache
	Settings *settings.Service
	Log      *slog.Logger
}

// NewService builds the service.
func NewService(d Deps) *Service {
	return &Service{db: d.DB, cache: d.Cache, settings: d.Settings, log: d.Log, now: time.Now}
}
