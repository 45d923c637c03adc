package dashboard

import (
	"os"
	"strings"
	"testing"
)

func TestComplianceChartIsSVG(t *testing.T) {
	c := Compliance{Org: Org{ID: 1, Name: "市委组织部"}, Year: 2026, Tally: Tally{Cadres: 11, Met: 5, Behind: 6}, Units: []UnitTally{
		{Org: Org{ID: 1, Name: "市委组织部"}, Own: true, Tally: Tally{Cadres: 1, Behind: 1}},
		{Org: Org{ID: 2, Name: "东城区委组织部"}, Tally: Tally{Cadres: 10, Met: 5, Behind: 5}},
		{Org: Org{ID: 3, Name: "市委党校分院"}},
	}}
	b, err := ComplianceChart(c)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.HasPrefix(strings.TrimSpace(s), "<svg") || !strings.Contains(s, "东城区委组") || !strings.Contains(s, "未达标") {
		t.Fatalf("not the chart: %.300s", s)
	}
	if dir := os.Getenv("COLLEGE_TEST_SCREENSHOTS"); dir != "" {
		_ = os.WriteFile(dir+"/chart.svg", b, 0o644)
	}
}
