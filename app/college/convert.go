package college

// The ports between modules hand one module's records to another in the
// receiving module's types; these convert a whole answer at once, passing an
// error on untouched.

// convertAll converts each record of a list.
func convertAll[S, T any](xs []S, err error, f func(S) T) ([]T, error) {
	if err != nil {
		return nil, err
	}
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out, nil
}

// convertByID converts each record of a map keyed by id.
func convertByID[S, T any](m map[uint64]S, err error, f func(S) T) (map[uint64]T, error) {
	if err != nil {
		return nil, err
	}
	out := make(map[uint64]T, len(m))
	for id, x := range m {
		out[id] = f(x)
	}
	return out, nil
}
