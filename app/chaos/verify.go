package chaos

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"
)

// lossWindow is how much acknowledged study a Redis that loses its data
// may take with it: heartbeats are written to SQL every 2 s (the flusher),
// so an acknowledgement younger than this at the loss may be gone. Exam
// answers, completions, credits, registrations and sessions are written to
// SQL before they are acknowledged and may lose nothing.
const lossWindow = 6 * time.Second

// sendRange asks for the first bytes of a media stream.
func (c *Client) sendRange(ctx context.Context, path string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.base()+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Range", "bytes=0-99")
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (r *Run) sql() (*sql.DB, error) {
	if r.maria == nil {
		return sql.Open("sqlite", r.sqlitePath)
	}
	return sql.Open("mysql", r.maria.RootDSN("college"))
}

// lateClosed tells whether every attempt of the timed exam is closed, and
// the longest time from a deadline to its closing.
func (r *Run) lateClosed(ctx context.Context) (bool, time.Duration, error) {
	dbh, err := r.sql()
	if err != nil {
		return false, 0, err
	}
	defer dbh.Close()
	var worst time.Duration
	for _, c := range r.late {
		var status string
		var deadline time.Time
		var closed sql.NullTime
		err := dbh.QueryRowContext(ctx, "SELECT status, deadline, closed_at FROM attempts WHERE id = ?", c.Attempt).Scan(&status, &deadline, &closed)
		if err != nil {
			return false, 0, nil // the database may be recovering: ask again
		}
		if status == "in_progress" {
			return false, 0, nil
		}
		if closed.Valid {
			worst = max(worst, closed.Time.Sub(deadline))
		}
	}
	return true, worst, nil
}

// verify compares every acknowledgement with SQL.
func (r *Run) verify(ctx context.Context, rep *Report) []string {
	var fails []string
	failf := func(format string, args ...any) { fails = append(fails, fmt.Sprintf(format, args...)) }
	r.mu.Lock()
	fails = append(fails, r.failures...)
	r.mu.Unlock()
	dbh, err := r.sql()
	if err != nil {
		return append(fails, err.Error())
	}
	defer dbh.Close()

	// Credits come from durable state: give the settlement (on flush and the
	// minute sweep) time to credit every completed course.
	var credits, completions int
	deadline := time.Now().Add(90 * time.Second)
	for {
		var missing []string
		credits, completions = 0, 0
		for _, l := range r.learners {
			m, c, n, err := r.creditsOf(ctx, dbh, l)
			if err != nil {
				return append(fails, err.Error())
			}
			missing = append(missing, m...)
			credits += c
			completions += n
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			fails = append(fails, missing...)
			break
		}
		_ = sleep(ctx, 2*time.Second)
	}
	var doubled int
	if err := dbh.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT user_id FROM hour_entries GROUP BY user_id, source_type, source_id HAVING COUNT(*) > 1) d").Scan(&doubled); err != nil {
		failf("count doubled credits: %v", err)
	} else if doubled > 0 {
		failf("%d credits were entered more than once", doubled)
	}

	// Study progress: every acknowledgement outside the loss window is in
	// SQL once the instances have stopped cleanly. Until then the last
	// seconds of heartbeats are in Redis (its append-only file keeps them),
	// waiting for the flusher; a clean stop writes them.
	for _, c := range r.colleges {
		c.Stop(30 * time.Second)
	}
	r.mu.Lock()
	losses := append([]time.Time(nil), r.losses...)
	r.mu.Unlock()
	protected := func(at time.Time) bool {
		for _, l := range losses {
			if !at.After(l) && l.Sub(at) < lossWindow {
				return false
			}
		}
		return true
	}
	beats, exposed := 0, 0
	for _, l := range r.learners {
		best := map[uint64]float64{}
		l.mu.Lock()
		for _, a := range l.acks {
			beats++
			if !protected(a.at) && !a.completed {
				exposed++
				continue
			}
			best[a.lesson] = max(best[a.lesson], a.coverage)
		}
		done := maps.Clone(l.done)
		l.mu.Unlock()
		for lesson, cov := range best {
			var got float64
			var completed bool
			err := dbh.QueryRowContext(ctx, "SELECT coverage, completed FROM lesson_progress WHERE user_id = ? AND lesson_id = ?", l.UserID, lesson).Scan(&got, &completed)
			if err != nil {
				failf("%s lesson %d: acknowledged coverage %.3f, SQL: %v", l.user, lesson, cov, err)
				continue
			}
			if got < cov-1e-4 { // answers round coverage to 4 places
				failf("%s lesson %d: acknowledged coverage %.4f, SQL holds %.4f", l.user, lesson, cov, got)
			}
			if done[lesson] && !completed {
				failf("%s lesson %d: acknowledged complete, SQL says not", l.user, lesson)
			}
		}
	}

	// Answers: each submitted attempt holds, for every question, the last
	// acknowledged answer or one sent after it, and its score is the
	// grading of what it holds.
	saves := 0
	for _, c := range append(append([]*Candidate(nil), r.candidates...), r.late...) {
		var status, answers string
		var score int64
		if err := dbh.QueryRowContext(ctx, "SELECT status, answers, score_x100 FROM attempts WHERE id = ?", c.Attempt).Scan(&status, &answers, &score); err != nil {
			failf("%s attempt %d: %v", c.user, c.Attempt, err)
			continue
		}
		held := map[string]any{}
		_ = json.Unmarshal([]byte(answers), &held)
		c.mu.Lock()
		for q, v := range c.acked {
			saves++
			got, ok := held[q].(bool)
			if !ok || (got != v && !slices.Contains(c.after[q], got)) {
				failf("%s attempt %d question %s: acknowledged %v (then sent %v), graded on %v", c.user, c.Attempt, q, v, c.after[q], held[q])
			}
		}
		c.mu.Unlock()
		right := int64(0)
		for _, v := range held {
			if b, ok := v.(bool); ok && b {
				right++
			}
		}
		if status != "graded" || score != right*500 {
			failf("%s attempt %d: %s with %d right answers held, score %.2f", c.user, c.Attempt, status, right, float64(score)/100)
		}
		if c.submitted && c.Result.Score*100 != float64(score) {
			failf("%s attempt %d: the submission answered %.2f, SQL holds %.2f", c.user, c.Attempt, c.Result.Score, float64(score)/100)
		}
		if !c.submitted {
			var submitted, deadline sql.NullTime
			err := dbh.QueryRowContext(ctx, "SELECT submitted_at, deadline FROM attempts WHERE id = ?", c.Attempt).Scan(&submitted, &deadline)
			if err != nil || !submitted.Valid || !submitted.Time.Equal(deadline.Time) {
				failf("%s attempt %d closed by the sweep: submitted_at %v, deadline %v (%v)", c.user, c.Attempt, submitted.Time, deadline.Time, err)
			}
		}
	}

	// Registrations: every acknowledged one is there, and no more seats
	// than the quota are taken.
	var seats, enrolled, asked int
	acked := 0
	for _, g := range r.registrants {
		if g.Final != 0 {
			asked++
		}
		if !g.Acked {
			continue
		}
		acked++
		var status string
		var uid uint64
		if err := dbh.QueryRowContext(ctx, "SELECT status, user_id FROM registrations WHERE id = ?", g.RegID).Scan(&status, &uid); err != nil || uid != g.UserID {
			failf("%s: registration %d acknowledged (%s), SQL: %v (user %d)", g.user, g.RegID, g.Status, err, uid)
		}
	}
	if err := dbh.QueryRowContext(ctx, "SELECT COUNT(*) FROM registrations WHERE class_id = ? AND seat = ?", r.Fixtures.Class, true).Scan(&seats); err != nil {
		failf("count seats: %v", err)
	}
	if err := dbh.QueryRowContext(ctx, "SELECT enrolled FROM training_classes WHERE id = ?", r.Fixtures.Class).Scan(&enrolled); err != nil {
		failf("read class: %v", err)
	}
	if seats > r.Fixtures.Quota || enrolled != seats {
		failf("class of quota %d: %d seats taken, enrolled says %d", r.Fixtures.Quota, seats, enrolled)
	}
	if acked < r.Fixtures.Quota {
		failf("only %d of %d registrations were acknowledged: the class never filled", acked, asked)
	}
	rep.Figures = append(rep.Figures,
		fmt.Sprintf("%d heartbeats acknowledged (%d inside the %s before Redis lost its data, where loss is allowed); %d lessons completed, %d course credits, none doubled", beats, exposed, lossWindow, completions, credits),
		fmt.Sprintf("%d attempts with %d acknowledged answers, every one graded on them", len(r.candidates)+len(r.late), saves),
		fmt.Sprintf("%d registrations acknowledged for a class of %d seats: %d seats taken", acked, r.Fixtures.Quota, seats))
	return fails
}

// creditsOf checks one learner's credits against their completed lessons:
// each course whose lesson is complete in SQL has exactly one entry.
func (r *Run) creditsOf(ctx context.Context, dbh *sql.DB, l *Learner) (missing []string, credits, completions int, err error) {
	for _, c := range r.Fixtures.Courses {
		var completed bool
		err := dbh.QueryRowContext(ctx, "SELECT completed FROM lesson_progress WHERE user_id = ? AND lesson_id = ?", l.UserID, c.Lesson).Scan(&completed)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return nil, 0, 0, err
		}
		var n int
		if err := dbh.QueryRowContext(ctx, "SELECT COUNT(*) FROM hour_entries WHERE user_id = ? AND source_type = 'course' AND source_id = ?", l.UserID, c.ID).Scan(&n); err != nil {
			return nil, 0, 0, err
		}
		if completed {
			completions++
		}
		credits += n
		if completed && n != 1 {
			missing = append(missing, fmt.Sprintf("%s course %d: lesson complete, %d credits", l.user, c.ID, n))
		}
		if !completed && n != 0 {
			missing = append(missing, fmt.Sprintf("%s course %d: credited without completing", l.user, c.ID))
		}
	}
	return missing, credits, completions, nil
}
