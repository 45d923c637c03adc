package paper

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"college/modules/exam/grading"
	"college/modules/exam/item"
)

func seeded(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// mustDraw draws a paper by the rules from the pool with the seed, failing
// the test on an error.
func mustDraw(t *testing.T, rules []Rule, pool map[uint64][]Candidate, seed uint64) []Candidate {
	t.Helper()
	qs, err := Draw(rules, pool, seeded(seed))
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	return qs
}

// bank builds candidates with ids from id0: n questions of type t at
// difficulty d with tags.
func bank(id0 uint64, n int, t item.Type, d int, tags ...string) []Candidate {
	var cs []Candidate
	for i := range n {
		q := item.Question{Type: t, Stem: fmt.Sprintf("题 %d", id0+uint64(i)), Score: 1, Difficulty: d, Tags: tags}
		if t == item.Single || t == item.Multiple {
			q.Options = []string{"甲", "乙", "丙", "丁"}
			q.Key.Choices = "B"
			if t == item.Multiple {
				q.Key.Choices = "AC"
			}
		}
		cs = append(cs, Candidate{ID: id0 + uint64(i), Q: q})
	}
	return cs
}

func join(parts ...[]Candidate) []Candidate { return slices.Concat(parts...) }

func testPool() map[uint64][]Candidate {
	return map[uint64][]Candidate{
		1: join(
			bank(100, 30, item.Single, 3, "党史"),
			bank(200, 10, item.Single, 5, "党史", "理论"),
			bank(300, 20, item.Multiple, 2, "理论"),
			bank(400, 15, item.Judge, 3),
			bank(500, 5, item.Blank, 4, "党章"),
		),
		2: join(
			bank(1000, 8, item.Single, 3, "财务"),
			bank(1100, 6, item.Short, 3, "财务"),
		),
	}
}

func TestCheck(t *testing.T) {
	pool := testPool()
	rules := []Rule{
		{BankID: 1, Type: item.Single, Count: 20, Score: 1},                                 // 40 match
		{BankID: 1, Type: item.Single, Count: 5, Score: 2, Tags: []string{"理论"}},            // 10
		{BankID: 1, Type: item.Single, Count: 11, Score: 2, Difficulty: 5},                  // 10: short
		{BankID: 1, Type: item.Multiple, Count: 20, Score: 2, Tags: []string{"理论"}},         // 20
		{BankID: 1, Type: item.Judge, Count: 3, Score: 1, Tags: []string{"不存在"}},            // 0: short
		{BankID: 2, Type: item.Short, Count: 2, Score: 10, Tags: []string{"财务"}},            // 6
		{BankID: 3, Type: item.Single, Count: 1, Score: 1},                                  // no such bank: short
		{BankID: 1, Type: item.Single, Count: 3, Tags: []string{"党史", "理论"}, Difficulty: 5}, // 10
	}
	available, short := Check(rules, pool)
	if want := []int{40, 10, 10, 20, 0, 6, 0, 10}; !slices.Equal(available, want) {
		t.Errorf("available = %v, want %v", available, want)
	}
	want := []Shortfall{{Rule: 3, Want: 11, Have: 10}, {Rule: 5, Want: 3, Have: 0}, {Rule: 7, Want: 1, Have: 0}}
	if !slices.Equal(short, want) {
		t.Errorf("short = %+v, want %+v", short, want)
	}
	if msg := short[0].Error(); msg != "第 3 条抽题规则需要 11 道题，只有 10 道可抽" {
		t.Errorf("message %q", msg)
	}
}

func TestCheckOverlap(t *testing.T) {
	// Each rule alone can be filled, but a question is drawn only once:
	// rules 1 and 2 both want the 10 difficulty-5 singles.
	pool := testPool()
	rules := []Rule{
		{BankID: 1, Type: item.Single, Count: 6, Difficulty: 5},
		{BankID: 1, Type: item.Single, Count: 6, Tags: []string{"理论"}},
		{BankID: 1, Type: item.Single, Count: 30, Tags: []string{"党史"}},
	}
	available, short := Check(rules, pool)
	if !slices.Equal(available, []int{10, 10, 40}) {
		t.Errorf("available = %v", available)
	}
	if want := []Shortfall{{Rule: 2, Want: 6, Have: 4}}; !slices.Equal(short, want) {
		t.Errorf("short = %+v, want %+v", short, want)
	}
	_, err := Draw(rules, pool, seeded(1))
	var sf Shortfall
	if !errors.As(err, &sf) || sf.Rule != 2 {
		t.Errorf("Draw error = %v", err)
	}
}

func TestDraw(t *testing.T) {
	pool := testPool()
	rules := []Rule{
		{BankID: 1, Type: item.Single, Count: 20, Score: 1.5},
		{BankID: 1, Type: item.Single, Count: 5, Score: 2, Tags: []string{"理论"}, Difficulty: 5},
		{BankID: 1, Type: item.Multiple, Count: 10, Score: 2.5, Tags: []string{"理论"}},
		{BankID: 1, Type: item.Judge, Count: 15, Score: 1},
		{BankID: 2, Type: item.Short, Count: 2, Score: 10, Tags: []string{"财务"}},
	}
	for seed := range uint64(50) {
		qs := mustDraw(t, rules, pool, seed)
		if len(qs) != 52 {
			t.Fatalf("drew %d questions, want 52", len(qs))
		}
		seen := map[uint64]bool{}
		at := 0
		for ri, r := range rules {
			for _, c := range qs[at : at+r.Count] {
				if seen[c.ID] {
					t.Fatalf("seed %d: question %d drawn twice", seed, c.ID)
				}
				seen[c.ID] = true
				if m := newMatcher(&r); !m.matches(&c.Q) {
					t.Errorf("seed %d rule %d: question %d (%s %d %v) does not match", seed, ri+1, c.ID, c.Q.Type, c.Q.Difficulty, c.Q.Tags)
				}
				if c.Q.Score != r.Score {
					t.Errorf("rule %d: score %v, want %v", ri+1, c.Q.Score, r.Score)
				}
				inBank := slices.ContainsFunc(pool[r.BankID], func(p Candidate) bool { return p.ID == c.ID })
				if !inBank {
					t.Errorf("rule %d: question %d is not from bank %d", ri+1, c.ID, r.BankID)
				}
			}
			at += r.Count
		}
		if got := Total(qs); got != 30+10+25+15+20 {
			t.Errorf("total = %v", got)
		}
	}
	// The pool is not changed.
	if pool[1][0].Q.Score != 1 {
		t.Error("Draw changed the pool's scores")
	}
}

func ids(qs []Candidate) []uint64 {
	var out []uint64
	for _, c := range qs {
		out = append(out, c.ID)
	}
	return out
}

func TestDrawDeterministic(t *testing.T) {
	pool := testPool()
	rules := []Rule{
		{BankID: 1, Type: item.Single, Count: 10, Score: 1},
		{BankID: 1, Type: item.Judge, Count: 5, Score: 1},
	}
	a, _ := Draw(rules, pool, seeded(7))
	b, _ := Draw(rules, pool, seeded(7))
	if !slices.Equal(ids(a), ids(b)) {
		t.Errorf("same seed, different papers:\n%v\n%v", ids(a), ids(b))
	}
	c, _ := Draw(rules, pool, seeded(8))
	if slices.Equal(ids(a), ids(c)) {
		t.Errorf("seeds 7 and 8 drew the same paper %v", ids(a))
	}
	// The order the bank was loaded in does not matter.
	rev := map[uint64][]Candidate{1: slices.Clone(pool[1])}
	slices.Reverse(rev[1])
	d, _ := Draw(rules, rev, seeded(7))
	if !slices.Equal(ids(a), ids(d)) {
		t.Errorf("pool order changed the paper:\n%v\n%v", ids(a), ids(d))
	}
}

func TestDrawThreePlusX(t *testing.T) {
	// "3+X": 8 common questions and 2 job-specific ones from a bank of
	// exactly 10, where the job-specific ones also match the common rule.
	// Taking a 财务 question for the common rule must not starve the
	// job-specific rule.
	pool := map[uint64][]Candidate{
		1: join(bank(1, 8, item.Single, 3, "通用"), bank(9, 2, item.Single, 3, "通用", "财务")),
	}
	rules := []Rule{
		{BankID: 1, Type: item.Single, Count: 8, Score: 10, Tags: []string{"通用"}},
		{BankID: 1, Type: item.Single, Count: 2, Score: 10, Tags: []string{"财务"}},
	}
	if _, short := Check(rules, pool); len(short) != 0 {
		t.Fatalf("short = %+v", short)
	}
	for seed := range uint64(200) {
		qs := mustDraw(t, rules, pool, seed)
		got := ids(qs)
		slices.Sort(got)
		if want := []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; !slices.Equal(got, want) {
			t.Fatalf("seed %d drew %v", seed, got)
		}
		if qs[8].ID < 9 || qs[9].ID < 9 {
			t.Fatalf("seed %d: job-specific rule drew %v", seed, ids(qs[8:]))
		}
		if Total(qs) != 100 {
			t.Fatalf("total %v", Total(qs))
		}
	}

	// A larger 80/20 paper: 80 common from 200, 20 job-specific from 30 that
	// are also common.
	pool = map[uint64][]Candidate{
		1: join(bank(1, 170, item.Single, 3, "通用"), bank(1000, 30, item.Single, 3, "通用", "财务")),
	}
	rules = []Rule{
		{BankID: 1, Type: item.Single, Count: 80, Score: 1, Tags: []string{"通用"}},
		{BankID: 1, Type: item.Single, Count: 20, Score: 1, Tags: []string{"财务"}},
	}
	qs := mustDraw(t, rules, pool, 3)
	seen := map[uint64]bool{}
	for _, c := range qs {
		if seen[c.ID] {
			t.Fatalf("question %d twice", c.ID)
		}
		seen[c.ID] = true
	}
	if len(seen) != 100 {
		t.Fatalf("%d distinct", len(seen))
	}
}

func TestDrawRepair(t *testing.T) {
	// The greedy choice fails for many seeds here: rule 1 (any single) may
	// take the only 财务 question; Draw must move it to rule 2.
	pool := map[uint64][]Candidate{1: join(bank(1, 1, item.Single, 3), bank(2, 1, item.Single, 3, "财务"))}
	rules := []Rule{
		{BankID: 1, Type: item.Single, Count: 1, Score: 1},
		{BankID: 1, Type: item.Single, Count: 1, Score: 1, Tags: []string{"财务"}},
	}
	for seed := range uint64(20) {
		qs := mustDraw(t, rules, pool, seed)
		if !slices.Equal(ids(qs), []uint64{1, 2}) {
			t.Fatalf("seed %d drew %v", seed, ids(qs))
		}
	}
}

func TestDrawDuplicateIDs(t *testing.T) {
	// The same question listed twice in a bank, and in two banks.
	q := bank(7, 1, item.Judge, 3)
	pool := map[uint64][]Candidate{1: join(q, q, bank(8, 1, item.Judge, 3)), 2: q}
	rules := []Rule{{BankID: 1, Type: item.Judge, Count: 1}, {BankID: 2, Type: item.Judge, Count: 1}}
	available, short := Check(rules, pool)
	if !slices.Equal(available, []int{2, 1}) || len(short) != 0 {
		t.Errorf("available %v short %v", available, short)
	}
	qs, err := Draw(rules, pool, seeded(1))
	if err != nil || !slices.Equal(ids(qs), []uint64{8, 7}) {
		t.Errorf("drew %v, %v", ids(qs), err)
	}
	rules[0].Count = 3
	if _, err := Draw(rules, pool, seeded(1)); err == nil {
		t.Error("drew 3 from 2 distinct questions")
	}
}

func isPerm(p []int, n int) bool {
	if len(p) != n {
		return false
	}
	seen := make([]bool, n)
	for _, v := range p {
		if v < 0 || v >= n || seen[v] {
			return false
		}
		seen[v] = true
	}
	return true
}

func TestShuffle(t *testing.T) {
	counts := []int{4, 0, 2, 8, 5, 0}
	off := Shuffle(len(counts), counts, nil, false, seeded(1))
	if !slices.Equal(off.Questions, []int{0, 1, 2, 3, 4, 5}) {
		t.Errorf("questions not identity when off: %v", off.Questions)
	}
	for i, c := range counts {
		if c == 0 && off.Options[i] != nil {
			t.Errorf("question %d without options has %v", i, off.Options[i])
		}
		if c > 0 && !slices.Equal(off.Options[i], identity(c)) {
			t.Errorf("options of %d not identity when off: %v", i, off.Options[i])
		}
	}

	moved := false
	for seed := range uint64(20) {
		o := Shuffle(len(counts), counts, nil, true, seeded(seed))
		if !isPerm(o.Questions, len(counts)) {
			t.Fatalf("questions %v is not a permutation", o.Questions)
		}
		if len(o.Options) != len(counts) {
			t.Fatalf("%d option permutations", len(o.Options))
		}
		for i, c := range counts {
			if c == 0 {
				if o.Options[i] != nil {
					t.Errorf("question %d without options has %v", i, o.Options[i])
				}
				continue
			}
			if !isPerm(o.Options[i], c) {
				t.Fatalf("options %v of question %d is not a permutation of %d", o.Options[i], i, c)
			}
			moved = moved || !slices.Equal(o.Options[i], identity(c))
		}
		moved = moved || !slices.Equal(o.Questions, identity(len(counts)))
		again := Shuffle(len(counts), counts, nil, true, seeded(seed))
		if fmt.Sprint(o) != fmt.Sprint(again) {
			t.Errorf("seed %d not deterministic", seed)
		}
	}
	if !moved {
		t.Error("shuffle never moved anything")
	}

	// Fewer counts than questions: the rest have no options.
	o := Shuffle(3, []int{4}, nil, true, seeded(2))
	if !isPerm(o.Options[0], 4) || o.Options[1] != nil || o.Options[2] != nil {
		t.Errorf("options %v", o.Options)
	}
	if o := Shuffle(0, nil, nil, true, seeded(2)); len(o.Questions) != 0 {
		t.Errorf("empty paper %+v", o)
	}
}

// perms returns every permutation of 0..n-1.
func perms(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range perms(n - 1) {
		for at := 0; at <= len(p); at++ {
			q := slices.Insert(slices.Clone(p), at, n-1)
			out = append(out, q)
		}
	}
	return out
}

func TestPresentMapBack(t *testing.T) {
	opts := []string{"甲", "乙", "丙", "丁"}
	all := perms(4)
	if len(all) != 24 {
		t.Fatalf("%d permutations", len(all))
	}
	keys := map[item.Type][]string{
		item.Single:   {"A", "B", "C", "D"},
		item.Multiple: {"AB", "AC", "BD", "ACD", "ABCD"},
	}
	for typ, ks := range keys {
		for _, key := range ks {
			q := item.Question{Type: typ, Stem: "题", Options: slices.Clone(opts), Key: item.Key{Choices: key}, Score: 2}
			for _, perm := range all {
				p := Present(q, perm)
				// The options are reordered and q is unchanged.
				for d, o := range perm {
					if p.Options[d] != opts[o] {
						t.Fatalf("perm %v: displayed %d = %q, want %q", perm, d, p.Options[d], opts[o])
					}
				}
				if !slices.Equal(q.Options, opts) || q.Key.Choices != key {
					t.Fatal("Present changed its argument")
				}
				// The candidate picks the displayed positions of the right
				// options (by their text), in lower case and with commas.
				var shown string
				for d, text := range p.Options {
					if slices.Contains(rightTexts(q), text) {
						if shown != "" {
							shown += ","
						}
						shown += string(rune('a' + d))
					}
				}
				if got := MapBack(shown, perm); got != key {
					t.Errorf("%s key %s perm %v: shown %q maps back to %q", typ, key, perm, shown, got)
				}
				if p.Key.Choices != item.NormalizeChoices(shown) {
					t.Errorf("%s key %s perm %v: presented key %q, candidate shown %q", typ, key, perm, p.Key.Choices, shown)
				}
				// Grading the presented question with the displayed answer
				// equals grading the original with the mapped-back one, for
				// every possible answer.
				for mask := 0; mask < 1<<5; mask++ {
					var ans string
					for b := range 5 {
						if mask&(1<<b) != 0 {
							ans += string(item.Letters[b])
						}
					}
					r := grading.Rules{PartialMultiple: true}
					g1 := grading.Grade(&p, grading.Answer{Choices: ans, Given: ans != ""}, r)
					back := MapBack(ans, perm)
					g2 := grading.Grade(&q, grading.Answer{Choices: back, Given: back != ""}, r)
					if g1 != g2 {
						t.Fatalf("%s key %s perm %v answer %q: presented %+v, mapped back %q %+v", typ, key, perm, ans, g1, back, g2)
					}
				}
			}
		}
	}
}

func rightTexts(q item.Question) []string {
	var out []string
	for _, c := range q.Key.Choices {
		out = append(out, q.Options[c-'A'])
	}
	return out
}

func TestMapBackEdges(t *testing.T) {
	perm := []int{2, 0, 3, 1} // displayed A is original C, ...
	cases := map[string]string{
		"A":     "C",
		"b":     "A",
		"d, c":  "BD",
		"":      "",
		"E":     "E", // no such option: stays wrong
		"AE":    "CE",
		"xyz":   "",
		"ABCD":  "ABCD",
		"a a a": "C",
	}
	for in, want := range cases {
		if got := MapBack(in, perm); got != want {
			t.Errorf("MapBack(%q) = %q, want %q", in, got, want)
		}
	}
	// No permutation (shuffle off) or a broken one: letters stay.
	if got := MapBack("c,a", nil); got != "AC" {
		t.Errorf("nil perm: %q", got)
	}
	if got := MapBack("A", []int{0, 0, 1}); got != "A" {
		t.Errorf("broken perm: %q", got)
	}
	// Present leaves questions without options, or with a perm that does not
	// fit, as they are (but never shares the options slice).
	j := item.Question{Type: item.Judge, Key: item.Key{Judge: true}}
	if p := Present(j, nil); p.Type != item.Judge || !p.Key.Judge {
		t.Errorf("judge %+v", p)
	}
	s := item.Question{Type: item.Single, Options: []string{"a", "b"}, Key: item.Key{Choices: "B"}}
	p := Present(s, []int{0, 1, 2})
	p.Options[0] = "changed"
	if s.Options[0] != "a" || p.Key.Choices != "B" {
		t.Errorf("bad perm: %+v / %+v", s, p)
	}
}

func TestTotal(t *testing.T) {
	var qs []Candidate
	for range 10 {
		qs = append(qs, Candidate{Q: item.Question{Score: 0.1}})
	}
	if got := Total(qs); got != 1 {
		t.Errorf("10 × 0.1 = %v", got)
	}
	qs = append(qs, Candidate{Q: item.Question{Score: 0.2}}, Candidate{Q: item.Question{Score: 33.33}})
	if got := Total(qs); got != 34.53 {
		t.Errorf("total = %v, want 34.53", got)
	}
	var many []Candidate
	for range 300 {
		many = append(many, Candidate{Q: item.Question{Score: 0.33}})
	}
	if got := Total(many); got != 99 {
		t.Errorf("300 × 0.33 = %v", got)
	}
	if Total(nil) != 0 {
		t.Error("empty paper")
	}
}

func BenchmarkDraw(b *testing.B) {
	// A bank of 5000 questions and a 100-question "3+X" paper.
	pool := map[uint64][]Candidate{1: join(
		bank(1, 3000, item.Single, 3, "通用"),
		bank(5000, 500, item.Single, 3, "通用", "财务"),
		bank(6000, 1000, item.Multiple, 3, "通用"),
		bank(8000, 500, item.Judge, 3, "通用"),
	)}
	rules := []Rule{
		{BankID: 1, Type: item.Single, Count: 40, Score: 1, Tags: []string{"通用"}},
		{BankID: 1, Type: item.Multiple, Count: 20, Score: 1, Tags: []string{"通用"}},
		{BankID: 1, Type: item.Judge, Count: 20, Score: 1},
		{BankID: 1, Type: item.Single, Count: 20, Score: 1, Tags: []string{"财务"}},
	}
	rng := seeded(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Draw(rules, pool, rng); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDrawSpread(t *testing.T) {
	// Every question of a rule gets drawn, roughly as often as the others,
	// and a nil rng works.
	pool := map[uint64][]Candidate{1: bank(1, 5, item.Judge, 3)}
	rules := []Rule{{BankID: 1, Type: item.Judge, Count: 1, Score: 1}}
	counts := map[uint64]int{}
	rng := seeded(11)
	for range 5000 {
		qs, err := Draw(rules, pool, rng)
		if err != nil {
			t.Fatal(err)
		}
		counts[qs[0].ID]++
	}
	for id := uint64(1); id <= 5; id++ {
		if counts[id] < 800 || counts[id] > 1200 {
			t.Errorf("question %d drawn %d times of 5000: %v", id, counts[id], counts)
		}
	}
	if qs, err := Draw(rules, pool, nil); err != nil || len(qs) != 1 {
		t.Errorf("nil rng: %v %v", qs, err)
	}
	if o := Shuffle(3, []int{2, 0, 3}, nil, true, nil); !isPerm(o.Questions, 3) {
		t.Errorf("nil rng: %+v", o)
	}
}

// A single choice with several right options or partial credit grades the
// same shown shuffled as unshuffled, and shuffling leaves the bank's key alone.
func TestPresentPartialAndAnyOf(t *testing.T) {
	opts := []string{"甲", "乙", "丙", "丁"}
	for _, key := range []item.Key{
		{Choices: "AC"},
		{Choices: "D", Partial: map[string]float64{"B": 50, "C": 25}},
		{Choices: "AB", Partial: map[string]float64{"D": 10}},
	} {
		q := item.Question{Type: item.Single, Stem: "题", Options: slices.Clone(opts), Key: key, Score: 4}
		before := maps.Clone(key.Partial)
		for _, perm := range perms(4) {
			p := Present(q, perm)
			if !maps.Equal(q.Key.Partial, before) {
				t.Fatalf("perm %v changed the bank's partial credits: %v", perm, q.Key.Partial)
			}
			for d := range 4 {
				shown := string(item.Letters[d])
				g1 := grading.Grade(&p, grading.Answer{Choices: shown, Given: true}, grading.Rules{})
				back := MapBack(shown, perm)
				g2 := grading.Grade(&q, grading.Answer{Choices: back, Given: true}, grading.Rules{})
				if g1 != g2 {
					t.Fatalf("key %v perm %v: shown %s %+v, original %s %+v", key, perm, shown, g1, back, g2)
				}
			}
		}
	}
}

// A question whose options keep their order (以上都对) is never shuffled,
// while the others are.
func TestShuffleFixedOrder(t *testing.T) {
	counts := []int{4, 4}
	fixed := []bool{true, false}
	moved := false
	for seed := uint64(1); seed <= 50; seed++ {
		o := Shuffle(2, counts, fixed, true, seeded(seed))
		if !slices.Equal(o.Options[0], []int{0, 1, 2, 3}) {
			t.Fatalf("seed %d: fixed options shuffled: %v", seed, o.Options[0])
		}
		if !slices.Equal(o.Options[1], []int{0, 1, 2, 3}) {
			moved = true
		}
	}
	if !moved {
		t.Error("the other question's options were never shuffled")
	}
}
