package dashboard

import (
	"fmt"

	"github.com/go-analyze/charts"
)

// bar is one named series of a stacked bar chart.
type bar struct {
	name   string
	color  charts.Color
	values []float64
}

var (
	green  = charts.Color{R: 46, G: 139, B: 87, A: 255}
	red    = charts.Color{R: 205, G: 92, B: 92, A: 255}
	amber  = charts.Color{R: 218, G: 165, B: 32, A: 255}
	blue   = charts.Color{R: 70, G: 130, B: 180, A: 255}
	silver = charts.Color{R: 176, G: 176, B: 176, A: 255}
)

// stackedChart draws one horizontal stacked bar per label (at most 20, the
// first on top), in SVG, as ComplianceChart does.
func stackedChart(labels []string, bars []bar) ([]byte, error) {
	n := min(len(labels), 20)
	if n == 0 {
		return nil, fmt.Errorf("dashboard chart: nothing to draw")
	}
	axis := make([]string, 0, n)
	data := make([][]float64, len(bars))
	for i := n - 1; i >= 0; i-- {
		axis = append(axis, label(labels[i]))
		for k, b := range bars {
			data[k] = append(data[k], b.values[i])
		}
	}
	names := make([]string, len(bars))
	colors := make([]charts.Color, len(bars))
	for k, b := range bars {
		names[k], colors[k] = label(b.name), b.color
	}
	stack := true
	opt := charts.NewBarChartOptionWithData(data)
	opt.Horizontal = true
	opt.StackSeries = &stack
	opt.CategoryAxis.Labels = axis
	opt.Legend.SeriesNames = names
	opt.Legend.Offset = charts.OffsetStr{Left: charts.PositionLeft, Top: charts.PositionBottom}
	opt.Theme = charts.GetTheme(charts.ThemeLight).WithSeriesColors(colors)
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputSVG, Width: chartWidth, Height: 70 + 28*n})
	if err := p.BarChart(opt); err != nil {
		return nil, fmt.Errorf("dashboard chart: %w", err)
	}
	return p.Bytes()
}

// CoverageChart draws the covered and uncovered cadres of each unit.
func CoverageChart(c Coverage) ([]byte, error) {
	var labels []string
	covered, uncovered := bar{name: "已覆盖", color: green}, bar{name: "未覆盖", color: red}
	for _, u := range c.Units {
		labels = append(labels, unitName(u.Org, u.Own))
		covered.values = append(covered.values, float64(u.V.Covered))
		uncovered.values = append(uncovered.values, float64(u.V.Uncovered()))
	}
	if len(labels) == 0 {
		labels = []string{c.Org.Name}
		covered.values, uncovered.values = []float64{float64(c.Covered)}, []float64{float64(c.Uncovered())}
	}
	return stackedChart(labels, []bar{covered, uncovered})
}

// RegistrationsChart draws the used and unused quota of each unit.
func RegistrationsChart(r Registrations) ([]byte, error) {
	var labels []string
	used, free := bar{name: "已用名额", color: blue}, bar{name: "未用名额", color: silver}
	add := func(name string, t QuotaTally) {
		labels = append(labels, name)
		used.values = append(used.values, float64(t.Used))
		free.values = append(free.values, float64(max(0, t.Quota-t.Used)))
	}
	for _, u := range r.Units {
		add(unitName(u.Org, u.Own), u.V)
	}
	if len(labels) == 0 {
		add(r.Org.Name, r.QuotaTally)
	}
	return stackedChart(labels, []bar{used, free})
}

// FollowupChart draws the done, pending and overdue rounds of each unit.
func FollowupChart(f Followups) ([]byte, error) {
	var labels []string
	done, pending, overdue := bar{name: "已完成", color: green}, bar{name: "待问效", color: amber}, bar{name: "已逾期", color: red}
	add := func(name string, t FollowupTally) {
		labels = append(labels, name)
		done.values = append(done.values, float64(t.Done))
		pending.values = append(pending.values, float64(t.Pending-t.Overdue))
		overdue.values = append(overdue.values, float64(t.Overdue))
	}
	for _, u := range f.Units {
		add(unitName(u.Org, u.Own), u.V)
	}
	if len(labels) == 0 {
		add(f.Org.Name, f.FollowupTally)
	}
	return stackedChart(labels, []bar{done, pending, overdue})
}

// SatisfactionChart draws each college's satisfied and other rating
// answers.
func SatisfactionChart(s Satisfaction) ([]byte, error) {
	var labels []string
	top, rest := bar{name: "非常满意和满意", color: green}, bar{name: "其他评价", color: silver}
	add := func(name string, t SatisfactionTally) {
		labels = append(labels, name)
		top.values = append(top.values, float64(t.Top2))
		rest.values = append(rest.values, float64(t.Ratings-t.Top2))
	}
	for _, c := range s.Colleges {
		add(c.College.Name, c.SatisfactionTally)
	}
	if len(labels) == 0 {
		add(s.Org.Name, s.SatisfactionTally)
	}
	return stackedChart(labels, []bar{top, rest})
}
