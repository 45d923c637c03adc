package learning

import "sync"

// lessonTypes remembers lesson types for the heartbeat path (a lesson's
// type never changes).
type lessonTypes struct {
	mu sync.RWMutex
	m  map[uint64]string
}

func (t *lessonTypes) get(id uint64) (string, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	v, ok := t.m[id]
	return v, ok
}

func (t *lessonTypes) put(id uint64, v string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil || len(t.m) > 100000 {
		t.m = map[uint64]string{}
	}
	t.m[id] = v
}

// lessonCourses remembers the course of each lesson (it never changes).
type lessonCourses struct {
	mu sync.RWMutex
	m  map[uint64]uint64
}

func (t *lessonCourses) get(id uint64) (uint64, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	v, ok := t.m[id]
	return v, ok
}

func (t *lessonCourses) put(id, course uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil || len(t.m) > 100000 {
		t.m = map[uint64]uint64{}
	}
	t.m[id] = course
}
