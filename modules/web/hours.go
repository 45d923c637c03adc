package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
)

// Hours is an amount of study hours (学时) in hundredths, so sums are exact:
// 150 is 1.5 学时. In JSON it is a plain number with up to 2 decimals.
type Hours int64

// HoursFromFloat rounds f to hundredths.
func HoursFromFloat(f float64) Hours { return Hours(math.Round(f * 100)) }

// Float returns the amount as a float64 (1.5 for 150).
func (h Hours) Float() float64 { return float64(h) / 100 }

// String formats with at most 2 decimals and no trailing zeros ("1.5").
func (h Hours) String() string { return strconv.FormatFloat(h.Float(), 'f', -1, 64) }

// MarshalJSON writes the number, e.g. 1.5.
func (h Hours) MarshalJSON() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalJSON reads a number with at most 2 decimals.
func (h *Hours) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: hoursType}
	}
	if f < 0 || f > 1e7 || math.Abs(f*100-math.Round(f*100)) > 1e-6 {
		return fmt.Errorf("web: hours %s: want a non-negative number with at most 2 decimals", b)
	}
	*h = HoursFromFloat(f)
	return nil
}

var hoursType = reflect.TypeOf(float64(0))
