package web

import (
	"html/template"
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

func TestDictAndCols(t *testing.T) {
	t.Parallel()
	m, err := Dict("Label", "筛选", "Active", true)
	if err != nil || m["Label"] != "筛选" || m["Active"] != true || len(m) != 2 {
		t.Fatalf("Dict = %v, %v", m, err)
	}
	if _, err := Dict("odd"); err == nil {
		t.Fatal("Dict took an odd number of arguments")
	}
	if _, err := Dict(1, 2); err == nil {
		t.Fatal("Dict took a key that is not a string")
	}
	var none []string
	cols, err := Cols("姓名", "学时|num", "链序号||防篡改链中的位置", false, "", none, uint64(0), nil)
	want := []Column{{Label: "姓名"}, {Label: "学时", Class: "num"}, {Label: "链序号", Title: "防篡改链中的位置"}}
	if err != nil || len(cols) != len(want) {
		t.Fatalf("Cols = %v, %v", cols, err)
	}
	for i := range want {
		if cols[i] != want[i] {
			t.Fatalf("column %d = %+v, want %+v", i, cols[i], want[i])
		}
	}
	if _, err := Cols(true); err == nil {
		t.Fatal("Cols took true for a column")
	}
	if _, err := Cols([]string{"a"}); err == nil {
		t.Fatal("Cols took a list for a column")
	}
}

// The partials render with the helpers: the table head keeps scope="col",
// leaves out the columns whose condition is false and hides sr-only labels.
func TestTableHeadPartial(t *testing.T) {
	t.Parallel()
	e := &Engine{assets: map[string]string{}}
	tpl := template.Must(template.New("t").Funcs(e.funcs()).ParseFiles("../../static/templates/partials/page.html"))
	tpl = template.Must(tpl.New("page").Parse(`{{template "thead" (cols "名称" "学时|num" (and .Host "签到码") (and true "操作|sr-only"))}}`))
	var b strings.Builder
	if err := tpl.ExecuteTemplate(&b, "page", map[string]any{"Host": false}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{`<th scope="col">名称</th>`, `<th scope="col" class="num">学时</th>`, `<th scope="col"><span class="sr-only">操作</span></th>`} {
		if !strings.Contains(got, want) {
			t.Errorf("thead lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "签到码") {
		t.Errorf("thead shows a column whose condition is false:\n%s", got)
	}
}
