package faculty

import (
	"strings"
	"time"
	"unicode/utf8"

	"college/modules/web"
)

// TeacherRequest adds or edits a teacher.
type TeacherRequest struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"` // internal, expert, leader
	UserID uint64 `json:"user_id"`
	Post   string `json:"post"`
	OrgID  uint64 `json:"org_id"`
	Unit   string `json:"unit"`
	Title  string `json:"title"`
	Fields string `json:"fields"`
	Intro  string `json:"intro"`
	Status string `json:"status"` // active (default) or inactive
}

// validate trims the request and checks it field by field.
func (in *TeacherRequest) validate() error {
	for _, s := range []*string{&in.Name, &in.Kind, &in.Post, &in.Unit, &in.Title, &in.Fields, &in.Intro, &in.Status} {
		*s = strings.TrimSpace(*s)
	}
	if in.Status == "" {
		in.Status = StatusActive
	}
	f := web.Fields{}
	f.Required("name", in.Name)
	f.MaxLen("name", in.Name, 100)
	f.Check(KindNames[in.Kind] != "", "kind", "类型只能是校内教师（internal）、外聘专家（expert）或领导干部（leader）")
	f.Check(StatusNames[in.Status] != "", "status", "状态只能是在库（active）或停用（inactive）")
	f.Check(in.UserID == 0 || in.Kind == KindInternal, "user_id", "只有校内教师可以关联账号")
	f.Check(in.Kind != KindLeader || in.Post != "", "post", "请填写领导干部的职务")
	f.MaxLen("post", in.Post, 100)
	f.MaxLen("unit", in.Unit, 200)
	f.MaxLen("title", in.Title, 100)
	f.MaxLen("fields", in.Fields, 500)
	f.Check(utf8.RuneCountInString(in.Intro) <= 5000, "intro", "简介不能超过 5000 个字")
	return f.Err()
}

// TeacherItem is a teacher in a list.
type TeacherItem struct {
	ID         uint64      `json:"id"`
	Name       string      `json:"name"`
	Kind       string      `json:"kind"`
	KindName   string      `json:"kind_name"`
	OwnerOrgID uint64      `json:"owner_org_id"`
	UserID     uint64      `json:"user_id"`
	Post       string      `json:"post"`
	OrgID      uint64      `json:"org_id"`
	Unit       string      `json:"unit"`
	Title      string      `json:"title"`
	Fields     string      `json:"fields"`
	Status     string      `json:"status"`
	StatusName string      `json:"status_name"`
	Master     *MasterInfo `json:"master"` // the standing 名师 title; null: none
	PhotoURL   string      `json:"photo_url,omitempty"`
}

func teacherItem(t *Teacher) TeacherItem {
	return TeacherItem{ID: t.ID, Name: t.Name, Kind: t.Kind, KindName: KindNames[t.Kind], OwnerOrgID: t.OwnerOrgID, UserID: t.UserID,
		Post: t.Post, OrgID: t.OrgID, Unit: t.Unit, Title: t.Title, Fields: t.Fields, Status: t.Status, StatusName: StatusNames[t.Status], PhotoURL: photoURL(t)}
}

// TaughtSession is one session of the teaching record.
type TaughtSession struct {
	ID         uint64    `json:"id"`
	ClassID    uint64    `json:"class_id"`
	ClassTitle string    `json:"class_title"`
	Topic      string    `json:"topic"`
	StartsAt   time.Time `json:"starts_at"`
	Hours      web.Hours `json:"hours"`
}

// ScheduledSession is a coming session of the teacher's timetable.
type ScheduledSession struct {
	ID         uint64    `json:"id"`
	ClassID    uint64    `json:"class_id"`
	ClassTitle string    `json:"class_title"`
	Topic      string    `json:"topic"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
	Place      string    `json:"place"`
	Site       string    `json:"site"` // 现场教学点
	Hours      web.Hours `json:"hours"`
}

// Span is the session's time of day, Beijing time, as the timetable shows it.
func (s ScheduledSession) Span() string {
	return s.StartsAt.In(web.Shanghai).Format("15:04") + "–" + s.EndsAt.In(web.Shanghai).Format("15:04")
}

// YearHours are the sessions and hours taught in one year (Beijing time).
type YearHours struct {
	Year     int       `json:"year"`
	Sessions int       `json:"sessions"`
	Hours    web.Hours `json:"hours"`
}

// EvaluationScore is one evaluation of the teacher.
type EvaluationScore struct {
	ID               uint64  `json:"id"`
	ClassTitle       string  `json:"class_title"`
	Label            string  `json:"label"`
	Responses        int     `json:"responses"`
	Score            float64 `json:"score"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
	MeetsBar         bool    `json:"meets_bar"`
}

// Evaluation sums up how trainees rated the teacher.
type Evaluation struct {
	Responses        int               `json:"responses"`
	Average          float64           `json:"average"`
	SatisfactionRate float64           `json:"satisfaction_rate"`
	Bar              float64           `json:"bar"`
	Evaluations      []EvaluationScore `json:"evaluations"`
	Trend            []TrendPoint      `json:"trend"` // by month, oldest first
}

// TrendPoint is a month of a teacher's evaluations.
type TrendPoint struct {
	Period           string  `json:"period"` // YYYY-MM
	Responses        int     `json:"responses"`
	Score            float64 `json:"score"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
}

// CorrectionItem is a correction task.
type CorrectionItem struct {
	ID           uint64     `json:"id"`
	TeacherID    uint64     `json:"teacher_id"`
	TeacherName  string     `json:"teacher_name,omitempty"`
	EvaluationID uint64     `json:"evaluation_id"`
	Label        string     `json:"label"`
	Rate         float64    `json:"satisfaction_rate"`
	Bar          float64    `json:"bar"`
	Status       string     `json:"status"`
	StatusName   string     `json:"status_name"`
	DueOn        string     `json:"due_on"`
	Note         string     `json:"note"`
	ClosedAt     *time.Time `json:"closed_at"`
	CreatedAt    time.Time  `json:"created_at"`
}

func correctionItem(c *Correction, teacher string) CorrectionItem {
	return CorrectionItem{ID: c.ID, TeacherID: c.TeacherID, TeacherName: teacher, EvaluationID: c.EvaluationID, Label: c.Label, Rate: c.Rate, Bar: c.Bar,
		Status: c.Status, StatusName: CorrectionNames[c.Status], DueOn: c.DueOn, Note: c.Note, ClosedAt: c.ClosedAt, CreatedAt: c.CreatedAt}
}

// TeacherResponse is a teacher with the teaching record.
type TeacherResponse struct {
	TeacherItem
	Intro          string             `json:"intro"`
	SessionsTaught int                `json:"sessions_taught"`
	HoursTaught    web.Hours          `json:"hours_taught"`
	Years          []YearHours        `json:"years"`
	Sessions       []TaughtSession    `json:"sessions"`
	Upcoming       []ScheduledSession `json:"upcoming"` // sessions from now on, soonest first
	Courses        []AuthoredCourse   `json:"courses"`  // published online courses naming the teacher
	Lectures       []GivenLecture     `json:"lectures"` // held lectures of the 讲坛 series
	Evaluation     Evaluation         `json:"evaluation"`
	Corrections    []CorrectionItem   `json:"corrections"`
	MasterHistory  []MasterDecision   `json:"master_history"`
}

// CloseRequest closes a correction with what was done.
type CloseRequest struct {
	Note string `json:"note"`
}

// MasterInfo is a standing 名师 title.
type MasterInfo struct {
	Year      int       `json:"year"`
	GrantedAt time.Time `json:"granted_at"`
}

// MasterFigures are a teacher's figures of a year against the 名师 criteria.
type MasterFigures struct {
	Sessions         int       `json:"sessions"`
	Hours            web.Hours `json:"hours"`
	Responses        int       `json:"responses"`
	SatisfactionRate float64   `json:"satisfaction_rate"`
}

// MasterCandidate is a teacher whose figures meet the criteria.
type MasterCandidate struct {
	TeacherItem
	MasterFigures
}

// MasterCandidates are the year's candidates and the criteria in force.
type MasterCandidates struct {
	Year            int               `json:"year"`
	MinHours        int               `json:"min_hours"`
	MinSatisfaction float64           `json:"min_satisfaction"`
	Items           []MasterCandidate `json:"items"`
}

// MasterRequest is the reviewer's decision on a teacher.
type MasterRequest struct {
	Year     int    `json:"year"`
	Decision string `json:"decision"` // grant or refuse
	Reason   string `json:"reason"`   // required to refuse
}

// MasterDecision is one decision of a teacher's 名师 history.
type MasterDecision struct {
	ID               uint64    `json:"id"`
	TeacherID        uint64    `json:"teacher_id"`
	TeacherName      string    `json:"teacher_name,omitempty"`
	Year             int       `json:"year"`
	Decision         string    `json:"decision"`
	DecisionName     string    `json:"decision_name"`
	Active           bool      `json:"active"`
	Hours            web.Hours `json:"hours"`
	Responses        int       `json:"responses"`
	SatisfactionRate float64   `json:"satisfaction_rate"`
	Reason           string    `json:"reason"`
	DecidedAt        time.Time `json:"decided_at"`
}

func masterDecision(m *MasterTitle, teacher string) MasterDecision {
	return MasterDecision{ID: m.ID, TeacherID: m.TeacherID, TeacherName: teacher, Year: m.Year, Decision: m.Decision, DecisionName: MasterDecisionNames[m.Decision],
		Active: m.Active, Hours: m.Hours, Responses: m.Responses, SatisfactionRate: m.Rate, Reason: m.Reason, DecidedAt: m.DecidedAt}
}

// ReviewRequest asks for the yearly review of the standing 名师.
type ReviewRequest struct {
	Year int `json:"year"`
}

// MasterReview is what a yearly review checked and revoked.
type MasterReview struct {
	Year    int              `json:"year"`
	Checked int              `json:"checked"`
	Revoked []MasterDecision `json:"revoked"`
}

// TrainingPlan is the 师资提能计划 over a span of years.
type TrainingPlan struct {
	FromYear int           `json:"from_year"`
	ToYear   int           `json:"to_year"`
	Teachers int           `json:"teachers"` // active internal teachers
	Covered  int           `json:"covered"`  // of them, trained at least once
	Rate     float64       `json:"rate"`
	Items    []PlanTeacher `json:"items"`
}

// PlanTeacher is an internal teacher with the teacher-training classes they
// graduated from.
type PlanTeacher struct {
	TeacherID uint64      `json:"teacher_id"`
	Name      string      `json:"name"`
	Linked    bool        `json:"linked"` // has an account the graduations are read through
	Classes   []PlanClass `json:"classes"`
}

// PlanClass is one teacher-training class graduated from.
type PlanClass struct {
	ClassID uint64 `json:"class_id"`
	Title   string `json:"title"`
	Year    int    `json:"year"`
}
