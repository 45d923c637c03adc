package db

import (
	"context"
	"sync"
)

// Group commits the writes of concurrent requests together: each Do waits
// until its item is written, and one worker writes whatever has queued
// meanwhile (up to Max) in one call of write: one transaction and one
// fsync for many requests, with no wait added when the load is light.
type Group[T any] struct {
	write func(ctx context.Context, batch []T) []error // an error for each item (nil: written)
	max   int
	in    chan *groupCall[T]
	once  sync.Once
}

type groupCall[T any] struct {
	item T
	err  error
	done chan struct{}
}

// NewGroup makes a group that writes up to max items a call.
func NewGroup[T any](max int, write func(ctx context.Context, batch []T) []error) *Group[T] {
	return &Group[T]{write: write, max: max, in: make(chan *groupCall[T], 4*max)}
}

// Do waits until item is written and answers its error; ctx bounds the
// wait (the item may still be written after ctx ends).
func (g *Group[T]) Do(ctx context.Context, item T) error {
	g.once.Do(func() { go g.work() })
	call := &groupCall[T]{item: item, done: make(chan struct{})}
	select {
	case g.in <- call:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-call.done:
		return call.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *Group[T]) work() {
	for first := range g.in {
		calls := []*groupCall[T]{first}
	drain:
		for len(calls) < g.max {
			select {
			case c := <-g.in:
				calls = append(calls, c)
			default:
				break drain
			}
		}
		items := make([]T, len(calls))
		for i, c := range calls {
			items[i] = c.item
		}
		errs := g.write(context.Background(), items)
		for i, c := range calls {
			if i < len(errs) {
				c.err = errs[i]
			}
			close(c.done)
		}
	}
}

// Each gives every item of a batch the same error.
func Each(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}
