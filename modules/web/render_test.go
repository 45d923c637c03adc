package web

import (
	"net/url"
	"strings"
	"testing"
)

func TestPagerKeepsFilters(t *testing.T) {
	t.Parallel()
	pd := PageData{Path: "/admin/users", Query: url.Values{"q": {"张 三"}, "role": {"learner"}, "page": {"2"}}}
	p := NewPager(pd, 2, 3)
	for _, link := range []string{p.First, p.Prev, p.Next, p.Last} {
		if !strings.HasPrefix(link, "/admin/users?") || !strings.Contains(link, "q=%E5%BC%A0+%E4%B8%89") || !strings.Contains(link, "role=learner") {
			t.Fatalf("link lost the filters: %s", link)
		}
	}
	if !strings.Contains(p.Prev, "page=1") || !strings.Contains(p.Next, "page=3") || !strings.Contains(p.Last, "page=3") {
		t.Fatalf("pager = %+v", p)
	}
	if first := NewPager(pd, 1, 3); first.First != "" || first.Prev != "" || first.Next == "" {
		t.Fatalf("first page = %+v", first)
	}
	if last := NewPager(pd, 3, 3); last.Next != "" || last.Last != "" || last.Prev == "" {
		t.Fatalf("last page = %+v", last)
	}
}

func TestFieldsAndLikePatterns(t *testing.T) {
	t.Parallel()
	f := Fields{}
	f.Required("name", "  ")
	f.MaxLen("code", "一二三四", 3)
	f.Check(false, "name", "second message is dropped")
	if f["name"] != "必填" || f["code"] == "" || f.Err() == nil {
		t.Fatalf("fields = %v", f)
	}
	if (Fields{}).Err() != nil {
		t.Fatal("empty fields gave an error")
	}
	if got := Contains("50%_a!"); got != "%50!%!_a!!%" {
		t.Fatalf("Contains = %q", got)
	}
}

func TestClockAndReadTime(t *testing.T) {
	t.Parallel()
	for in, want := range map[float64]string{0: "00:00", 7.5: "00:08", 59.4: "00:59", 61: "01:01", 3600: "1:00:00", 3725.2: "1:02:05"} {
		if got := Clock(in); got != want {
			t.Errorf("Clock(%v) = %s, want %s", in, got, want)
		}
	}
	if ReadTime(45) != "45 秒" || ReadTime(60) != "1 分钟" || ReadTime(61) != "2 分钟" {
		t.Error("ReadTime wrong")
	}
}
