package web

import (
	"strconv"
)

// SizeText writes a size in bytes the way people read it: 字节, KB, MB or
// GB, with at most one decimal (2048 MB is "2 GB").
func SizeText(n int64) string {
	const kb, mb, gb = 1 << 10, 1 << 20, 1 << 30
	one := func(v float64, unit string) string {
		return strconv.FormatFloat(float64(int64(v*10+0.5))/10, 'f', -1, 64) + " " + unit
	}
	switch {
	case n < kb:
		return strconv.FormatInt(n, 10) + " 字节"
	case n < mb:
		return one(float64(n)/kb, "KB")
	case n < gb:
		return one(float64(n)/mb, "MB")
	}
	return one(float64(n)/gb, "GB")
}
