package followup

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"college/modules/web"
)

// PlanResponse is a follow-up plan with its rounds (API.md).
type PlanResponse struct {
	ID          uint64       `json:"id"`
	UserID      uint64       `json:"user_id"`
	Name        string       `json:"name"`
	ClassID     uint64       `json:"class_id"`
	ClassTitle  string       `json:"class_title"`
	ClassKind   string       `json:"class_kind"`
	OrgID       uint64       `json:"org_id"`
	OrgName     string       `json:"org_name"`
	GraduatedOn string       `json:"graduated_on"`
	TermEndsOn  string       `json:"term_ends_on"`
	TermKnown   bool         `json:"term_known"`
	Status      string       `json:"status"`
	StatusName  string       `json:"status_name"`
	EndedReason string       `json:"ended_reason,omitempty"`
	TasksDueOn  string       `json:"tasks_due_on"` // self-study plan and 述学讲学
	Rounds      []RoundBrief `json:"rounds"`
}

// RoundBrief is a round inside a plan.
type RoundBrief struct {
	ID           uint64 `json:"id"`
	Year         int    `json:"year"`
	DueOn        string `json:"due_on"`
	Status       string `json:"status"`
	StatusName   string `json:"status_name"`
	Overdue      bool   `json:"overdue"`
	Conclusion   string `json:"conclusion,omitempty"`
	AssigneeID   uint64 `json:"assignee_id"`
	AssigneeName string `json:"assignee_name,omitempty"`
}

// TermRequest changes the end of a plan's term.
type TermRequest struct {
	TermEndsOn string `json:"term_ends_on"`
}

// DimensionInput is one dimension of a round as sent.
type DimensionInput struct {
	Score      *float64         `json:"score"`
	Notes      string           `json:"notes"`
	Indicators []IndicatorScore `json:"indicators"`
}

// RoundRequest fills in a round. It is complete, and the round done, when
// the four dimensions have a score and the conclusion is given; Draft keeps
// a complete round pending.
type RoundRequest struct {
	Dimensions map[string]DimensionInput `json:"dimensions"`
	Methods    []string                  `json:"methods"`
	Evidence   map[string]string         `json:"evidence"`
	Conclusion string                    `json:"conclusion"`
	Draft      bool                      `json:"draft"`
}

// ReceivedResponse answers a questionnaire submission.
type ReceivedResponse struct {
	Status string `json:"status"`
}

// StatusResponse answers a change of state.
type StatusResponse struct {
	Status string `json:"status"`
}

// Limits of a round's texts.
const (
	maxNotes     = 2000
	maxEvidence  = 5000
	maxIndicator = 20
)

func validScore(v *float64) bool {
	return v == nil || !math.IsNaN(*v) && *v >= 0 && *v <= 100
}

// normalize trims the request and lists its problems by field.
func (in *RoundRequest) normalize() web.Fields {
	f := web.Fields{}
	if in.Dimensions == nil {
		in.Dimensions = map[string]DimensionInput{}
	}
	for name, d := range in.Dimensions {
		if !slices.Contains(Dimensions, name) {
			f.Add("dimensions", "未知的维度："+name+"（应为 "+strings.Join(Dimensions, "、")+"）")
			continue
		}
		key := "dimensions." + name
		f.Check(validScore(d.Score), key+".score", "评分应在 0 到 100 之间")
		d.Notes = strings.TrimSpace(d.Notes)
		f.MaxLen(key+".notes", d.Notes, maxNotes)
		f.Check(len(d.Indicators) <= maxIndicator, key+".indicators", fmt.Sprintf("指标不能超过 %d 项", maxIndicator))
		for i := range d.Indicators {
			x := &d.Indicators[i]
			x.Name = strings.TrimSpace(x.Name)
			f.Check(x.Name != "", key+".indicators", "指标名称不能为空")
			f.MaxLen(key+".indicators", x.Name, 50)
			f.Check(validScore(x.Score), key+".indicators", "指标评分应在 0 到 100 之间")
		}
		in.Dimensions[name] = d
	}
	var methods []string
	for _, m := range in.Methods {
		m = strings.TrimSpace(m)
		if !slices.Contains(Methods, m) {
			f.Add("methods", "未知的问效方式："+m+"（应为 "+strings.Join(Methods, "、")+"）")
			continue
		}
		if !slices.Contains(methods, m) {
			methods = append(methods, m)
		}
	}
	in.Methods = methods
	evidence := map[string]string{}
	for m, text := range in.Evidence {
		if !slices.Contains(Methods, m) {
			f.Add("evidence", "未知的问效方式："+m)
			continue
		}
		text = strings.TrimSpace(text)
		f.MaxLen("evidence."+m, text, maxEvidence)
		if text != "" {
			evidence[m] = text
		}
	}
	in.Evidence = evidence
	in.Conclusion = strings.TrimSpace(in.Conclusion)
	f.Check(in.Conclusion == "" || slices.Contains(Conclusions, in.Conclusion), "conclusion", "结论应为 "+strings.Join(Conclusions, "、")+" 之一")
	return f
}

// missing names what a complete round still lacks.
func (in *RoundRequest) missing() web.Fields {
	f := web.Fields{}
	for _, d := range Dimensions {
		if in.Dimensions[d].Score == nil {
			f.Add("dimensions."+d+".score", "请为“"+d+"”评分")
		}
	}
	f.Check(in.Conclusion != "", "conclusion", "请选择问效结论")
	return f
}

// RoundResponse is a round with everything filled in so far.
type RoundResponse struct {
	ID             uint64                    `json:"id"`
	PlanID         uint64                    `json:"plan_id"`
	UserID         uint64                    `json:"user_id"`
	Name           string                    `json:"name"`
	OrgName        string                    `json:"org_name"`
	Post           string                    `json:"post"`
	ClassID        uint64                    `json:"class_id"`
	ClassTitle     string                    `json:"class_title"`
	Year           int                       `json:"year"`
	DueOn          string                    `json:"due_on"`
	Status         string                    `json:"status"`
	StatusName     string                    `json:"status_name"`
	Overdue        bool                      `json:"overdue"`
	AssigneeID     uint64                    `json:"assignee_id"`
	AssigneeName   string                    `json:"assignee_name"`
	Dimensions     map[string]DimensionScore `json:"dimensions"`
	Methods        []string                  `json:"methods"`
	Evidence       map[string]string         `json:"evidence"`
	Conclusion     string                    `json:"conclusion"`
	SelfReport     string                    `json:"self_report"`
	SelfReportAt   *time.Time                `json:"self_report_at,omitempty"`
	Excellent      bool                      `json:"excellent"`
	CaseNote       string                    `json:"case_note,omitempty"`
	CaseCourseID   uint64                    `json:"case_course_id,omitempty"`
	CompletedAt    *time.Time                `json:"completed_at,omitempty"`
	Templates      map[string][]string       `json:"templates"`
	Questionnaires []QuestionnaireResults    `json:"questionnaires"`
}

// RoundSummary is a round in a list.
type RoundSummary struct {
	ID           uint64     `json:"id"`
	PlanID       uint64     `json:"plan_id"`
	UserID       uint64     `json:"user_id"`
	Name         string     `json:"name"`
	OrgID        uint64     `json:"org_id"`
	OrgName      string     `json:"org_name"`
	ClassID      uint64     `json:"class_id"`
	ClassTitle   string     `json:"class_title"`
	Year         int        `json:"year"`
	DueOn        string     `json:"due_on"`
	Status       string     `json:"status"`
	StatusName   string     `json:"status_name"`
	Overdue      bool       `json:"overdue"`
	Conclusion   string     `json:"conclusion,omitempty"`
	AssigneeID   uint64     `json:"assignee_id"`
	AssigneeName string     `json:"assignee_name,omitempty"`
	Excellent    bool       `json:"excellent"`
	CaseNote     string     `json:"case_note,omitempty"`
	CaseCourseID uint64     `json:"case_course_id,omitempty"`
	CompletedAt  *time.Time `json:"completed_at,omitempty"`
	CompletedOn  string     `json:"completed_on,omitempty"` // in Beijing
	Reads        int        `json:"reads"`
}

// AssignRequest gives a round to a member of the follow-up team (0: nobody).
type AssignRequest struct {
	UserID uint64 `json:"user_id"`
}

// ExcellentRequest marks a round as an excellent case.
type ExcellentRequest struct {
	CaseNote string `json:"case_note"`
}

// ExcellentResponse answers the marking.
type ExcellentResponse struct {
	ID        uint64 `json:"id"`
	Excellent bool   `json:"excellent"`
	CaseNote  string `json:"case_note"`
}

// CaseCourseResponse names the draft course made of a case.
type CaseCourseResponse struct {
	CourseID uint64 `json:"course_id"`
}

// TeamRequest replaces the follow-up team.
type TeamRequest struct {
	UserIDs []uint64 `json:"user_ids"`
}

// TeamMemberRequest adds one member.
type TeamMemberRequest struct {
	UserID uint64 `json:"user_id"`
}

// TeamMemberResponse is a member of the follow-up team.
type TeamMemberResponse struct {
	UserID   uint64    `json:"user_id"`
	Username string    `json:"username"`
	Name     string    `json:"name"`
	OrgName  string    `json:"org_name"`
	AddedAt  time.Time `json:"added_at"`
	Pending  int       `json:"pending_rounds"`
	Overdue  int       `json:"overdue_rounds"`
}

// TemplateItem is the indicators of one dimension.
type TemplateItem struct {
	Dimension  string   `json:"dimension"`
	Indicators []string `json:"indicators"`
}

// TemplatesRequest changes the indicators of some dimensions.
type TemplatesRequest struct {
	Templates []TemplateItem `json:"templates"`
}

// StudyPlanRequest files the self-study plan of a class.
type StudyPlanRequest struct {
	ClassID uint64 `json:"class_id"`
	Content string `json:"content"`
}

// StudyPlanResponse answers a filing.
type StudyPlanResponse struct {
	ClassID   uint64    `json:"class_id"`
	Content   string    `json:"content"`
	FiledAt   time.Time `json:"filed_at"`
	UpdatedAt time.Time `json:"updated_at"`
	DueOn     string    `json:"due_on"`
	OnTime    bool      `json:"on_time"`
}

// ReportBackRequest records a 述学讲学.
type ReportBackRequest struct {
	ClassID  uint64 `json:"class_id"`
	HeldOn   string `json:"held_on"`
	Audience string `json:"audience"`
	Summary  string `json:"summary"`
}

// ReportBackResponse is a recorded 述学讲学.
type ReportBackResponse struct {
	ID             uint64    `json:"id"`
	ClassID        uint64    `json:"class_id"`
	HeldOn         string    `json:"held_on"`
	Audience       string    `json:"audience"`
	Summary        string    `json:"summary"`
	DueOn          string    `json:"due_on"`
	OnTime         bool      `json:"on_time"`
	AttachmentName string    `json:"attachment_name,omitempty"`
	AttachmentSize int64     `json:"attachment_size,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// SelfReportRequest is the cadre's yearly self-report in a round.
type SelfReportRequest struct {
	Content string `json:"content"`
}

// Task kinds of a graduate.
const (
	TaskStudyPlan  = "study_plan"
	TaskReportBack = "report_back"
	TaskSelfReport = "self_report"
)

// TaskNames are the Chinese names of the graduate's tasks.
var TaskNames = map[string]string{TaskStudyPlan: "提交自学计划", TaskReportBack: "述学讲学", TaskSelfReport: "年度自述"}

// Task is something the graduate has to do, with its due date.
type Task struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	PlanID     uint64 `json:"plan_id"`
	ClassID    uint64 `json:"class_id"`
	ClassTitle string `json:"class_title"`
	RoundID    uint64 `json:"round_id,omitempty"`
	Year       int    `json:"year,omitempty"`
	DueOn      string `json:"due_on"`
	Done       bool   `json:"done"`
	DoneOn     string `json:"done_on,omitempty"`
	Late       bool   `json:"late"`              // done after the due date
	Overdue    bool   `json:"overdue"`           // not done and past the due date
	Content    string `json:"content,omitempty"` // the self-report written so far
	Closed     bool   `json:"closed,omitempty"`  // the round is over: the self-report can no longer change
	UserID     uint64 `json:"user_id"`
	Cadre      string `json:"cadre,omitempty"` // the cadre's name, in a unit's list
}

// MyFollowUpResponse is the graduate's follow-up: plans, tasks, filings.
type MyFollowUpResponse struct {
	Plans       []PlanResponse               `json:"plans"`
	Tasks       []Task                       `json:"tasks"`
	StudyPlans  map[uint64]StudyPlanResponse `json:"study_plans"`
	ReportBacks []ReportBackResponse         `json:"report_backs"`
	TeamMember  bool                         `json:"team_member"`
}

// SummaryRow counts rounds of one class or one unit.
type SummaryRow struct {
	ID          uint64         `json:"id"`
	Name        string         `json:"name"`
	Rounds      int            `json:"rounds"`
	Pending     int            `json:"pending"`
	Done        int            `json:"done"`
	Cancelled   int            `json:"cancelled"`
	Overdue     int            `json:"overdue"`
	Conclusions map[string]int `json:"conclusions"`
}

// SummaryResponse is the annual summary by class and by unit.
type SummaryResponse struct {
	Year    int          `json:"year"`
	Total   SummaryRow   `json:"total"`
	ByClass []SummaryRow `json:"by_class"`
	ByUnit  []SummaryRow `json:"by_unit"`
}

// Question is one item of a questionnaire.
type Question struct {
	Text string `json:"text"`
	Kind string `json:"kind"`
}

// RespondentRequest names one invited respondent by relation, never by
// identity: 同事, 上级, 下属...
type RespondentRequest struct {
	Label string `json:"label"`
}

// QuestionnaireRequest creates a questionnaire with its invitations.
type QuestionnaireRequest struct {
	Kind        string              `json:"kind"`
	Title       string              `json:"title"`
	Questions   []Question          `json:"questions"`
	Respondents []RespondentRequest `json:"respondents"`
}

// InviteLink is a respondent's single-use link, shown once.
type InviteLink struct {
	InviteID uint64 `json:"invite_id"`
	Label    string `json:"label"`
	Path     string `json:"path"` // /q/<token>
	URL      string `json:"url"`  // the same with the site's address
}

// QuestionnaireCreated answers the creation: the links are not kept.
type QuestionnaireCreated struct {
	ID        uint64       `json:"id"`
	RoundID   uint64       `json:"round_id"`
	Kind      string       `json:"kind"`
	Title     string       `json:"title"`
	Questions []Question   `json:"questions"`
	Links     []InviteLink `json:"links"`
}

// QuestionResult aggregates the answers to one question.
type QuestionResult struct {
	Index    int            `json:"index"`
	Text     string         `json:"text"`
	Kind     string         `json:"kind"`
	Grades   map[string]int `json:"grades,omitempty"`
	Rated    int            `json:"rated,omitempty"`
	Average  *float64       `json:"average,omitempty"`   // on a 100-point scale: 优秀 100, 良好 80, 一般 60, 较差 40
	GoodRate *float64       `json:"good_rate,omitempty"` // share of 优秀 and 良好, 0–1
	Answers  []string       `json:"answers,omitempty"`   // text answers, sorted, without who wrote them
}

// RespondentStatus tells whether an invited respondent answered.
type RespondentStatus struct {
	Label     string `json:"label"`
	Responded bool   `json:"responded"`
}

// QuestionnaireResults is a questionnaire with its aggregated answers; no
// respondent is named beyond the label given at invitation.
type QuestionnaireResults struct {
	ID          uint64             `json:"id"`
	RoundID     uint64             `json:"round_id"`
	Kind        string             `json:"kind"`
	Title       string             `json:"title"`
	CreatedAt   time.Time          `json:"created_at"`
	Invited     int                `json:"invited"`
	Responses   int                `json:"responses"`
	Questions   []QuestionResult   `json:"questions"`
	Respondents []RespondentStatus `json:"respondents,omitempty"` // left out for the cadre being assessed
}

// Invitation is what a respondent sees behind a link.
type Invitation struct {
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Label     string     `json:"label"`
	Name      string     `json:"name"` // the cadre being evaluated
	OrgName   string     `json:"org_name"`
	Post      string     `json:"post"`
	Year      int        `json:"year"`
	Questions []Question `json:"questions"`
	Grades    []string   `json:"grades"`
}

// AnswerRequest answers a questionnaire: one answer per question, a grade
// word for a rating question, text (optional) for a text question.
type AnswerRequest struct {
	Answers []string `json:"answers"`
}

// ReportCadre is the cadre a report is about; the ID number is masked.
type ReportCadre struct {
	UserID   uint64 `json:"user_id"`
	Name     string `json:"name"`
	OrgName  string `json:"org_name"`
	Post     string `json:"post"`
	IDNumber string `json:"id_number"`
}

// ReportClass is the class the follow-up belongs to.
type ReportClass struct {
	ID          uint64 `json:"id"`
	Title       string `json:"title"`
	Kind        string `json:"kind"`
	HostName    string `json:"host_name"`
	GraduatedOn string `json:"graduated_on"`
}

// ReportDimension is one of the four dimensions with its indicators.
type ReportDimension struct {
	Name       string           `json:"name"`
	Score      *float64         `json:"score"`
	Notes      string           `json:"notes"`
	Indicators []IndicatorScore `json:"indicators"`
}

// ReportMethod is a method used in the round with its evidence.
type ReportMethod struct {
	Name     string `json:"name"`
	Evidence string `json:"evidence"`
}

// ReportReader is a read receipt as the report shows it.
type ReportReader struct {
	UserID  uint64    `json:"user_id"`
	Name    string    `json:"name"`
	OrgName string    `json:"org_name"`
	ReadAt  time.Time `json:"read_at"`
}

// Report is the written report of a round (seed 五.三), as JSON and as the
// data of its printable page.
type Report struct {
	RoundID        uint64                 `json:"round_id"`
	Year           int                    `json:"year"`
	Status         string                 `json:"status"`
	StatusName     string                 `json:"status_name"`
	DueOn          string                 `json:"due_on"`
	Cadre          ReportCadre            `json:"cadre"`
	Class          ReportClass            `json:"class"`
	Dimensions     []ReportDimension      `json:"dimensions"`
	Average        *float64               `json:"average"` // of the four dimension scores
	Methods        []ReportMethod         `json:"methods"`
	Questionnaires []QuestionnaireResults `json:"questionnaires"`
	SelfReport     string                 `json:"self_report"`
	Conclusion     string                 `json:"conclusion"`
	TeamMember     string                 `json:"team_member"`
	CompletedOn    string                 `json:"completed_on"`
	Excellent      bool                   `json:"excellent"`
	CaseNote       string                 `json:"case_note,omitempty"`
	GeneratedAt    time.Time              `json:"generated_at"`
	Reads          []ReportReader         `json:"reads"`
	College        string                 `json:"-"`
}
