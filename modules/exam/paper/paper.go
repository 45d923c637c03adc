// Package paper makes exam papers (DOMAIN.md: Theory exams): it draws
// questions from banks by rules ("N questions of type T from topic X at
// difficulty D", "3+X"), and freezes per candidate a shuffled order of
// questions and options, mapping the candidate's letters back for grading.
package paper

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"college/modules/exam/item"
)

// Rule draws Count questions of a Type from a bank, filtered by tags (all must
// match) and difficulty (0 = any), each worth Score.
type Rule struct {
	BankID     uint64
	Type       item.Type
	Count      int
	Score      float64
	Tags       []string
	Difficulty int
}

// Candidate is a question available to draw from, with its stable id.
type Candidate struct {
	ID uint64
	Q  item.Question
}

// Shortfall says a rule cannot be filled: it names the rule (1-based) and how
// many it has to draw from. It is also the error Draw returns.
type Shortfall struct {
	Rule       int
	Want, Have int
}

func (s Shortfall) Error() string {
	return fmt.Sprintf("第 %d 条抽题规则需要 %d 道题，只有 %d 道可抽", s.Rule, s.Want, s.Have)
}

// matcher is a rule prepared for matching many questions.
type matcher struct {
	typ        item.Type
	difficulty int
	tags       []string
}

func newMatcher(r *Rule) matcher {
	m := matcher{typ: r.Type, difficulty: r.Difficulty}
	for _, t := range r.Tags {
		if t = strings.TrimSpace(t); t != "" {
			m.tags = append(m.tags, t)
		}
	}
	return m
}

// matches tells whether question q fits the rule: its type, its difficulty
// unless the rule's is 0, and every tag of the rule.
func (m *matcher) matches(q *item.Question) bool {
	if q.Type != m.typ {
		return false
	}
	if m.difficulty != 0 {
		d := q.Difficulty
		if d == 0 {
			d = 3 // item.Validate's default
		}
		if d != m.difficulty {
			return false
		}
	}
next:
	for _, t := range m.tags {
		for _, qt := range q.Tags {
			if qt == t || strings.TrimSpace(qt) == t {
				continue next
			}
		}
		return false
	}
	return true
}

// plan is the matching of rules to distinct questions.
type plan struct {
	rules []Rule
	cands []*Candidate // distinct questions (by ID) that match some rule
	lists [][]int      // per rule: indexes into cands that match it
	owner []int        // per candidate: the rule it is drawn for, or -1
	seen  []uint32     // per candidate: the search that last visited it
	stamp uint32       // the current search
	next  []int        // per rule: lists[r][:next[r]] are taken
	rng   *rand.Rand   // nil: take candidates in ID order
}

// newPlan collects the candidates of each rule, in ID order so that the
// result does not depend on the order the pool was loaded in. The pool is
// only read.
func newPlan(rules []Rule, pool map[uint64][]Candidate, rng *rand.Rand) *plan {
	p := &plan{rules: rules, lists: make([][]int, len(rules)), next: make([]int, len(rules)), rng: rng}
	sorted := map[uint64][]*Candidate{} // per bank, by ID, without repeated IDs
	size := 0
	for i, r := range rules {
		if !slices.ContainsFunc(rules[:i], func(o Rule) bool { return o.BankID == r.BankID }) {
			size += len(pool[r.BankID])
		}
	}
	index := make(map[uint64]int, size)
	for i := range rules {
		r := &rules[i]
		bank, ok := sorted[r.BankID]
		if !ok {
			src := pool[r.BankID]
			bank = make([]*Candidate, len(src))
			for j := range src {
				bank[j] = &src[j]
			}
			slices.SortStableFunc(bank, func(a, b *Candidate) int { return cmp.Compare(a.ID, b.ID) })
			bank = slices.CompactFunc(bank, func(a, b *Candidate) bool { return a.ID == b.ID })
			sorted[r.BankID] = bank
		}
		m := newMatcher(r)
		var list []int
		for _, c := range bank {
			if !m.matches(&c.Q) {
				continue
			}
			k, ok := index[c.ID]
			if !ok {
				k = len(p.cands)
				index[c.ID] = k
				p.cands = append(p.cands, c)
			}
			list = append(list, k)
		}
		p.lists[i] = list
	}
	p.owner = make([]int, len(p.cands))
	for k := range p.owner {
		p.owner[k] = -1
	}
	p.seen = make([]uint32, len(p.cands))
	return p
}

// fill gives each rule up to its Count distinct questions, so that as many
// rules as possible are filled: a rule first takes the next free question of
// its (shuffled) list; when none is left it takes one from an earlier rule
// that can replace it (augmenting paths, as in bipartite matching). It
// returns how many questions each rule got. Rules marked in skip get none.
func (p *plan) fill(skip []bool) []int {
	got := make([]int, len(p.rules))
	for i, r := range p.rules {
		for (skip == nil || !skip[i]) && got[i] < r.Count {
			p.stamp++
			if !p.augment(i) {
				break
			}
			got[i]++
		}
	}
	return got
}

// augment finds one more question for rule i, possibly moving questions
// between other rules.
func (p *plan) augment(i int) bool {
	list := p.lists[i]
	for ; p.next[i] < len(list); p.next[i]++ {
		// A lazy Fisher–Yates shuffle: bring a random one of the rest to
		// the front, so that a draw costs what it takes, not the bank's size.
		at := p.next[i]
		if p.rng != nil {
			j := at + p.rng.IntN(len(list)-at)
			list[at], list[j] = list[j], list[at]
		}
		if k := list[at]; p.owner[k] < 0 {
			p.owner[k] = i
			p.next[i]++
			return true
		}
	}
	for _, k := range list {
		if p.seen[k] == p.stamp || p.owner[k] == i {
			continue
		}
		p.seen[k] = p.stamp
		if o := p.owner[k]; p.augment(o) {
			p.owner[k] = i
			return true
		}
	}
	return false
}

// Check reports for each rule how many candidates match, and the rules that
// cannot be filled. A rule is short when fewer questions match it than it
// wants (Have is the number that match), or when the rules together want more
// distinct questions than the pool holds: a question matching several rules
// is drawn only once, and Have is then what is left for the rule once the
// rules before it are filled. Rules short on their own are left out of the
// second test, so that they do not crowd out the others.
func Check(rules []Rule, pool map[uint64][]Candidate) (available []int, short []Shortfall) {
	p := newPlan(rules, pool, nil)
	available = make([]int, len(rules))
	skip := make([]bool, len(rules))
	for i, r := range rules {
		available[i] = len(p.lists[i])
		skip[i] = available[i] < r.Count
	}
	got := p.fill(skip)
	for i, r := range rules {
		switch {
		case available[i] < r.Count:
			short = append(short, Shortfall{Rule: i + 1, Want: r.Count, Have: available[i]})
		case got[i] < r.Count:
			short = append(short, Shortfall{Rule: i + 1, Want: r.Count, Have: got[i]})
		}
	}
	return available, short
}

// Draw picks the questions of each rule without repeating a question across
// rules, using rng (deterministic for a seed), and overrides each question's
// Score with its rule's score. The questions come rule by rule, in the rules'
// order. When the rules cannot be filled the error is the first Shortfall.
// A nil rng draws from a randomly seeded generator.
func Draw(rules []Rule, pool map[uint64][]Candidate, rng *rand.Rand) ([]Candidate, error) {
	if rng == nil {
		rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	p := newPlan(rules, pool, rng)
	got := p.fill(nil)
	for i, r := range rules {
		if got[i] < r.Count {
			// The matching is maximal, so the rules cannot be filled in
			// any way; Check names the rule to blame.
			if _, short := Check(rules, pool); len(short) > 0 {
				return nil, short[0]
			}
			return nil, Shortfall{Rule: i + 1, Want: r.Count, Have: got[i]}
		}
	}
	var out []Candidate
	for i, r := range rules {
		for _, k := range p.lists[i] {
			if p.owner[k] == i {
				c := *p.cands[k]
				c.Q.Score = r.Score
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// Order is one candidate's frozen paper: question order and, per question, the
// option permutation.
//
// Questions[d] is the index of the question displayed at position d.
// Options is indexed by the question's own (original) index, like
// optionCounts in Shuffle: Options[i][d] is the original index of the option
// displayed at position d of question i, nil for a question without options.
type Order struct {
	Questions []int
	Options   [][]int // Options[i] maps displayed position → original option index
}

// Shuffle makes a candidate's order (identity when shuffle is false):
// questions shuffled, options of choice questions shuffled unless fixed[i]
// (options such as 以上都对 keep their place). optionCounts[i] is the
// number of options of question i (0 for judge, blank and short).
func Shuffle(n int, optionCounts []int, fixed []bool, shuffle bool, rng *rand.Rand) Order {
	if rng == nil {
		rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	o := Order{Questions: identity(n), Options: make([][]int, n)}
	if shuffle {
		rng.Shuffle(n, func(a, b int) { o.Questions[a], o.Questions[b] = o.Questions[b], o.Questions[a] })
	}
	for i := range n {
		if i >= len(optionCounts) || optionCounts[i] <= 0 {
			continue
		}
		p := identity(optionCounts[i])
		if shuffle && (i >= len(fixed) || !fixed[i]) {
			rng.Shuffle(len(p), func(a, b int) { p[a], p[b] = p[b], p[a] })
		}
		o.Options[i] = p
	}
	return o
}

func identity(n int) []int {
	p := make([]int, max(n, 0))
	for i := range p {
		p[i] = i
	}
	return p
}

// valid tells whether perm is a permutation of 0..n-1.
func valid(perm []int, n int) bool {
	if len(perm) != n || n > len(item.Letters) {
		return false
	}
	var seen [len(item.Letters)]bool
	for _, v := range perm {
		if v < 0 || v >= n || seen[v] {
			return false
		}
		seen[v] = true
	}
	return true
}

// Present rewrites a question for display under a permutation: option d of the
// result is option perm[d] of q. The key is rewritten in displayed letters too,
// so the presented question grades displayed answers the same way q grades
// MapBack's. q itself is not changed. A perm that is not a permutation of q's
// options (nil for questions without options) leaves the options as they are.
func Present(q item.Question, perm []int) item.Question {
	if len(q.Options) == 0 || !valid(perm, len(q.Options)) {
		q.Options = slices.Clone(q.Options)
		return q
	}
	opts := make([]string, len(perm))
	for d, o := range perm {
		opts[d] = q.Options[o]
	}
	q.Options = opts
	if q.Type == item.Single || q.Type == item.Multiple {
		inv := inverse(perm)
		q.Key.Choices = mapLetters(q.Key.Choices, inv)
		if len(q.Key.Partial) > 0 {
			partial := make(map[string]float64, len(q.Key.Partial))
			for l, p := range q.Key.Partial {
				partial[mapLetters(l, inv)] = p
			}
			q.Key.Partial = partial
		}
	}
	return q
}

// MapBack turns the candidate's displayed letters back into original letters
// for grading ("B" shown → original letter), normalized as
// item.NormalizeChoices does ("b, a" is read as "AB"). A letter beyond the
// permutation (an option that does not exist) is kept as it is, so that it
// still counts as a wrong letter.
func MapBack(displayed string, perm []int) string {
	return mapLetters(displayed, perm)
}

// mapLetters maps each letter at position d to letter m[d].
func mapLetters(s string, m []int) string {
	s = item.NormalizeChoices(s)
	if !valid(m, len(m)) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(item.Letters, s[i])
		if d < len(m) {
			d = m[d]
		}
		b.WriteByte(item.Letters[d])
	}
	return item.NormalizeChoices(b.String())
}

func inverse(perm []int) []int {
	inv := make([]int, len(perm))
	for d, o := range perm {
		inv[o] = d
	}
	return inv
}

// Total is the paper's total score, summed in hundredths so that it has at
// most two decimals.
func Total(qs []Candidate) float64 {
	var c int64
	for i := range qs {
		c += int64(math.Round(qs[i].Q.Score * 100))
	}
	return float64(c) / 100
}
