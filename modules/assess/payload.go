package assess

import (
	"encoding/json"
	"time"
)

// StatusResponse answers an action.
type StatusResponse struct {
	Status string `json:"status"`
}

// RemindResponse tells how many trainees were reminded.
type RemindResponse struct {
	Reminded int `json:"reminded"`
}

// IDResponse answers a creation.
type IDResponse struct {
	ID uint64 `json:"id"`
}

// FormSummary is a form in a list.
type FormSummary struct {
	ID         uint64    `json:"id"`
	Title      string    `json:"title"`
	Builtin    bool      `json:"builtin"`
	OwnerOrgID uint64    `json:"owner_org_id"`
	Items      int       `json:"items"`
	Ratings    int       `json:"ratings"`
	InUse      int64     `json:"in_use"` // evaluations using it
	CreatedAt  time.Time `json:"created_at"`
}

// FormResponse is a form with its items.
type FormResponse struct {
	FormSummary
	Questions []Item `json:"questions"`
}

// FormRequest is a new form.
type FormRequest struct {
	Title string `json:"title"`
	Items []Item `json:"items"`
}

// ResponseRequest is a trainee's answers, one per item in order: a grade
// word for a rating item, the chosen option indexes for a choice, text for
// a text item; null (or an empty value) leaves an optional item unanswered.
type ResponseRequest struct {
	Answers []json.RawMessage `json:"answers"`
}

// Target is what an evaluation is about. For a teacher the id is the
// session they taught and the label their name.
type Target struct {
	Type  string `json:"type"`
	ID    uint64 `json:"id"`
	Label string `json:"label,omitempty"`
}

// EvaluationRequest attaches a form to a target of a class. Required
// (default true) makes it a graduation requirement when the class asks
// for its evaluations; teacher_user_id links a teacher or session
// evaluation to the teacher's account, who may then read its results.
type EvaluationRequest struct {
	FormID        uint64     `json:"form_id"`
	Target        Target     `json:"target"`
	Required      *bool      `json:"required"`
	TeacherUserID uint64     `json:"teacher_user_id"`
	OpensAt       *time.Time `json:"opens_at"`
	ClosesAt      *time.Time `json:"closes_at"`
}

// EvaluationRow is an evaluation of a class with its completion.
type EvaluationRow struct {
	ID            uint64     `json:"id"`
	ClassID       uint64     `json:"class_id"`
	FormID        uint64     `json:"form_id"`
	Title         string     `json:"title"`
	Target        Target     `json:"target"`
	TeacherUserID uint64     `json:"teacher_user_id,omitempty"`
	Required      bool       `json:"required"`
	OpensAt       *time.Time `json:"opens_at,omitempty"`
	ClosesAt      *time.Time `json:"closes_at,omitempty"`
	Submitted     int64      `json:"submitted"`
	Trainees      int        `json:"trainees"`
	// The results so far: the mean total out of 100 and the satisfaction rate.
	Score            float64   `json:"score"`
	SatisfactionRate float64   `json:"satisfaction_rate"`
	MeetsBar         bool      `json:"meets_bar"`
	CreatedAt        time.Time `json:"created_at"`
}

// MyEvaluation is an evaluation a trainee has to fill.
type MyEvaluation struct {
	ID         uint64     `json:"id"`
	Title      string     `json:"title"`
	Target     Target     `json:"target"`
	ClassID    uint64     `json:"class_id"`
	ClassTitle string     `json:"class_title"`
	Done       bool       `json:"done"`
	Required   bool       `json:"required"`
	Open       bool       `json:"open"`             // may be answered now
	Reason     string     `json:"reason,omitempty"` // why not, when not open and not done
	ClosesAt   *time.Time `json:"closes_at,omitempty"`
}

// EvaluationDetail is an evaluation with its questions, for filling in.
type EvaluationDetail struct {
	MyEvaluation
	Trainee   bool   `json:"trainee"` // the caller is a trainee of the class
	Questions []Item `json:"questions"`
}

// IndicatorRequest is a node of an indicator tree: a parent with children
// or a leaf with a source. Siblings' weights sum to 100.
type IndicatorRequest struct {
	Name         string             `json:"name"`
	Weight       float64            `json:"weight"`
	Source       string             `json:"source,omitempty"`
	EvaluationID uint64             `json:"evaluation_id,omitempty"` // trainee source: one evaluation; 0: all of the class's
	Children     []IndicatorRequest `json:"children,omitempty"`
}

// IndicatorsRequest replaces a class's indicator tree.
type IndicatorsRequest struct {
	Indicators []IndicatorRequest `json:"indicators"`
}

// ScoreItem scores one leaf indicator.
type ScoreItem struct {
	IndicatorID uint64  `json:"indicator_id"`
	Score       float64 `json:"score"`
	Note        string  `json:"note"`
}

// ScoresRequest is the host's self-assessment (scorer self) or the org
// department's review (scorer org) of some leaves.
type ScoresRequest struct {
	Scorer string      `json:"scorer"`
	Scores []ScoreItem `json:"scores"`
}

// ScoreView is a score given by a person.
type ScoreView struct {
	Score    float64   `json:"score"`
	Note     string    `json:"note,omitempty"`
	ScoredAt time.Time `json:"scored_at"`
}

// TraineeScore is the trainees' evaluation score behind a leaf.
type TraineeScore struct {
	Score     float64 `json:"score"`
	Responses int     `json:"responses"`
}

// IndicatorView is a node of the tree with its scores. A leaf's score comes
// from its source (null while missing); a parent's is the weighted sum of
// its children's, a missing one counting as 0.
type IndicatorView struct {
	ID           uint64          `json:"id"`
	Name         string          `json:"name"`
	Weight       int             `json:"weight"`
	Share        float64         `json:"share"` // percent of the total this node carries
	Source       string          `json:"source,omitempty"`
	SourceName   string          `json:"source_name,omitempty"`
	EvaluationID uint64          `json:"evaluation_id,omitempty"`
	Score        *float64        `json:"score"`
	Self         *ScoreView      `json:"self,omitempty"`
	Org          *ScoreView      `json:"org,omitempty"`
	Trainee      *TraineeScore   `json:"trainee,omitempty"`
	Children     []IndicatorView `json:"children,omitempty"`
}

// Quality is a class's quality assessment: the tree, the total and grade.
type Quality struct {
	ClassID    uint64          `json:"class_id"`
	ClassTitle string          `json:"class_title"`
	Indicators []IndicatorView `json:"indicators"`
	Total      float64         `json:"total"`
	Grade      string          `json:"grade"`
	Complete   bool            `json:"complete"` // every leaf has its score
	Leaves     int             `json:"leaves"`
	Scored     int             `json:"scored"`
}

// RankingRow is one project in the year's ranking.
type RankingRow struct {
	Rank       int     `json:"rank"`
	ClassID    uint64  `json:"class_id"`
	ClassTitle string  `json:"class_title"`
	Kind       string  `json:"kind"`
	HostName   string  `json:"host_name"`
	StartsOn   string  `json:"starts_on"`
	EndsOn     string  `json:"ends_on"`
	Total      float64 `json:"total"`
	Grade      string  `json:"grade"`
	Complete   bool    `json:"complete"`
}

// Ranking is the year's assessed projects, best first.
type Ranking struct {
	Year  int          `json:"year"`
	Items []RankingRow `json:"items"`
}

// ItemResult is how one item was answered. For a rating item the average
// is the mean points scored out of its weight and the satisfaction rate the
// share of 非常满意 and 满意; a choice item counts each option.
type ItemResult struct {
	Text             string         `json:"text"`
	Kind             string         `json:"kind"`
	Weight           float64        `json:"weight,omitempty"`
	Answers          int            `json:"answers"`
	Average          float64        `json:"average"`
	SatisfactionRate float64        `json:"satisfaction_rate"`
	MeetsBar         bool           `json:"meets_bar"`
	Grades           map[string]int `json:"grades,omitempty"`
	Options          []int          `json:"options,omitempty"`
	OptionLabels     []string       `json:"option_labels,omitempty"`
}

// Comment is one text answer, without its author.
type Comment struct {
	Item string `json:"item"`
	Text string `json:"text"`
}

// Results are an evaluation's results: never who answered what.
type Results struct {
	EvaluationID     uint64       `json:"evaluation_id"`
	Title            string       `json:"title"`
	Target           Target       `json:"target"`
	ClassID          uint64       `json:"class_id"`
	ClassTitle       string       `json:"class_title"`
	Responses        int          `json:"responses"`
	Score            float64      `json:"score"` // out of 100: the sum of the rating items' averages
	SatisfactionRate float64      `json:"satisfaction_rate"`
	Bar              float64      `json:"bar"`
	MeetsBar         bool         `json:"meets_bar"`
	Items            []ItemResult `json:"items"`
	Comments         []Comment    `json:"comments"`
	// Withheld: the caller is the teacher and too few trainees answered
	// for the results to stay anonymous (setting assess.teacher_min_responses).
	Withheld     bool `json:"withheld,omitempty"`
	MinResponses int  `json:"min_responses,omitempty"`
}

// TrendPoint is one month of responses.
type TrendPoint struct {
	Period           string  `json:"period"` // YYYY-MM
	Responses        int     `json:"responses"`
	Score            float64 `json:"score"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
}

// EvaluationScore is one evaluation within an aggregate.
type EvaluationScore struct {
	ID               uint64    `json:"id"`
	ClassID          uint64    `json:"class_id"`
	ClassTitle       string    `json:"class_title"`
	Title            string    `json:"title"`
	Target           Target    `json:"target"`
	Responses        int       `json:"responses"`
	Score            float64   `json:"score"`
	SatisfactionRate float64   `json:"satisfaction_rate"`
	MeetsBar         bool      `json:"meets_bar"`
	CreatedAt        time.Time `json:"created_at"`
}

// Aggregate joins the evaluations of one course or one teacher across
// classes: rating items of the same text and weight are merged, the score
// is the mean of the responses' totals, and the trend runs by month.
type Aggregate struct {
	Subject          string            `json:"subject"`
	Responses        int               `json:"responses"`
	Score            float64           `json:"score"`
	SatisfactionRate float64           `json:"satisfaction_rate"`
	Bar              float64           `json:"bar"`
	MeetsBar         bool              `json:"meets_bar"`
	Items            []ItemResult      `json:"items"`
	Trend            []TrendPoint      `json:"trend"`
	Evaluations      []EvaluationScore `json:"evaluations"`
	Comments         []Comment         `json:"comments"`
}
