package dashboard

import (
	"fmt"

	"github.com/go-analyze/charts"
)

// chartWidth keeps the chart readable on a 390 px phone; the page scales it
// to the width of its card.
const chartWidth = 360

// ComplianceChart draws the met and behind cadres of each unit as a
// horizontal stacked bar chart, in SVG.
func ComplianceChart(c Compliance) ([]byte, error) {
	units := c.Units
	if len(units) > 20 {
		units = units[:20]
	}
	labels := make([]string, 0, len(units))
	met := make([]float64, 0, len(units))
	behind := make([]float64, 0, len(units))
	for i := len(units) - 1; i >= 0; i-- { // the first unit on top
		u := units[i]
		labels = append(labels, shorten(unitName(u.Org, u.Own), 8))
		met = append(met, float64(u.Met))
		behind = append(behind, float64(u.Behind))
	}
	if len(labels) == 0 {
		labels, met, behind = []string{shorten(c.Org.Name, 8)}, []float64{float64(c.Met)}, []float64{float64(c.Behind)}
	}
	height := 90 + 28*len(labels)
	stack := true
	opt := charts.NewBarChartOptionWithData([][]float64{met, behind})
	opt.Horizontal = true
	opt.StackSeries = &stack
	opt.CategoryAxis.Labels = labels
	opt.Legend.SeriesNames = []string{"达标", "未达标"}
	opt.Title.Text = fmt.Sprintf("%d 年度学时达标人数", c.Year)
	opt.Title.FontStyle.FontSize = 13
	opt.Legend.Offset = charts.OffsetRight
	opt.Theme = charts.GetTheme(charts.ThemeLight).WithSeriesColors([]charts.Color{{R: 46, G: 139, B: 87, A: 255}, {R: 205, G: 92, B: 92, A: 255}})
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputSVG, Width: chartWidth, Height: height})
	if err := p.BarChart(opt); err != nil {
		return nil, fmt.Errorf("dashboard chart: %w", err)
	}
	return p.Bytes()
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
