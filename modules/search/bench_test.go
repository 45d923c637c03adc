package search_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/catalog"
)

// TestSearchAtScale measures the search over 100,000 published courses:
//
//	COLLEGE_BENCH_SEARCH=1 [COLLEGE_TEST_MYSQL_DSN=...] go test ./modules/search -run SearchAtScale -v
func TestSearchAtScale(t *testing.T) {
	if os.Getenv("COLLEGE_BENCH_SEARCH") == "" {
		t.Skip("set COLLEGE_BENCH_SEARCH=1 to measure")
	}
	a, c := collegetest.NewCityApp(t)
	words := []string{"学习贯彻", "党的创新理论", "基层治理", "数字政府", "法治建设", "乡村振兴", "生态文明", "安全生产", "应急管理", "廉洁从政", "统计法", "保密常识"}
	const n = 100000
	now := time.Now().UTC()
	for start := 0; start < n; start += 1000 {
		rows := make([]map[string]any, 0, 1000)
		for i := start; i < start+1000; i++ {
			rows = append(rows, map[string]any{"college_id": c.College, "title": fmt.Sprintf("%s与%s专题第%d讲", words[i%len(words)], words[(i/len(words))%len(words)], i),
				"summary": "课程简介", "category": "理论教育", "kind": "elective", "status": "published", "published_at": now, "created_at": now, "updated_at": now})
		}
		if err := a.DB.Table("courses").Create(rows).Error; err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Now()
	if _, err := catalog.IndexAllTitles(context.Background(), a.DB); err != nil {
		t.Fatal(err)
	}
	t.Logf("title index of %d courses built in %s", n, time.Since(t0).Round(time.Millisecond))
	tok := c.Tokens["ua_cadre"]
	for _, q := range []string{"乡村振兴", "第99999讲", "第4242讲", "振兴与数字", "不存在的词", "党"} {
		var took []time.Duration
		for i := 0; i < 30; i++ {
			t0 := time.Now()
			r := a.Do("GET", "/api/v1/search?q="+url.QueryEscape(q), tok, nil)
			took = append(took, time.Since(t0))
			collegetest.MustStatus(t, r, 200)
		}
		slices.Sort(took)
		t.Logf("%s on %d courses (%s): p50 %s, p95 %s", q, n, a.DB.Dialector.Name(), took[len(took)/2].Round(time.Millisecond/10), took[len(took)*95/100].Round(time.Millisecond/10))
	}
}
