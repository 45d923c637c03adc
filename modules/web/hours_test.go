package web

import (
	"encoding/json"
	"testing"
)

func TestHoursJSON(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want Hours
		ok   bool
	}{
		{"1.5", 150, true}, {"0.25", 25, true}, {"2", 200, true}, {"0", 0, true},
		{"1.255", 0, false}, {"-1", 0, false}, {`"1"`, 0, false},
	}
	for _, c := range cases {
		var h Hours
		err := json.Unmarshal([]byte(c.in), &h)
		if (err == nil) != c.ok || (c.ok && h != c.want) {
			t.Errorf("%s: %v, %v", c.in, h, err)
		}
	}
	b, _ := json.Marshal(struct {
		H Hours `json:"h"`
	}{H: 1025})
	if string(b) != `{"h":10.25}` {
		t.Fatalf("marshal = %s", b)
	}
	if HoursFromFloat(0.1+0.2) != 30 || Hours(5).String() != "0.05" {
		t.Fatal("rounding")
	}
}
