package exam

import (
	"encoding/json"
	"time"

	"college/modules/exam/importer"
	"college/modules/web"
)

// CandidateQuestion is a question as the candidate sees it: no answer.
type CandidateQuestion struct {
	ID      uint64   `json:"id"`
	Type    string   `json:"type"`
	Stem    string   `json:"stem"`
	Options []string `json:"options"`
	Score   float64  `json:"score"`
}

// AttemptResponse answers the start of an attempt.
type AttemptResponse struct {
	AttemptID  uint64              `json:"attempt_id"`
	Deadline   time.Time           `json:"deadline"`
	Questions  []CandidateQuestion `json:"questions"`
	Answers    map[string]any      `json:"answers"`     // saved so far (resume)
	LeaveLimit int                 `json:"leave_limit"` // leaving the page more often submits the attempt; 0: no limit
	Fullscreen bool                `json:"fullscreen"`  // the page should ask for full screen
}

// ResultResponse answers a submission or a status query.
type ResultResponse struct {
	ID          uint64     `json:"id"`
	ExamID      uint64     `json:"exam_id"`
	Status      string     `json:"status"`
	Score       float64    `json:"score"`
	Passed      *bool      `json:"passed"` // null until graded (short answers pending)
	SubmittedAt *time.Time `json:"submitted_at"`
	Deadline    time.Time  `json:"deadline"`
}

// BankRequest creates a bank.
type BankRequest struct {
	Name     string `json:"name"`
	Practice bool   `json:"practice"` // learners may practise it
}

// BankResponse is a bank with its size.
type BankResponse struct {
	ID        uint64 `json:"id"`
	Name      string `json:"name"`
	Questions int64  `json:"questions"`
}

// QuestionRequest is a question in its API form (API.md: Exams).
type QuestionRequest struct {
	Type       string             `json:"type"`
	Stem       string             `json:"stem"`
	Options    []string           `json:"options"`
	Answer     json.RawMessage    `json:"answer"`
	Partial    map[string]float64 `json:"partial,omitempty"` // single: other options' share of the score in percent, {"B":50}
	Score      float64            `json:"score"`
	Difficulty int                `json:"difficulty"`
	Tags       []string           `json:"tags"`
	Analysis   string             `json:"analysis"`
	FixedOrder bool               `json:"fixed_order,omitempty"` // options keep their order when the exam shuffles (set by itself for 以上都对)
}

// QuestionResponse is a question for bank managers (with its answer).
type QuestionResponse struct {
	ID         uint64             `json:"id"`
	Type       string             `json:"type"`
	Stem       string             `json:"stem"`
	Options    []string           `json:"options"`
	Answer     any                `json:"answer"`
	Partial    map[string]float64 `json:"partial,omitempty"`
	Score      float64            `json:"score"`
	Difficulty int                `json:"difficulty"`
	Tags       []string           `json:"tags"`
	Analysis   string             `json:"analysis,omitempty"`
	FixedOrder bool               `json:"fixed_order,omitempty"`
}

// PaperRequest is the paper of an exam: a fixed list or drawing rules.
type PaperRequest struct {
	Mode        string        `json:"mode"`
	QuestionIDs []uint64      `json:"question_ids"`
	Rules       []RuleRequest `json:"rules"`
}

// RuleRequest draws count questions of a type from a bank.
type RuleRequest struct {
	BankID     uint64   `json:"bank_id"`
	Type       string   `json:"type"`
	Count      int      `json:"count"`
	Score      float64  `json:"score"`
	Tags       []string `json:"tags"`
	Difficulty int      `json:"difficulty"`
}

// ExamRequest creates an exam.
type ExamRequest struct {
	Title           string       `json:"title"`
	DurationMinutes int          `json:"duration_minutes"`
	PassScore       float64      `json:"pass_score"`
	MaxAttempts     int          `json:"max_attempts"`
	OpensAt         time.Time    `json:"opens_at"`
	ClosesAt        time.Time    `json:"closes_at"`
	Shuffle         bool         `json:"shuffle"`
	PartialMultiple bool         `json:"partial_multiple"`
	Release         string       `json:"release"` // immediately (default), after_close, manual
	AudienceLevels  []string     `json:"audience_levels"`
	AudienceOrgIDs  []uint64     `json:"audience_org_ids"`
	LeaveLimit      int          `json:"leave_limit"` // 0: no limit
	CourseID        uint64       `json:"course_id"`   // a course test: passing credits study hours
	Annual          bool         `json:"annual"`      // the yearly theory exam
	Fullscreen      bool         `json:"fullscreen"`  // the exam page asks for full screen
	ClassID         uint64       `json:"class_id"`    // a class exam: only the class's trainees sit it, whatever the audience
	Paper           PaperRequest `json:"paper"`
}

// ExamResponse answers the creation of an exam.
type ExamResponse struct {
	ID         uint64  `json:"id"`
	Title      string  `json:"title"`
	Status     string  `json:"status"`
	TotalScore float64 `json:"total_score"`
	Available  []int   `json:"available,omitempty"` // per rule: how many questions it can draw from
}

// IDResponse answers a creation.
type IDResponse struct {
	ID uint64 `json:"id"`
}

// ImportResponse answers an import.
type ImportResponse struct {
	Imported int                `json:"imported"`
	Skipped  []importer.Skipped `json:"skipped"`
	Warnings []web.RowError     `json:"warnings"` // what the import changed without refusing
}

// MediaResponse is a stored question file: put Token in a question's text.
type MediaResponse struct {
	Name        string `json:"name"`
	Token       string `json:"token"` // [图片:…] as it stands in the text
	URL         string `json:"url"`
	ContentType string `json:"content_type"`
}

// ImportPreview is what an import would do, with nothing saved
// (POST …/import?dry_run=1): the questions as candidates will see them with
// their keys, and every problem with its row or line.
type ImportPreview struct {
	Format    string             `json:"format"`            // excel, csv, word, text, moodle_xml, gift
	Layout    string             `json:"layout,omitempty"`  // a table's columns as read: 题干=第2列，…
	Header    []string           `json:"header,omitempty"`  // a table's header cells
	Columns   map[string]int     `json:"columns,omitempty"` // role → column from 1, as read (send back as ?columns= to change)
	Counts    map[string]int     `json:"counts"`            // questions by type
	Questions []PreviewQuestion  `json:"questions"`
	Problems  []web.RowError     `json:"problems"` // none: the import would succeed
	Warnings  []web.RowError     `json:"warnings"` // what the import would change without refusing
	Skipped   []importer.Skipped `json:"skipped"`
	// Media holds the files the file brings, by name, as data: URIs: the
	// preview shows them before anything is stored.
	Media map[string]string `json:"media,omitempty"`
}

// PreviewQuestion is one question of a preview.
type PreviewQuestion struct {
	Type       string             `json:"type"`
	TypeName   string             `json:"type_name"`
	Stem       string             `json:"stem"`
	Options    []string           `json:"options"`
	Answer     any                `json:"answer"`
	Partial    map[string]float64 `json:"partial,omitempty"`
	KeyText    string             `json:"key_text"` // the key in words
	Score      float64            `json:"score"`
	Difficulty int                `json:"difficulty"`
	Tags       []string           `json:"tags"`
	Analysis   string             `json:"analysis,omitempty"`
}

// AnswersRequest autosaves answers.
type AnswersRequest struct {
	Answers map[string]json.RawMessage `json:"answers"`
}

// MyExam is an exam in the candidate's list.
type MyExam struct {
	ID              uint64          `json:"id"`
	Title           string          `json:"title"`
	DurationMinutes int             `json:"duration_minutes"`
	TotalScore      float64         `json:"total_score"`
	PassScore       float64         `json:"pass_score"`
	OpensAt         time.Time       `json:"opens_at"`
	ClosesAt        time.Time       `json:"closes_at"`
	State           string          `json:"state"` // open, upcoming, done, closed
	AttemptsLeft    int             `json:"attempts_left"`
	LeaveLimit      int             `json:"leave_limit"`
	Exempt          bool            `json:"exempt"` // last year's annual exam score reached the exemption line
	Open            *ResultResponse `json:"open_attempt,omitempty"`
	Last            *ResultResponse `json:"last_attempt,omitempty"`
}

// EventRequest reports what happened in the exam page (切屏).
type EventRequest struct {
	Type string `json:"type"` // "leave"
}

// PracticeAnswer is one practice answer.
type PracticeAnswer struct {
	QuestionID uint64          `json:"question_id"`
	Answer     json.RawMessage `json:"answer"`
}

// PracticeFeedback is the immediate feedback on a practice answer.
type PracticeFeedback struct {
	Correct  bool    `json:"correct"`
	Earned   float64 `json:"earned"`
	Answer   any     `json:"answer"`
	Analysis string  `json:"analysis,omitempty"`
}

// ResultRow is one attempt in an exam's results.
type ResultRow struct {
	AttemptID   uint64     `json:"attempt_id"`
	UserID      uint64     `json:"user_id"`
	Name        string     `json:"name"`
	Username    string     `json:"username"`
	OrgName     string     `json:"org_name"`
	No          int        `json:"no"`
	Status      string     `json:"status"`
	Score       float64    `json:"score"`
	Passed      bool       `json:"passed"`
	TabSwitches int        `json:"tab_switches"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
}

// UnitResult is the pass rate of one unit.
type UnitResult struct {
	OrgID    uint64  `json:"org_id"`
	OrgName  string  `json:"org_name"`
	Graded   int     `json:"graded"`
	Passed   int     `json:"passed"`
	PassRate float64 `json:"pass_rate"`
}

// ReviewItem is a short answer waiting for a grader.
type ReviewItem struct {
	AttemptID   uint64  `json:"attempt_id"`
	QuestionID  uint64  `json:"question_id"`
	Stem        string  `json:"stem"`
	Reference   string  `json:"reference"`
	Answer      string  `json:"answer"`
	MaxScore    float64 `json:"max_score"`
	TabSwitches int     `json:"tab_switches"`
}

// ReviewRequest scores the short answers of one attempt.
type ReviewRequest struct {
	Scores   map[string]float64 `json:"scores"`   // question id → points
	Comments map[string]string  `json:"comments"` // question id → comment (optional)
}

// AssignmentsRequest replaces an exam's grader assignments.
type AssignmentsRequest struct {
	Assignments []Assignment `json:"assignments"`
}

// Assignment gives a grader one question (or one candidate) of an exam.
type Assignment struct {
	GraderID    uint64 `json:"grader_id"`
	QuestionID  uint64 `json:"question_id"`
	CandidateID uint64 `json:"candidate_id"`
}

// Bin is one bar of the score histogram.
type Bin struct {
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Count int     `json:"count"`
}

// ItemStat is the analysis of one question: facility (average share of the
// points earned) and discrimination (upper 27 % minus lower 27 %).
type ItemStat struct {
	QuestionID     uint64  `json:"question_id"`
	Stem           string  `json:"stem"`
	Answered       int     `json:"answered"`
	Facility       float64 `json:"facility"`
	Discrimination float64 `json:"discrimination"`
}

// ExamStats are an exam's results.
type ExamStats struct {
	Attempts  int        `json:"attempts"`
	Graded    int        `json:"graded"`
	Pending   int        `json:"pending_review"`
	Average   float64    `json:"average"`
	PassRate  float64    `json:"pass_rate"`
	Histogram []Bin      `json:"histogram"`
	Items     []ItemStat `json:"items"`
}

// ReviewedQuestion is one question of a candidate's submitted paper, with
// the right answer and the analysis once results are released.
type ReviewedQuestion struct {
	CandidateQuestion
	Given    any     `json:"given"`
	Correct  any     `json:"correct"`
	KeyText  string  `json:"correct_text"` // the right answer in words ("3.14（误差 ±0.01）", "A 或 C")
	Earned   float64 `json:"earned"`
	Right    bool    `json:"right"`   // fully right
	Pending  bool    `json:"pending"` // a short answer not graded yet
	Analysis string  `json:"analysis,omitempty"`
	Comment  string  `json:"comment,omitempty"`
}

// PaperReview is a candidate's own submitted paper.
type PaperReview struct {
	ResultResponse
	Questions []ReviewedQuestion `json:"questions"`
}
