package training

import (
	"context"
	"errors"
	"fmt"

	"college/modules/web"

	"gorm.io/gorm"
)

// SiteSlot is a timetable session as a field teaching site sees it: its
// Beijing date and times and the class's size.
type SiteSlot struct {
	Date      string // YYYY-MM-DD
	StartsAt  string // HH:MM
	EndsAt    string // HH:MM
	GroupSize int    // the class's seats taken, or its quota when none yet
	Topic     string
}

// SiteSession reads a session of a class the caller hosts or oversees;
// found is false for a session that does not exist or is not theirs.
func (s *Service) SiteSession(ctx context.Context, p *web.Principal, sessionID uint64) (SiteSlot, bool, error) {
	var sess Session
	err := s.db.WithContext(ctx).First(&sess, sessionID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return SiteSlot{}, false, nil
	}
	if err != nil {
		return SiteSlot{}, false, fmt.Errorf("training: site session: %w", err)
	}
	c, err := s.managedClass(ctx, p, sess.ClassID)
	if err != nil {
		if e := web.AsError(err); e.Status == 404 || e.Status == 403 {
			return SiteSlot{}, false, nil
		}
		return SiteSlot{}, false, err
	}
	start, end := sess.StartsAt.In(web.Shanghai), sess.EndsAt.In(web.Shanghai)
	size := c.Enrolled
	if size == 0 {
		size = c.Quota
	}
	return SiteSlot{Date: start.Format("2006-01-02"), StartsAt: start.Format("15:04"), EndsAt: end.Format("15:04"), GroupSize: size, Topic: sess.Topic}, true, nil
}
