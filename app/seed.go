package main

import (
	"context"
	"io"
)

// Seed creates the demo city.
func Seed(ctx context.Context, a *App, out io.Writer) error { return nil }
