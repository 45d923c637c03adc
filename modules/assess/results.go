package assess

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"college/modules/training"
	"college/modules/web"

	"gorm.io/gorm"
)

// ---------- the arithmetic ----------

type itemAcc struct {
	item    Item
	answers int
	points  float64
	grades  map[string]int
	options []int
}

func newItemAcc(it Item) *itemAcc {
	a := &itemAcc{item: it}
	switch it.Kind {
	case KindRating:
		a.grades = map[string]int{}
		for _, g := range Grades {
			a.grades[g] = 0
		}
	case KindChoice:
		a.options = make([]int, len(it.Options))
	}
	return a
}

func (a *itemAcc) merge(b *itemAcc) {
	a.answers += b.answers
	a.points += b.points
	for g, n := range b.grades {
		a.grades[g] += n
	}
}

func (a *itemAcc) result(bar float64) ItemResult {
	r := ItemResult{Text: a.item.Text, Kind: a.item.Kind, Weight: a.item.Weight, Answers: a.answers}
	switch a.item.Kind {
	case KindRating:
		r.Grades = a.grades
		if a.answers > 0 {
			r.Average = round(a.points/float64(a.answers), 2)
			rate := float64(a.grades[GradeExcellent]+a.grades[GradeGood]) / float64(a.answers)
			r.SatisfactionRate = round(rate, 4)
			r.MeetsBar = meets(rate, bar)
		}
	case KindChoice:
		r.Options, r.OptionLabels = a.options, a.item.Options
	}
	return r
}

// meets compares a rate with the bar, forgiving floating-point dust.
func meets(rate, bar float64) bool { return rate >= bar-1e-9 }

// one is what a single response contributes to totals and the trend.
type one struct {
	score        float64
	rated        bool
	top2, rating int
}

// tally adds up the responses to one form.
type tally struct {
	items     []*itemAcc
	responses int
	scoreSum  float64
	scored    int
	top2      int
	ratings   int
	comments  []Comment
}

func newTally(items []Item) *tally {
	t := &tally{}
	for _, it := range items {
		t.items = append(t.items, newItemAcc(it))
	}
	return t
}

// add counts one stored response.
func (t *tally) add(answers string) (one, error) {
	var o one
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(answers), &raw); err != nil {
		return o, fmt.Errorf("assess: decode answers: %w", err)
	}
	t.responses++
	for i, a := range t.items {
		if i >= len(raw) || string(raw[i]) == "null" {
			continue
		}
		switch a.item.Kind {
		case KindRating:
			var g string
			if json.Unmarshal(raw[i], &g) != nil || GradeFactors[g] == 0 {
				continue
			}
			pts := a.item.Weight * GradeFactors[g]
			a.answers++
			a.points += pts
			a.grades[g]++
			o.score += pts
			o.rated = true
			o.rating++
			if satisfied(g) {
				o.top2++
			}
		case KindChoice:
			var picks []int
			if json.Unmarshal(raw[i], &picks) != nil {
				continue
			}
			a.answers++
			for _, p := range picks {
				if p >= 0 && p < len(a.options) {
					a.options[p]++
				}
			}
		case KindText:
			var s string
			if json.Unmarshal(raw[i], &s) != nil || strings.TrimSpace(s) == "" {
				continue
			}
			a.answers++
			t.comments = append(t.comments, Comment{Item: a.item.Text, Text: s})
		}
	}
	if o.rated {
		t.scoreSum += o.score
		t.scored++
	}
	t.top2 += o.top2
	t.ratings += o.rating
	return o, nil
}

// totals are the score (mean of the responses' totals) and the overall
// satisfaction rate (share of 非常满意 and 满意 among all rating answers).
func totals(scoreSum float64, scored, top2, ratings int) (score, rate float64) {
	if scored > 0 {
		score = round(scoreSum/float64(scored), 2)
	}
	if ratings > 0 {
		rate = float64(top2) / float64(ratings)
	}
	return score, rate
}

// ---------- loading ----------

func (s *Service) responsesOf(ctx context.Context, ids []uint64) ([]Response, error) {
	var rows []Response
	if len(ids) == 0 {
		return rows, nil
	}
	if err := s.db.WithContext(ctx).Where("evaluation_id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	return rows, nil
}

// tallies adds up the responses of each evaluation.
func (s *Service) tallies(ctx context.Context, evals []Evaluation) (map[uint64]*tally, error) {
	ids := make([]uint64, len(evals))
	for i, e := range evals {
		ids[i] = e.ID
	}
	rows, err := s.responsesOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	forms := map[uint64][]Item{}
	out := make(map[uint64]*tally, len(evals))
	for _, e := range evals {
		items, ok := forms[e.FormID]
		if !ok {
			if _, items, err = s.formByID(ctx, e.FormID); err != nil {
				return nil, err
			}
			forms[e.FormID] = items
		}
		out[e.ID] = newTally(items)
	}
	for _, r := range rows {
		if t := out[r.EvaluationID]; t != nil {
			if _, err := t.add(r.Answers); err != nil {
				return nil, web.Internal(err)
			}
		}
	}
	return out, nil
}

// canRead reports whether the caller may read an evaluation's results: the
// class's host and the org department, or the teacher it is linked to.
func (s *Service) canRead(ctx context.Context, p *web.Principal, e *Evaluation) error {
	if e.TeacherUserID != 0 && e.TeacherUserID == p.UserID {
		return nil
	}
	ok, err := s.classes.Manages(ctx, p, e.ClassID)
	if err != nil {
		return err
	}
	if !ok {
		return web.NotFound()
	}
	return nil
}

// Results adds up an evaluation's responses for those who may read them.
func (s *Service) Results(ctx context.Context, p *web.Principal, id uint64) (Results, error) {
	var r Results
	e, err := s.evaluation(ctx, id)
	if err != nil {
		return r, err
	}
	if err := s.canRead(ctx, p, e); err != nil {
		return r, err
	}
	c, err := s.classes.ClassByID(ctx, e.ClassID)
	if err != nil {
		return r, err
	}
	f, items, err := s.formByID(ctx, e.FormID)
	if err != nil {
		return r, err
	}
	rows, err := s.responsesOf(ctx, []uint64{e.ID})
	if err != nil {
		return r, err
	}
	t := newTally(items)
	for _, row := range rows {
		if _, err := t.add(row.Answers); err != nil {
			return r, web.Internal(err)
		}
	}
	bar := s.Bar(ctx)
	r = Results{EvaluationID: e.ID, Title: f.Title, Target: Target{Type: e.TargetType, ID: e.TargetID, Label: e.TargetLabel}, ClassID: c.ID, ClassTitle: c.Title,
		Responses: t.responses, Bar: bar, Items: make([]ItemResult, len(t.items)), Comments: t.comments}
	for i, a := range t.items {
		r.Items[i] = a.result(bar)
	}
	var rate float64
	r.Score, rate = totals(t.scoreSum, t.scored, t.top2, t.ratings)
	r.SatisfactionRate = round(rate, 4)
	r.MeetsBar = t.ratings > 0 && meets(rate, bar)
	if r.Comments == nil {
		r.Comments = []Comment{}
	}
	if min := s.settings.Int(ctx, SetTeacherMin); r.Responses < min && e.TeacherUserID == p.UserID {
		if manages, err := s.classes.Manages(ctx, p, e.ClassID); err != nil {
			return r, err
		} else if !manages {
			r = Results{EvaluationID: r.EvaluationID, Title: r.Title, Target: r.Target, ClassID: r.ClassID, ClassTitle: r.ClassTitle,
				Responses: r.Responses, Bar: r.Bar, Items: []ItemResult{}, Comments: []Comment{}, Withheld: true, MinResponses: min}
		}
	}
	return r, nil
}

// CourseResults joins the evaluations of a course across the classes the
// caller hosts or oversees.
func (s *Service) CourseResults(ctx context.Context, p *web.Principal, courseID uint64) (Aggregate, error) {
	if !canManage(p) {
		return Aggregate{}, web.Forbidden()
	}
	q := s.db.WithContext(ctx).Scopes(web.OrgScope(p, "host_org_id")).Where("target_type = ? AND target_id = ?", TargetCourse, courseID)
	return s.aggregate(ctx, q, "")
}

// TeacherResults joins the evaluations of a teacher, by the name on the
// timetable or by the linked account, across the caller's classes.
func (s *Service) TeacherResults(ctx context.Context, p *web.Principal, name string, userID uint64) (Aggregate, error) {
	if !canManage(p) {
		return Aggregate{}, web.Forbidden()
	}
	name = strings.TrimSpace(name)
	if name == "" && userID == 0 {
		return Aggregate{}, web.Invalid(map[string]string{"name": "请输入教师姓名"})
	}
	q := s.db.WithContext(ctx).Scopes(web.OrgScope(p, "host_org_id"))
	switch {
	case name != "" && userID != 0:
		q = q.Where("(target_type = ? AND target_label = ?) OR teacher_user_id = ?", TargetTeacher, name, userID)
	case name != "":
		q = q.Where("target_type = ? AND target_label = ?", TargetTeacher, name)
	default:
		q = q.Where("teacher_user_id = ?", userID)
	}
	return s.aggregate(ctx, q, name)
}

// MyTeaching joins the evaluations linked to the caller's teacher account:
// a teacher sees their own results and no one else's.
func (s *Service) MyTeaching(ctx context.Context, p *web.Principal) (Aggregate, error) {
	// Only evaluations answered by enough trainees to stay anonymous.
	min := s.settings.Int(ctx, SetTeacherMin)
	q := s.db.WithContext(ctx).Where("teacher_user_id = ? AND id IN (SELECT evaluation_id FROM eval_responses GROUP BY evaluation_id HAVING COUNT(*) >= ?)",
		p.UserID, min)
	a, err := s.aggregate(ctx, q, p.Name)
	if err != nil {
		return a, err
	}
	// A month with fewer answers than the minimum would show them one by one.
	trend := a.Trend[:0]
	for _, x := range a.Trend {
		if x.Responses >= min {
			trend = append(trend, x)
		}
	}
	a.Trend = trend
	return a, nil
}

// aggregate adds up the evaluations q selects.
func (s *Service) aggregate(ctx context.Context, q *gorm.DB, subject string) (Aggregate, error) {
	bar := s.Bar(ctx)
	out := Aggregate{Subject: subject, Bar: bar, Items: []ItemResult{}, Trend: []TrendPoint{}, Evaluations: []EvaluationScore{}, Comments: []Comment{}}
	var evals []Evaluation
	if err := q.Order("created_at, id").Limit(2000).Find(&evals).Error; err != nil {
		return out, web.Internal(err)
	}
	if len(evals) == 0 {
		return out, nil
	}
	if out.Subject == "" {
		out.Subject = evals[len(evals)-1].TargetLabel
	}
	ids := make([]uint64, len(evals))
	for i, e := range evals {
		ids[i] = e.ID
	}
	rows, err := s.responsesOf(ctx, ids)
	if err != nil {
		return out, err
	}
	byEval := map[uint64][]Response{}
	for _, r := range rows {
		byEval[r.EvaluationID] = append(byEval[r.EvaluationID], r)
	}
	titles, err := s.formTitles(ctx, evals)
	if err != nil {
		return out, err
	}
	forms := map[uint64][]Item{}
	classes := map[uint64]*training.Class{}
	merged := map[string]*itemAcc{}
	var order []string
	type trendAcc struct {
		responses, scored, top2, ratings int
		scoreSum                         float64
	}
	trend := map[string]*trendAcc{}
	var scoreSum float64
	var scored, top2, ratings int
	for _, e := range evals {
		items, ok := forms[e.FormID]
		if !ok {
			_, items, err = s.formByID(ctx, e.FormID)
			if err != nil {
				return out, err
			}
			forms[e.FormID] = items
		}
		if classes[e.ClassID] == nil {
			c, err := s.classes.ClassByID(ctx, e.ClassID)
			if err != nil {
				return out, err
			}
			classes[e.ClassID] = c
		}
		t := newTally(items)
		for _, r := range byEval[e.ID] {
			o, err := t.add(r.Answers)
			if err != nil {
				return out, web.Internal(err)
			}
			ta := trend[r.Period]
			if ta == nil {
				ta = &trendAcc{}
				trend[r.Period] = ta
			}
			ta.responses++
			if o.rated {
				ta.scored++
				ta.scoreSum += o.score
			}
			ta.top2 += o.top2
			ta.ratings += o.rating
		}
		for _, a := range t.items {
			if a.item.Kind != KindRating {
				continue
			}
			key := fmt.Sprintf("%s\x00%g", a.item.Text, a.item.Weight)
			if merged[key] == nil {
				merged[key] = newItemAcc(a.item)
				order = append(order, key)
			}
			merged[key].merge(a)
		}
		score, rate := totals(t.scoreSum, t.scored, t.top2, t.ratings)
		out.Evaluations = append(out.Evaluations, EvaluationScore{ID: e.ID, ClassID: e.ClassID, ClassTitle: classes[e.ClassID].Title, Title: titles[e.FormID],
			Target: Target{Type: e.TargetType, ID: e.TargetID, Label: e.TargetLabel}, Responses: t.responses, Score: score,
			SatisfactionRate: round(rate, 4), MeetsBar: t.ratings > 0 && meets(rate, bar), CreatedAt: e.CreatedAt})
		out.Responses += t.responses
		scoreSum += t.scoreSum
		scored += t.scored
		top2 += t.top2
		ratings += t.ratings
		out.Comments = append(out.Comments, t.comments...)
	}
	for _, k := range order {
		out.Items = append(out.Items, merged[k].result(bar))
	}
	var rate float64
	out.Score, rate = totals(scoreSum, scored, top2, ratings)
	out.SatisfactionRate = round(rate, 4)
	out.MeetsBar = ratings > 0 && meets(rate, bar)
	periods := make([]string, 0, len(trend))
	for p := range trend {
		periods = append(periods, p)
	}
	sort.Strings(periods)
	for _, p := range periods {
		ta := trend[p]
		score, rate := totals(ta.scoreSum, ta.scored, ta.top2, ta.ratings)
		out.Trend = append(out.Trend, TrendPoint{Period: p, Responses: ta.responses, Score: score, SatisfactionRate: round(rate, 4)})
	}
	return out, nil
}
