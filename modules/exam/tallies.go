package exam

import (
	"context"
	"fmt"
	"time"
)

// ExamHeader names an exam in the dashboards.
type ExamHeader struct {
	ID        uint64
	Title     string
	CollegeID uint64
}

// Tally is one candidate's standing in one exam: Sat when an attempt was
// submitted, Passed when one was graded as passed.
type Tally struct {
	ExamID uint64
	UserID uint64
	Sat    bool
	Passed bool
}

// ExamsStartedIn lists the exams with attempts started in [from, to), with
// their titles, by title.
func (s *Service) ExamsStartedIn(ctx context.Context, from, to time.Time) ([]ExamHeader, error) {
	var out []ExamHeader
	err := s.db.WithContext(ctx).Table("exams").Select("id, title, college_id").
		Where("id IN (SELECT DISTINCT exam_id FROM attempts WHERE started_at >= ? AND started_at < ?)", from.UTC(), to.UTC()).
		Order("title, id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("exam: exams started in: %w", err)
	}
	return out, nil
}

// EachTally calls fn with each candidate's standing in each exam for the
// attempts started in [from, to), grouped in SQL by exam and candidate;
// fn must not query the database.
func (s *Service) EachTally(ctx context.Context, from, to time.Time, fn func(Tally) error) error {
	rows, err := s.db.WithContext(ctx).Table("attempts").
		Select("exam_id, user_id, MAX(CASE WHEN status <> ? THEN 1 ELSE 0 END), MAX(CASE WHEN passed THEN 1 ELSE 0 END)", AttemptOpen).
		Where("started_at >= ? AND started_at < ?", from.UTC(), to.UTC()).
		Group("exam_id, user_id").Rows()
	if err != nil {
		return fmt.Errorf("exam: tallies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t Tally
		var sat, passed int
		if err := rows.Scan(&t.ExamID, &t.UserID, &sat, &passed); err != nil {
			return fmt.Errorf("exam: tallies: %w", err)
		}
		t.Sat, t.Passed = sat == 1, passed == 1
		if err := fn(t); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("exam: tallies: %w", err)
	}
	return nil
}
