package college

import (
	"errors"
	"slices"
	"strconv"
	"testing"
)

func TestConvert(t *testing.T) {
	itoa := func(n int) string { return strconv.Itoa(n) }
	got, err := convertAll([]int{1, 22}, nil, itoa)
	if err != nil || !slices.Equal(got, []string{"1", "22"}) {
		t.Errorf("convertAll = %q, %v", got, err)
	}
	boom := errors.New("boom")
	if got, err := convertAll([]int{1}, boom, itoa); got != nil || err != boom {
		t.Errorf("convertAll with an error = %q, %v", got, err)
	}
	m, err := convertByID(map[uint64]int{7: 3, 9: 4}, nil, itoa)
	if err != nil || len(m) != 2 || m[7] != "3" || m[9] != "4" {
		t.Errorf("convertByID = %v, %v", m, err)
	}
	if m, err := convertByID(map[uint64]int{7: 3}, boom, itoa); m != nil || err != boom {
		t.Errorf("convertByID with an error = %v, %v", m, err)
	}
}
