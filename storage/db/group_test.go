package db_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"college/storage/db"
)

// Concurrent items are written in fewer calls than items, each caller gets
// its own item's error, and none is lost.
func TestGroupCommitsConcurrentItemsTogether(t *testing.T) {
	var calls, written atomic.Int64
	g := db.NewGroup(50, func(_ context.Context, batch []int) []error {
		calls.Add(1)
		written.Add(int64(len(batch)))
		time.Sleep(time.Millisecond) // a commit takes a while: others queue meanwhile
		errs := make([]error, len(batch))
		for i, v := range batch {
			if v%7 == 0 {
				errs[i] = errors.New("refused")
			}
		}
		return errs
	})
	var wg sync.WaitGroup
	var refused atomic.Int64
	for i := 1; i <= 1000; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := g.Do(context.Background(), i); err != nil {
				if i%7 != 0 {
					t.Errorf("%d: %v", i, err)
				}
				refused.Add(1)
			} else if i%7 == 0 {
				t.Errorf("%d: written though refused", i)
			}
		}()
	}
	wg.Wait()
	if written.Load() != 1000 || refused.Load() != 142 || calls.Load() >= 1000 {
		t.Fatalf("%d written in %d calls, %d refused", written.Load(), calls.Load(), refused.Load())
	}
}
