// Package followup runs the follow-up of graduates (跟踪问效): a plan per
// graduate of a long or designated class, one round a year until the term
// in the current post ends or the next class of the same kind, each round
// scored in four dimensions by a member of the follow-up team (工作专班)
// with its methods, evidence and questionnaires, ending in a written report
// to the org department and the dispatching unit and a line in the cadre's
// archive. The graduate files a self-study plan, reports back to the unit
// (述学讲学) and writes a yearly self-report.
package followup

import (
	"encoding/json"
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// Plan statuses.
const (
	PlanActive    = "active"
	PlanEnded     = "ended"     // stopped early: a new class of the same kind, or no term left
	PlanCompleted = "completed" // every round done
)

// PlanStatusNames are the Chinese names of plan statuses.
var PlanStatusNames = map[string]string{PlanActive: "进行中", PlanEnded: "已终止", PlanCompleted: "已完成"}

// Reasons a plan ends early.
const (
	EndedNewClass = "参加新的同类班次"
	EndedTerm     = "任现职期满"
)

// Round statuses.
const (
	RoundPending   = "pending"
	RoundDone      = "done"
	RoundCancelled = "cancelled"
)

// RoundStatusNames are the Chinese names of round statuses.
var RoundStatusNames = map[string]string{RoundPending: "待问效", RoundDone: "已完成", RoundCancelled: "已取消"}

// Dimensions are the four things a round scores (seed 四.三).
var Dimensions = []string{"党性教育", "理论提升", "主体业绩", "改革创新"}

// Methods are the ways a round gathers evidence (seed 五.二).
var Methods = []string{"听取汇报", "实地查看", "座谈交流", "民主评议", "问卷调查"}

// Conclusions grade a round, best first; questionnaire ratings use the same words.
var Conclusions = []string{"优秀", "良好", "一般", "较差"}

// Questionnaire kinds: the two methods done online.
const (
	KindDemocratic = "民主评议"
	KindSurvey     = "问卷调查"
)

// Plan is the follow-up of one graduate of one class. The class's title,
// kind and host are copied at graduation, so that the module needs no
// look-ups into the training tables.
type Plan struct {
	ID          uint64 `gorm:"primaryKey"`
	UserID      uint64 `gorm:"not null;uniqueIndex:uq_followup_plans_user_class,priority:1"`
	ClassID     uint64 `gorm:"not null;uniqueIndex:uq_followup_plans_user_class,priority:2;index:idx_followup_plans_class"`
	ClassTitle  string `gorm:"size:200;not null"`
	ClassKind   string `gorm:"size:20;not null"`
	HostOrgID   uint64 `gorm:"not null;index:idx_followup_plans_host"`
	OrgID       uint64 `gorm:"not null;index:idx_followup_plans_org"` // the dispatching unit: the cadre's org at graduation
	GraduatedOn string `gorm:"size:10;not null"`
	TermEndsOn  string `gorm:"size:10;not null"`
	TermKnown   bool   `gorm:"not null;default:false"` // from the cadre's record, not the default
	Status      string `gorm:"size:20;not null;index:idx_followup_plans_status"`
	EndedReason string `gorm:"size:100;not null;default:''"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName keeps the table name stable.
func (Plan) TableName() string { return "followup_plans" }

// Round is one year's follow-up of a plan.
type Round struct {
	ID           uint64 `gorm:"primaryKey"`
	PlanID       uint64 `gorm:"not null;uniqueIndex:uq_followup_rounds_plan_year,priority:1"`
	UserID       uint64 `gorm:"not null;index:idx_followup_rounds_user"`
	Year         int    `gorm:"not null;uniqueIndex:uq_followup_rounds_plan_year,priority:2"`
	DueOn        string `gorm:"size:10;not null;index:idx_followup_rounds_status_due,priority:2"`
	Status       string `gorm:"size:20;not null;index:idx_followup_rounds_status_due,priority:1"`
	AssigneeID   uint64 `gorm:"not null;default:0;index:idx_followup_rounds_assignee"`
	Dimensions   string `gorm:"type:text"` // JSON: map of DimensionScore by dimension
	Methods      string `gorm:"type:text"` // JSON: []string
	Evidence     string `gorm:"type:text"` // JSON: notes by method
	Conclusion   string `gorm:"size:10;not null;default:''"`
	SelfReport   string `gorm:"type:text"`
	SelfReportAt *time.Time
	Excellent    bool   `gorm:"not null;default:false"`
	CaseNote     string `gorm:"type:text"`
	CaseCourseID uint64 `gorm:"not null;default:0"`
	CompletedAt  *time.Time
	CompletedBy  uint64 `gorm:"not null;default:0"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName keeps the table name stable.
func (Round) TableName() string { return "followup_rounds" }

// DimensionScore is one dimension of a round as stored.
type DimensionScore struct {
	Score      *float64         `json:"score"`
	Notes      string           `json:"notes"`
	Indicators []IndicatorScore `json:"indicators"`
}

// IndicatorScore is one indicator of a dimension.
type IndicatorScore struct {
	Name  string   `json:"name"`
	Score *float64 `json:"score"`
}

// dimensions decodes the stored dimensions (empty when none).
func (r *Round) dimensions() map[string]DimensionScore {
	out := map[string]DimensionScore{}
	if r.Dimensions != "" {
		_ = json.Unmarshal([]byte(r.Dimensions), &out)
	}
	return out
}

func (r *Round) methods() []string {
	var out []string
	if r.Methods != "" {
		_ = json.Unmarshal([]byte(r.Methods), &out)
	}
	return out
}

func (r *Round) evidence() map[string]string {
	out := map[string]string{}
	if r.Evidence != "" {
		_ = json.Unmarshal([]byte(r.Evidence), &out)
	}
	return out
}

// Template is the editable list of indicators of one dimension.
type Template struct {
	Dimension  string `gorm:"primaryKey;size:20"`
	Indicators string `gorm:"type:text"` // JSON: []string
	UpdatedBy  uint64 `gorm:"not null;default:0"`
	UpdatedAt  time.Time
}

// TableName keeps the table name stable.
func (Template) TableName() string { return "followup_templates" }

// TeamMember belongs to the follow-up team (工作专班) and may be given rounds.
type TeamMember struct {
	UserID  uint64    `gorm:"primaryKey;autoIncrement:false"`
	AddedBy uint64    `gorm:"not null;default:0"`
	AddedAt time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (TeamMember) TableName() string { return "followup_team" }

// Questionnaire is an online 民主评议 or 问卷调查 of a round.
type Questionnaire struct {
	ID        uint64 `gorm:"primaryKey"`
	RoundID   uint64 `gorm:"not null;index:idx_questionnaires_round"`
	Kind      string `gorm:"size:20;not null"`
	Title     string `gorm:"size:200;not null"`
	Questions string `gorm:"type:text"` // JSON: []Question
	CreatedBy uint64 `gorm:"not null;default:0"`
	CreatedAt time.Time
}

// TableName keeps the table name stable.
func (Questionnaire) TableName() string { return "questionnaires" }

// Invite is one respondent's single-use link to a questionnaire. Only a
// SHA-256 of the token is kept.
type Invite struct {
	ID              uint64 `gorm:"primaryKey"`
	QuestionnaireID uint64 `gorm:"not null;index:idx_questionnaire_invites_q"`
	TokenHash       string `gorm:"size:64;not null;uniqueIndex:uq_questionnaire_invites_token"`
	Label           string `gorm:"size:50;not null"` // 同事, 上级, 下属...
	RespondedAt     *time.Time
	Answers         string `gorm:"type:text"` // JSON: []string, one per question
	CreatedAt       time.Time
}

// TableName keeps the table name stable.
func (Invite) TableName() string { return "questionnaire_invites" }

// StudyPlan is the graduate's self-study plan (自学计划) after a class.
type StudyPlan struct {
	UserID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	ClassID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	Content   string `gorm:"type:text"`
	FiledAt   time.Time
	UpdatedAt time.Time
}

// TableName keeps the table name stable.
func (StudyPlan) TableName() string { return "study_plans" }

// ReportBack is a 述学讲学: the graduate presents what was learned to the unit.
type ReportBack struct {
	ID             uint64 `gorm:"primaryKey"`
	UserID         uint64 `gorm:"not null;index:idx_report_backs_user_class,priority:1"`
	ClassID        uint64 `gorm:"not null;index:idx_report_backs_user_class,priority:2"`
	HeldOn         string `gorm:"size:10;not null"`
	Audience       string `gorm:"size:200;not null"`
	Summary        string `gorm:"type:text"`
	AttachmentKey  string `gorm:"size:255;not null;default:''"`
	AttachmentName string `gorm:"size:255;not null;default:''"`
	AttachmentSize int64  `gorm:"not null;default:0"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName keeps the table name stable.
func (ReportBack) TableName() string { return "report_backs" }

// ReportRead is a read receipt: a reader at the org department or the
// dispatching unit opened a round's report.
type ReportRead struct {
	RoundID uint64    `gorm:"primaryKey;autoIncrement:false"`
	UserID  uint64    `gorm:"primaryKey;autoIncrement:false"`
	ReadAt  time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (ReportRead) TableName() string { return "followup_report_reads" }

// Reminder remembers a reminder or overdue flag sent, so each goes once.
type Reminder struct {
	Kind   string    `gorm:"primaryKey;size:30"`
	RefID  uint64    `gorm:"primaryKey;autoIncrement:false"`
	UserID uint64    `gorm:"primaryKey;autoIncrement:false"`
	SentAt time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (Reminder) TableName() string { return "followup_reminders" }

// DefaultIndicators are the indicators each dimension starts with (seed 四.三).
var DefaultIndicators = map[string][]string{
	"党性教育": {"理想信念", "宗旨意识", "廉洁从政", "服务民生"},
	"理论提升": {"自学计划执行", "述学讲学", "调研成果转化"},
	"主体业绩": {"共性目标完成", "岗位职责目标完成"},
	"改革创新": {"理论创新", "技术创新", "管理创新", "服务创新"},
}

// Migrations of this module, with frozen copies of the models and the
// default indicator templates.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0012_followup",
		Up: func(tx *gorm.DB) error {
			type followupPlan struct {
				ID          uint64 `gorm:"primaryKey"`
				UserID      uint64 `gorm:"not null;uniqueIndex:uq_followup_plans_user_class,priority:1"`
				ClassID     uint64 `gorm:"not null;uniqueIndex:uq_followup_plans_user_class,priority:2;index:idx_followup_plans_class"`
				ClassTitle  string `gorm:"size:200;not null"`
				ClassKind   string `gorm:"size:20;not null"`
				HostOrgID   uint64 `gorm:"not null;index:idx_followup_plans_host"`
				OrgID       uint64 `gorm:"not null;index:idx_followup_plans_org"`
				GraduatedOn string `gorm:"size:10;not null"`
				TermEndsOn  string `gorm:"size:10;not null"`
				TermKnown   bool   `gorm:"not null;default:false"`
				Status      string `gorm:"size:20;not null;index:idx_followup_plans_status"`
				EndedReason string `gorm:"size:100;not null;default:''"`
				CreatedAt   time.Time
				UpdatedAt   time.Time
			}
			type followupRound struct {
				ID           uint64 `gorm:"primaryKey"`
				PlanID       uint64 `gorm:"not null;uniqueIndex:uq_followup_rounds_plan_year,priority:1"`
				UserID       uint64 `gorm:"not null;index:idx_followup_rounds_user"`
				Year         int    `gorm:"not null;uniqueIndex:uq_followup_rounds_plan_year,priority:2"`
				DueOn        string `gorm:"size:10;not null;index:idx_followup_rounds_status_due,priority:2"`
				Status       string `gorm:"size:20;not null;index:idx_followup_rounds_status_due,priority:1"`
				AssigneeID   uint64 `gorm:"not null;default:0;index:idx_followup_rounds_assignee"`
				Dimensions   string `gorm:"type:text"`
				Methods      string `gorm:"type:text"`
				Evidence     string `gorm:"type:text"`
				Conclusion   string `gorm:"size:10;not null;default:''"`
				SelfReport   string `gorm:"type:text"`
				SelfReportAt *time.Time
				Excellent    bool   `gorm:"not null;default:false"`
				CaseNote     string `gorm:"type:text"`
				CaseCourseID uint64 `gorm:"not null;default:0"`
				CompletedAt  *time.Time
				CompletedBy  uint64 `gorm:"not null;default:0"`
				CreatedAt    time.Time
				UpdatedAt    time.Time
			}
			type followupTemplate struct {
				Dimension  string `gorm:"primaryKey;size:20"`
				Indicators string `gorm:"type:text"`
				UpdatedBy  uint64 `gorm:"not null;default:0"`
				UpdatedAt  time.Time
			}
			type followupTeam struct {
				UserID  uint64    `gorm:"primaryKey;autoIncrement:false"`
				AddedBy uint64    `gorm:"not null;default:0"`
				AddedAt time.Time `gorm:"not null"`
			}
			type questionnaire struct {
				ID        uint64 `gorm:"primaryKey"`
				RoundID   uint64 `gorm:"not null;index:idx_questionnaires_round"`
				Kind      string `gorm:"size:20;not null"`
				Title     string `gorm:"size:200;not null"`
				Questions string `gorm:"type:text"`
				CreatedBy uint64 `gorm:"not null;default:0"`
				CreatedAt time.Time
			}
			type questionnaireInvite struct {
				ID              uint64 `gorm:"primaryKey"`
				QuestionnaireID uint64 `gorm:"not null;index:idx_questionnaire_invites_q"`
				TokenHash       string `gorm:"size:64;not null;uniqueIndex:uq_questionnaire_invites_token"`
				Label           string `gorm:"size:50;not null"`
				RespondedAt     *time.Time
				Answers         string `gorm:"type:text"`
				CreatedAt       time.Time
			}
			type studyPlan struct {
				UserID    uint64 `gorm:"primaryKey;autoIncrement:false"`
				ClassID   uint64 `gorm:"primaryKey;autoIncrement:false"`
				Content   string `gorm:"type:text"`
				FiledAt   time.Time
				UpdatedAt time.Time
			}
			type reportBack struct {
				ID             uint64 `gorm:"primaryKey"`
				UserID         uint64 `gorm:"not null;index:idx_report_backs_user_class,priority:1"`
				ClassID        uint64 `gorm:"not null;index:idx_report_backs_user_class,priority:2"`
				HeldOn         string `gorm:"size:10;not null"`
				Audience       string `gorm:"size:200;not null"`
				Summary        string `gorm:"type:text"`
				AttachmentKey  string `gorm:"size:255;not null;default:''"`
				AttachmentName string `gorm:"size:255;not null;default:''"`
				AttachmentSize int64  `gorm:"not null;default:0"`
				CreatedAt      time.Time
				UpdatedAt      time.Time
			}
			type reportRead struct {
				RoundID uint64    `gorm:"primaryKey;autoIncrement:false"`
				UserID  uint64    `gorm:"primaryKey;autoIncrement:false"`
				ReadAt  time.Time `gorm:"not null"`
			}
			type reminder struct {
				Kind   string    `gorm:"primaryKey;size:30"`
				RefID  uint64    `gorm:"primaryKey;autoIncrement:false"`
				UserID uint64    `gorm:"primaryKey;autoIncrement:false"`
				SentAt time.Time `gorm:"not null"`
			}
			tables := []struct {
				name  string
				model any
			}{
				{"followup_plans", &followupPlan{}}, {"followup_rounds", &followupRound{}}, {"followup_templates", &followupTemplate{}},
				{"followup_team", &followupTeam{}}, {"questionnaires", &questionnaire{}}, {"questionnaire_invites", &questionnaireInvite{}},
				{"study_plans", &studyPlan{}}, {"report_backs", &reportBack{}}, {"followup_report_reads", &reportRead{}},
				{"followup_reminders", &reminder{}},
			}
			for _, t := range tables {
				if err := tx.Table(t.name).Migrator().CreateTable(t.model); err != nil {
					return err
				}
			}
			defaults := map[string][]string{
				"党性教育": {"理想信念", "宗旨意识", "廉洁从政", "服务民生"},
				"理论提升": {"自学计划执行", "述学讲学", "调研成果转化"},
				"主体业绩": {"共性目标完成", "岗位职责目标完成"},
				"改革创新": {"理论创新", "技术创新", "管理创新", "服务创新"},
			}
			now := time.Now().UTC()
			for _, d := range []string{"党性教育", "理论提升", "主体业绩", "改革创新"} {
				b, _ := json.Marshal(defaults[d])
				if err := tx.Table("followup_templates").Create(&followupTemplate{Dimension: d, Indicators: string(b), UpdatedAt: now}).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}, roundsYearIndex}
}
