package importer

import (
	"bytes"
	"testing"
)

// FuzzParse feeds arbitrary bytes to every parser: none may panic, and
// the all-or-nothing and validity promises must hold.
func FuzzParse(f *testing.F) {
	var tpl bytes.Buffer
	if err := Template(&tpl); err != nil {
		f.Fatal(err)
	}
	f.Add("bank.xlsx", tpl.Bytes())
	f.Add("bank.xlsx", book(f, goodRows()))
	f.Add("bank.xml", fixture(f, "moodle.xml"))
	f.Add("bank.xml", []byte(moodleGood))
	f.Add("bank.gift", fixture(f, "sample.gift"))
	f.Add("bank.txt", []byte("问{=a =b}\n\n::t::q{~%50%a ~%50%b ~c}"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		check := func(res Result, probs []Problem) {
			if len(probs) > MaxProblems {
				t.Fatalf("%d problems", len(probs))
			}
			if len(probs) > 0 && len(res.Questions) > 0 {
				t.Fatal("questions returned with problems")
			}
			for i := range res.Questions {
				if bad := res.Questions[i].Validate(); bad != nil {
					t.Fatalf("invalid question returned: %+v %v", res.Questions[i], bad)
				}
			}
		}
		res, probs, err := Parse(name, data)
		if err == nil {
			check(res, probs)
		}
		check(ParseMoodleXML(data))
		check(ParseGIFT(data))
		if len(data) < 1<<16 {
			check(ParseExcel(data))
		}
	})
}
