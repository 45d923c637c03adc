package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"
)

// Fixtures are what the workload studies, sits and registers for.
type Fixtures struct {
	Courses   []Course
	Exam      uint64
	Questions []string // question ids; every answer key is true, 5 points each
	Class     uint64
	Quota     int
	Lesson    uint64 // a video lesson of the demo data, for streaming
}

// Course is a one-lesson course.
type Course struct{ ID, Lesson uint64 }

// lessonSeconds is each fixture lesson's reading time.
const lessonSeconds = 6

// setup creates the fixtures as the college's staff would.
func (r *Run) setup(ctx context.Context, courses int) error {
	col := r.client("college")
	org := r.client("orgadmin")
	if err := col.Login(ctx); err != nil {
		return err
	}
	if err := org.Login(ctx); err != nil {
		return err
	}
	f := &r.Fixtures
	for i := 0; i < courses; i++ {
		var c, l struct {
			ID uint64 `json:"id"`
		}
		if err := col.Must(ctx, "POST", "/api/v1/courses", map[string]any{"title": fmt.Sprintf("容错演练课程 %d", i+1), "summary": "演练", "category": "理论教育", "kind": "elective"}, &c, 201); err != nil {
			return err
		}
		if err := col.Must(ctx, "POST", fmt.Sprintf("/api/v1/courses/%d/lessons", c.ID), map[string]any{"title": "阅读材料", "type": "article", "body": "请阅读本材料。", "min_read_seconds": lessonSeconds}, &l, 201); err != nil {
			return err
		}
		if err := col.Must(ctx, "POST", fmt.Sprintf("/api/v1/courses/%d/publish", c.ID), nil, nil, 200); err != nil {
			return err
		}
		f.Courses = append(f.Courses, Course{ID: c.ID, Lesson: l.ID})
	}
	var bank struct {
		ID uint64 `json:"id"`
	}
	if err := col.Must(ctx, "POST", "/api/v1/banks", map[string]any{"name": "容错演练题库"}, &bank, 201); err != nil {
		return err
	}
	var ids []uint64
	for i := 0; i < 8; i++ {
		var q struct {
			ID uint64 `json:"id"`
		}
		if err := col.Must(ctx, "POST", fmt.Sprintf("/api/v1/banks/%d/questions", bank.ID), map[string]any{"type": "judge", "stem": fmt.Sprintf("演练判断题 %d", i+1), "answer": true, "score": 5}, &q, 201); err != nil {
			return err
		}
		ids = append(ids, q.ID)
		f.Questions = append(f.Questions, strconv.FormatUint(q.ID, 10))
	}
	exam, err := r.exam(ctx, col, ids, "容错演练考试", time.Now().Add(3*time.Hour))
	if err != nil {
		return err
	}
	f.Exam = exam
	var me struct {
		OrgID uint64 `json:"org_id"`
	}
	if err := col.Must(ctx, "GET", "/api/v1/me", nil, &me, 200); err != nil {
		return err
	}
	f.Quota = 8
	day := func(n int) string { return time.Now().AddDate(0, 0, n).Format("2006-01-02") }
	var class struct {
		ID uint64 `json:"id"`
	}
	if err := col.Must(ctx, "POST", "/api/v1/classes", map[string]any{"title": "容错演练培训班", "kind": "专题班", "host_org_id": me.OrgID,
		"starts_on": day(200), "ends_on": day(202), "quota": f.Quota, "hours": 16, "self_registration": true, "place": "市委党校"}, &class, 201); err != nil {
		return err
	}
	f.Class = class.ID
	for _, step := range []struct {
		c    *Client
		path string
	}{{col, "submit"}, {org, "approve"}, {col, "open"}} {
		if err := step.c.Must(ctx, "POST", fmt.Sprintf("/api/v1/classes/%d/%s", class.ID, step.path), nil, nil, 200); err != nil {
			return err
		}
	}
	var list struct {
		Items []struct {
			ID uint64 `json:"id"`
		} `json:"items"`
	}
	if err := col.Must(ctx, "GET", "/api/v1/courses?page_size=50", nil, &list, 200); err != nil {
		return err
	}
	for _, it := range list.Items {
		var d struct {
			Lessons []struct {
				ID   uint64 `json:"id"`
				Type string `json:"type"`
			} `json:"lessons"`
		}
		if err := col.Must(ctx, "GET", fmt.Sprintf("/api/v1/courses/%d", it.ID), nil, &d, 200); err != nil {
			return err
		}
		for _, l := range d.Lessons {
			if l.Type == "video" && f.Lesson == 0 {
				f.Lesson = l.ID
			}
		}
	}
	if f.Lesson == 0 {
		return fmt.Errorf("chaos: the demo data has no video lesson")
	}
	r.staff = col
	return nil
}

// exam creates and publishes an exam of the given questions closing at closes.
func (r *Run) exam(ctx context.Context, col *Client, ids []uint64, title string, closes time.Time) (uint64, error) {
	var e struct {
		ID uint64 `json:"id"`
	}
	now := time.Now().UTC()
	if err := col.Must(ctx, "POST", "/api/v1/exams", map[string]any{"title": title, "duration_minutes": 120, "pass_score": 20, "max_attempts": 1,
		"opens_at": now.Add(-time.Minute), "closes_at": closes.UTC(), "paper": map[string]any{"mode": "fixed", "question_ids": ids}}, &e, 201); err != nil {
		return 0, err
	}
	if err := col.Must(ctx, "POST", fmt.Sprintf("/api/v1/exams/%d/publish", e.ID), nil, nil, 200); err != nil {
		return 0, err
	}
	return e.ID, nil
}

// beatAck is one acknowledged heartbeat.
type beatAck struct {
	at        time.Time
	lesson    uint64
	coverage  float64
	completed bool
}

// Learner studies the fixture courses one after another.
type Learner struct {
	*Client
	mu   sync.Mutex
	acks []beatAck
	done map[uint64]bool // lessons acknowledged complete
}

func (l *Learner) study(ctx context.Context, courses []Course) {
	for _, c := range courses {
		if ctx.Err() != nil {
			return
		}
		for l.Do(ctx, "POST", fmt.Sprintf("/api/v1/courses/%d/enroll", c.ID), nil, nil)/100 != 2 {
			if sleep(ctx, 500*time.Millisecond) != nil {
				return
			}
		}
		l.lesson(ctx, c.Lesson)
	}
}

// lesson plays one lesson to completion, starting a new play whenever the
// college says the old one no longer counts.
func (l *Learner) lesson(ctx context.Context, lesson uint64) {
	for ctx.Err() == nil {
		var play struct {
			PlayID    string  `json:"play_id"`
			ResumeAt  float64 `json:"resume_at"`
			Completed bool    `json:"completed"`
		}
		if l.Do(ctx, "POST", fmt.Sprintf("/api/v1/lessons/%d/play", lesson), nil, &play) != 201 {
			_ = sleep(ctx, 500*time.Millisecond)
			continue
		}
		if play.Completed {
			return
		}
		start := time.Now()
		for ctx.Err() == nil {
			if sleep(ctx, time.Second) != nil {
				return
			}
			pos := play.ResumeAt + time.Since(start).Seconds()
			var hb struct {
				Coverage       float64 `json:"coverage"`
				Completed      bool    `json:"completed"`
				CourseComplete bool    `json:"course_completed"`
			}
			st := l.Do(ctx, "POST", "/api/v1/plays/"+play.PlayID+"/heartbeat", map[string]any{"position": pos, "state": "playing"}, &hb)
			if st == 409 {
				break // superseded or lost: a new play
			}
			if st != 200 {
				continue
			}
			l.mu.Lock()
			// The beat that completes a one-lesson course commits the
			// completion and its credit before it answers; later beats only
			// report what Redis holds until the flusher writes it.
			l.acks = append(l.acks, beatAck{at: time.Now(), lesson: lesson, coverage: hb.Coverage, completed: hb.CourseComplete})
			if hb.CourseComplete {
				l.done[lesson] = true
			}
			l.mu.Unlock()
			if hb.Completed {
				return
			}
		}
	}
}

// Candidate autosaves answers in an attempt, then submits.
type Candidate struct {
	*Client
	Attempt uint64
	mu      sync.Mutex
	acked   map[string]bool   // last acknowledged answer of each question
	after   map[string][]bool // answers sent since the last acknowledgement
	ackAt   map[string]time.Time
	Result  struct {
		Status string  `json:"status"`
		Score  float64 `json:"score"`
	}
	submitted bool
}

func (c *Candidate) start(ctx context.Context, exam uint64) error {
	var a struct {
		AttemptID uint64 `json:"attempt_id"`
	}
	if err := c.Must(ctx, "POST", fmt.Sprintf("/api/v1/exams/%d/attempts", exam), nil, &a, 201, 200); err != nil {
		return err
	}
	c.Attempt = a.AttemptID
	return nil
}

func (c *Candidate) answer(ctx context.Context, questions []string, pause time.Duration) {
	for n := 0; ctx.Err() == nil; n++ {
		q := questions[rand.IntN(len(questions))]
		v := rand.IntN(2) == 0
		c.mu.Lock()
		c.after[q] = append(c.after[q], v)
		c.mu.Unlock()
		st := c.Do(ctx, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers", c.Attempt), map[string]any{"answers": map[string]any{q: v}}, nil)
		if st == 200 {
			c.mu.Lock()
			c.acked[q], c.after[q], c.ackAt[q] = v, nil, time.Now()
			c.mu.Unlock()
		}
		if st == 409 {
			return // finished
		}
		if sleep(ctx, pause) != nil {
			return
		}
	}
}

func (c *Candidate) submit(ctx context.Context) error {
	if err := c.Must(ctx, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", c.Attempt), nil, &c.Result, 200); err != nil {
		return err
	}
	c.submitted = true
	return nil
}

// Registrant asks for a seat in the class once, through whatever happens.
type Registrant struct {
	*Client
	Acked  bool
	RegID  uint64
	Status string
	Final  int // the definitive answer
}

func (g *Registrant) register(ctx context.Context, class uint64) {
	for ctx.Err() == nil {
		var out struct {
			ID     uint64 `json:"id"`
			Status string `json:"status"`
		}
		st := g.Do(ctx, "POST", fmt.Sprintf("/api/v1/classes/%d/registrations", class), map[string]any{}, &out)
		if st == 201 || st == 200 {
			g.Acked, g.RegID, g.Status, g.Final = true, out.ID, out.Status, st
			return
		}
		if st != 0 && st < 500 && st != 429 {
			g.Final = st
			return
		}
		_ = sleep(ctx, 300*time.Millisecond)
	}
}
