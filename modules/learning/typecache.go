package learning

import "sync"

// lessonFacts remembers a fact of each lesson that never changes (its type,
// its course) for the heartbeat path. It forgets everything past 100,000
// lessons rather than grow without bound.
type lessonFacts[V any] struct {
	mu sync.RWMutex
	m  map[uint64]V
}

func (t *lessonFacts[V]) get(id uint64) (V, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	v, ok := t.m[id]
	return v, ok
}

func (t *lessonFacts[V]) put(id uint64, v V) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil || len(t.m) > 100000 {
		t.m = map[uint64]V{}
	}
	t.m[id] = v
}
