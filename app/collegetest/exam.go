package collegetest

import (
	"fmt"
	"maps"
	"testing"
	"time"
)

// Bank creates, as token, a question bank (a practice bank when practice)
// and returns its id.
func (a *App) Bank(token, name string, practice bool) uint64 {
	a.T.Helper()
	body := map[string]any{"name": name}
	if practice {
		body["practice"] = true
	}
	r := a.Do("POST", "/api/v1/banks", token, body)
	MustStatus(a.T, r, 201)
	return r.ID(a.T)
}

// Question adds, as token, a question to a bank and returns its id.
func (a *App) Question(token string, bank uint64, q map[string]any) uint64 {
	a.T.Helper()
	r := a.Do("POST", fmt.Sprintf("/api/v1/banks/%d/questions", bank), token, q)
	MustStatus(a.T, r, 201)
	return r.ID(a.T)
}

// FixedExam creates, as token, a draft exam whose paper is the questions,
// 10 minutes long, open from a minute ago for an hour; fields add to the
// body and override those defaults. It returns the exam's id.
func (a *App) FixedExam(token string, fields map[string]any, questions ...uint64) uint64 {
	a.T.Helper()
	now := time.Now().UTC()
	body := map[string]any{"duration_minutes": 10, "opens_at": now.Add(-time.Minute), "closes_at": now.Add(time.Hour),
		"paper": map[string]any{"mode": "fixed", "question_ids": questions}}
	maps.Copy(body, fields)
	r := a.Do("POST", "/api/v1/exams", token, body)
	MustStatus(a.T, r, 201)
	return r.ID(a.T)
}

// PublishExam publishes an exam as token.
func (a *App) PublishExam(token string, examID uint64) {
	a.T.Helper()
	MustStatus(a.T, a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/publish", examID), token, nil), 200)
}

// StartAttempt starts a new attempt at an exam as token and returns its id.
func (a *App) StartAttempt(token string, examID uint64) uint64 {
	a.T.Helper()
	r := a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), token, nil)
	MustStatus(a.T, r, 201)
	return AttemptID(a.T, r)
}

// AttemptID is the attempt_id of an answer to an attempt's start.
func AttemptID(t *testing.T, r Response) uint64 {
	t.Helper()
	id, ok := r.JSON(t)["attempt_id"].(float64)
	if !ok {
		t.Fatalf("no attempt_id in %s", r.Body)
	}
	return uint64(id)
}

// Attempt reads an attempt as token, failing unless it answers 200.
func (a *App) Attempt(token string, id uint64) map[string]any {
	a.T.Helper()
	r := a.Do("GET", fmt.Sprintf("/api/v1/attempts/%d", id), token, nil)
	MustStatus(a.T, r, 200)
	return r.JSON(a.T)
}

// SaveAnswers saves answers (question id -> answer) to an attempt as token.
func (a *App) SaveAnswers(token string, attempt uint64, answers map[uint64]any) Response {
	a.T.Helper()
	body := map[string]any{}
	for q, v := range answers {
		body[fmt.Sprint(q)] = v
	}
	return a.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers", attempt), token, map[string]any{"answers": body})
}

// SitExam starts an attempt as token, saves the answers (none when nil)
// and submits it; it fails unless each step succeeds, and returns the
// attempt's id and the answer to the submission.
func (a *App) SitExam(token string, examID uint64, answers map[uint64]any) (uint64, Response) {
	a.T.Helper()
	att := a.StartAttempt(token, examID)
	if answers != nil {
		MustStatus(a.T, a.SaveAnswers(token, att, answers), 200)
	}
	r := a.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", att), token, nil)
	MustStatus(a.T, r, 200)
	return att, r
}
