package audit

import (
	"time"
)

// Entry is an audit entry as the API shows it.
type Entry struct {
	ID        uint64    `json:"id"`
	At        time.Time `json:"at"`
	ActorID   uint64    `json:"actor_id"`
	ActorName string    `json:"actor_name"`
	IP        string    `json:"ip"`
	Action    string    `json:"action"`
	Target    string    `json:"target"`
	TargetID  uint64    `json:"target_id"`
	Detail    string    `json:"detail"`
	Success   bool      `json:"success"`
	Seq       *uint64   `json:"seq"` // place in the tamper-evident chain; null until sealed
}
