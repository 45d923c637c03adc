package item

import "testing"

func TestScoreDecimals(t *testing.T) {
	t.Parallel()
	for _, ok := range []float64{2.3, 1.15, 0.29, 0.57, 4.35, 1, 0.5, 99.99} {
		q := Question{Type: Judge, Stem: "x", Score: ok}
		if bad := q.Validate(); bad != nil {
			t.Errorf("score %v refused: %v", ok, bad)
		}
	}
	for _, no := range []float64{1.234, 0, -1, 100.01} {
		q := Question{Type: Judge, Stem: "x", Score: no}
		if bad := q.Validate(); bad["score"] == "" {
			t.Errorf("score %v accepted", no)
		}
	}
	if got := NormalizeChoices("c, a, A"); got != "AC" {
		t.Errorf("NormalizeChoices = %q", got)
	}
}
