package dashboard

import (
	"fmt"
	"strings"

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
		labels = append(labels, label(unitName(u.Org, u.Own)))
		met = append(met, float64(u.Met))
		behind = append(behind, float64(u.Behind))
	}
	if len(labels) == 0 {
		labels, met, behind = []string{label(c.Org.Name)}, []float64{float64(c.Met)}, []float64{float64(c.Behind)}
	}
	height := 70 + 28*len(labels)
	stack := true
	opt := charts.NewBarChartOptionWithData([][]float64{met, behind})
	opt.Horizontal = true
	opt.StackSeries = &stack
	opt.CategoryAxis.Labels = labels
	opt.Legend.SeriesNames = []string{label("达标"), label("未达标")}
	opt.Legend.Offset = charts.OffsetStr{Left: charts.PositionLeft, Top: charts.PositionBottom}
	opt.Theme = charts.GetTheme(charts.ThemeLight).WithSeriesColors([]charts.Color{{R: 46, G: 139, B: 87, A: 255}, {R: 205, G: 92, B: 92, A: 255}})
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputSVG, Width: chartWidth, Height: height})
	if err := p.BarChart(opt); err != nil {
		return nil, fmt.Errorf("dashboard chart: %w", err)
	}
	return p.Bytes()
}

// label shortens a unit's name for the axis. The chart measures text with
// its built-in Latin font, which counts a Chinese character as 0.6 em where
// a browser draws 1 em; an invisible U+2061 (measured 0.8 em, drawn as
// nothing) for every Chinese character makes up the difference with a
// margin for the browser's wider fallback font.
func label(s string) string {
	r := []rune(s)
	if len(r) > 6 {
		r = append(r[:5], '…')
	}
	wide := 0
	for _, c := range r {
		if c >= 0x2e80 {
			wide++
		}
	}
	return string(r) + strings.Repeat("\u2061", wide)
}
