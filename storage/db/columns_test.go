package db

import (
	"slices"
	"testing"
)

func TestListColumns(t *testing.T) {
	if got := JoinList(nil); got != "" {
		t.Errorf("JoinList(nil) = %q", got)
	}
	if got := JoinList([]string{"处级", "科级"}); got != ",处级,科级," {
		t.Errorf("JoinList = %q", got)
	}
	if got := JoinIDs([]uint64{3, 12}); got != ",3,12," {
		t.Errorf("JoinIDs = %q", got)
	}
	if got := JoinIDs(nil); got != "" {
		t.Errorf("JoinIDs(nil) = %q", got)
	}
	if got := SplitList(",处级,,科级,"); !slices.Equal(got, []string{"处级", "科级"}) {
		t.Errorf("SplitList = %q", got)
	}
	if got := SplitList(""); got == nil || len(got) != 0 {
		t.Errorf("SplitList(\"\") = %#v, want empty and not nil", got)
	}
	if got := SplitIDs(",3,x,12,-1,"); !slices.Equal(got, []uint64{3, 12}) {
		t.Errorf("SplitIDs = %v", got)
	}
	for _, ids := range [][]uint64{{1}, {7, 8, 9}} {
		if got := SplitIDs(JoinIDs(ids)); !slices.Equal(got, ids) {
			t.Errorf("round trip %v: %v", ids, got)
		}
	}
}
