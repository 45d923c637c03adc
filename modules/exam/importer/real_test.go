package importer

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"college/modules/exam/item"
)

// parseEach parses each blank-line-separated block of a GIFT file alone, so
// that one refused question does not hide the rest (the importer refuses a
// whole file for one bad question).
func parseEach(t *testing.T, name string) []item.Question {
	t.Helper()
	var out []item.Question
	for _, block := range strings.Split(strings.ReplaceAll(string(fixture(t, name)), "\r\n", "\n"), "\n\n") {
		res, probs := ParseGIFT([]byte(block))
		if len(probs) == 0 {
			out = append(out, res.Questions...)
		}
	}
	return out
}

// choiceWant is the expected reading of a choice question in a real file,
// found by a piece of its stem.
type choiceWant struct {
	stem    string
	typ     item.Type
	key     string
	partial map[string]float64
}

// checkChoices finds each wanted question by its stem; several wants with
// the same stem are the file's questions with that stem in order, and every
// choice question with such a stem must be wanted.
func checkChoices(t *testing.T, file string, qs []item.Question, want []choiceWant) {
	t.Helper()
	var found = map[string][]item.Question{}
	for _, w := range want {
		if _, ok := found[w.stem]; ok {
			continue
		}
		found[w.stem] = []item.Question{}
		for _, q := range qs {
			if (q.Type == item.Single || q.Type == item.Multiple) && strings.Contains(q.Stem, w.stem) {
				found[w.stem] = append(found[w.stem], q)
			}
		}
	}
	seen := map[string]int{}
	for _, w := range want {
		i := seen[w.stem]
		seen[w.stem]++
		if i >= len(found[w.stem]) {
			t.Errorf("%s: choice question «%s» number %d not imported", file, w.stem, i+1)
			continue
		}
		q := found[w.stem][i]
		if q.Type != w.typ || q.Key.Choices != w.key || !maps.Equal(q.Key.Partial, w.partial) {
			t.Errorf("%s «%s» #%d: %s %q partial %v, want %s %q partial %v", file, w.stem, i+1, q.Type, q.Key.Choices, q.Key.Partial, w.typ, w.key, w.partial)
		}
	}
	for stem, qs := range found {
		if len(qs) != seen[stem] {
			t.Errorf("%s «%s»: %d choice questions, %d expected", file, stem, len(qs), seen[stem])
		}
	}
}

// Choice questions of real GIFT and Moodle XML files read as Moodle reads
// them: a block with "=" is single choice, several "=" are each right
// alone, "~%n%" options earn n percent, and a multiple response with one
// option worth everything is a single choice.
func TestRealChoiceQuestions(t *testing.T) {
	examples := parseEach(t, "real/moodle_gift_examples.txt")
	checkChoices(t, "moodle_gift_examples.txt", examples, []choiceWant{
		{"Who's buried in Grant's tomb?", item.Single, "C", nil},
		{"Who's buried in Grant's tomb?", item.Single, "C", nil},
		{"Who's buried in Grant's tomb?", item.Single, "C", nil},
		{"Japanese characters originally came from what country?", item.Single, "B", nil},
		{"Difficult question.", item.Single, "C", map[string]float64{"B": 50}},
		{"Jesus Christ was from", item.Single, "D", map[string]float64{"B": 25, "C": 50}},
		{"Difficult multiple choice question.", item.Single, "C", map[string]float64{"B": 50}},
		{"What two people are entombed in Grant's tomb?", item.Multiple, "BC", nil},
		{"What two people are entombed in Grant's tomb?", item.Multiple, "BC", nil},
		{"Which answer equals 5?", item.Single, "B", nil},
		{"Which of the following is NOT a control character", item.Single, "F", nil},
	})
	checkChoices(t, "moodle_gift_questions.gift.txt", parseEach(t, "real/moodle_gift_questions.gift.txt"), []choiceWant{
		{"What's between orange and green in the spectrum?", item.Single, "A", nil},
		{"What's between orange and green in the spectrum?", item.Multiple, "AC", nil},
	})
	checkChoices(t, "giftpegjs_escapeColon.gift", parseEach(t, "real/giftpegjs_escapeColon.gift"), []choiceWant{
		{"Specify the seasons", item.Single, "ABCD", nil},
	})
	// "->" inside the options of a block with "~" is text, not matching.
	checkChoices(t, "giftpegjs_shortAnswerNotMatching.gift", parseEach(t, "real/giftpegjs_shortAnswerNotMatching.gift"), []choiceWant{
		{"How to make coffee?", item.Single, "B", nil},
		{"¿Cómo se cambia la orientación de la página", item.Single, "C", nil},
	})
	checkChoices(t, "pygiftparser_single.gift", parseEach(t, "real/pygiftparser_single.gift"), []choiceWant{
		{"Question", item.Single, "A", nil},
		{"What's the answer to this multiple-choice question?", item.Single, "C", nil},
	})
	for file, want := range map[string][]choiceWant{
		"real/moodle_multichoice_testquestion.xml": {{"", item.Multiple, "CE", nil}},
	} {
		res, probs, err := Parse(file, fixture(t, file))
		if err != nil || len(probs) > 0 {
			t.Fatalf("%s: %v %+v", file, err, probs)
		}
		checkChoices(t, file, res.Questions, want)
	}
}

// Numerical questions of real files keep their tolerance and range, graded
// by value; one with an answer worth part of the score is refused rather
// than imported narrower.
func TestRealNumericalQuestions(t *testing.T) {
	blanks := func(qs []item.Question) map[string][]string {
		out := map[string][]string{}
		for _, q := range qs {
			if q.Type == item.Blank {
				out[q.Stem] = append(out[q.Stem], strings.Join(q.Key.Blanks, "；"))
			}
		}
		return out
	}
	examples := blanks(parseEach(t, "real/moodle_gift_examples.txt"))
	for stem, want := range map[string][]string{
		"When was Ulysses S. Grant born?":                []string{"#1822:1", "#1822", "#1822:5"},
		"What is the value of pi (to 3 decimal places)?": []string{"#3.1415:0.0005", "#3.141..3.142"},
		"What's 2 plus 2?":                               []string{"#4"},
	} {
		var got []string
		for s, keys := range examples {
			if strings.Contains(s, stem) {
				got = append(got, keys...)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("examples «%s»: %q, want %q", stem, got, want)
		}
	}
	// {# =1822:0 =%50%1822:2}: the 50% answer cannot be kept.
	_, probs := ParseGIFT([]byte("When was Ulysses S. Grant born? {# =1822:0 =%50%1822:2}"))
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "只得 50% 分") {
		t.Errorf("partial numerical answer: %+v", probs)
	}
	questions := blanks(parseEach(t, "real/moodle_gift_questions.gift.txt"))
	if got := questions["What is a number from 1 to 5? ____ \";"]; !slices.Equal(got, []string{"#3:2"}) {
		t.Errorf("questions.gift.txt range question: %q (all: %q)", got, questions)
	}
	res, probs, err := Parse("real/moodle_numerical_testquestion.xml", fixture(t, "real/moodle_numerical_testquestion.xml"))
	if err != nil || len(probs) > 0 || len(res.Questions) != 1 {
		t.Fatalf("numerical XML: %v %+v %+v", err, probs, res)
	}
	if q := res.Questions[0]; q.Type != item.Blank || !slices.Equal(q.Key.Blanks, []string{"#6.25:0.05"}) {
		t.Errorf("numerical XML: %+v", q)
	}
}

// Short answers of real GIFT files: the right answers become one blank's
// alternatives; an answer worth part of the score refuses the question
// with the reason.
func TestRealShortAnswers(t *testing.T) {
	var got []string
	for _, q := range parseEach(t, "real/moodle_gift_examples.txt") {
		if q.Type == item.Blank && !item.IsNumeric(q.Key.Blanks[0]) {
			got = append(got, q.Stem+" → "+strings.Join(q.Key.Blanks, "；"))
		}
	}
	for _, want := range []string{
		"Who's buried in Grant's tomb? → no one|nobody",
		"Two plus two equals ____ . → four|4",
		"Japanese characters originally\ncame from what country? → China",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("examples: no blank %q in %q", want, got)
		}
	}
	// "{One}": one right answer needs no "=".
	res, probs := ParseGIFT(fixture(t, "real/giftpegjs_shortAnswer2.gift"))
	if len(probs) > 0 || len(res.Questions) != 2 || !slices.Equal(res.Questions[1].Key.Blanks, []string{"One"}) {
		t.Errorf("shortAnswer2.gift: %+v %+v", res, probs)
	}
	for _, g := range got {
		if strings.Contains(g, "Nazareth") {
			t.Errorf("the Nazareth question has 75%% and 25%% answers and must be refused: %s", g)
		}
	}
	for name, want := range map[string]string{
		"Jesus' hometown:: Jesus Christ was from {\n=Nazareth#Yes! That's right!\n=%75%Nazereth#Right, but misspelled.\n=%25%Bethlehem#He was born here, but not raised here.\n}": "填空答案「Bethlehem」只得 25% 分",
		"::Shortanswer::Which is the best animal?{\n=Frog#Good!\n=%50%Cat#What is it?\n=%0%*#No\n}":                                                                               "填空答案「Cat」只得 50% 分",
	} {
		_, probs := ParseGIFT([]byte(name))
		if len(probs) != 1 || !strings.Contains(probs[0].Message, want) {
			t.Errorf("%s: %+v", want, probs)
		}
	}
}

// A Moodle category becomes a tag of the questions that follow it (its
// last segment; Moodle's default and top categories give none).
func TestCategoriesBecomeTags(t *testing.T) {
	for path, want := range map[string]string{
		"$course$/top/政治理论":                 "政治理论",
		"$course$/Iota/Kappa":               "Kappa",
		"$course$/Default for New Features": "",
		"$course$/top":                      "",
		"$system$/默认类别":                     "",
	} {
		if got := categoryTag(path); got != want {
			t.Errorf("categoryTag(%q) = %q, want %q", path, got, want)
		}
	}
	res, probs, err := Parse("real/moodle_nested_categories_with_questions.xml", fixture(t, "real/moodle_nested_categories_with_questions.xml"))
	if err != nil || len(probs) > 0 {
		t.Fatalf("%v %+v", err, probs)
	}
	tags := map[string]int{}
	for _, q := range res.Questions {
		if len(q.Tags) == 0 {
			t.Errorf("question without its category's tag: %q", q.Stem)
		}
		for _, tag := range q.Tags {
			tags[tag]++
		}
	}
	for _, cat := range []string{"Iota", "Kappa", "Lambda", "Mu"} {
		if tags[cat] == 0 {
			t.Errorf("no question tagged %s: %v (%d questions)", cat, tags, len(res.Questions))
		}
	}
}
