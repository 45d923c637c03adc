package followup

import (
	"context"
	"time"
)

// ThroughThread is one of a graduate's through-train (直通车) questions to
// the host college, shown on the graduate's follow-up round.
type ThroughThread struct {
	Subject      string
	StatusName   string
	TeacherName  string
	Satisfaction int // 1–5 once closed; 0 before
	GoodCase     bool
	CreatedAt    time.Time
}

// ThroughTrain reads the graduates' through-train; app/college wires it.
type ThroughTrain interface {
	ThreadsOf(ctx context.Context, graduateID, classID uint64) ([]ThroughThread, error)
}

// SetThroughTrain gives the round page the graduate's through-train threads.
func (s *Service) SetThroughTrain(t ThroughTrain) { s.through = t }

// throughOf lists the graduate's threads of the class; none when unwired.
func (s *Service) throughOf(ctx context.Context, graduateID, classID uint64) ([]ThroughThread, error) {
	if s.through == nil {
		return nil, nil
	}
	return s.through.ThreadsOf(ctx, graduateID, classID)
}
