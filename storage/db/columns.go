package db

import (
	"strconv"
	"strings"
)

// A list column holds a short set of codes or ids as ",a,b,": a member is
// found with LIKE '%,a,%' and the empty list is "".

// JoinList writes codes as a list column.
func JoinList(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return "," + strings.Join(xs, ",") + ","
}

// JoinIDs writes ids as a list column.
func JoinIDs(ids []uint64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatUint(id, 10)
	}
	return JoinList(parts)
}

// SplitList reads a list column; never nil.
func SplitList(s string) []string {
	out := []string{}
	for _, x := range strings.Split(strings.Trim(s, ","), ",") {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// SplitIDs reads a list column of ids, passing over anything else; never nil.
func SplitIDs(s string) []uint64 {
	out := []uint64{}
	for _, x := range SplitList(s) {
		if id, err := strconv.ParseUint(x, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}
