package exam

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"time"

	"college/modules/exam/item"
	"college/modules/exam/paper"
	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// Exam statuses and paper modes.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	ModeFixed       = "fixed"
	ModeRandom      = "random"
)

func (r RuleRequest) rule() paper.Rule {
	return paper.Rule{BankID: r.BankID, Type: item.Type(r.Type), Count: r.Count, Score: r.Score, Tags: cleanTags(r.Tags), Difficulty: r.Difficulty}
}

// pool loads the candidates of the banks a paper uses, in the caller's scope.
func (s *Service) pool(ctx context.Context, p *web.Principal, bankIDs []uint64) (map[uint64][]paper.Candidate, error) {
	out := map[uint64][]paper.Candidate{}
	for _, id := range bankIDs {
		if _, ok := out[id]; ok {
			continue
		}
		if p != nil {
			if _, err := s.bankFor(ctx, p, id); err != nil {
				return nil, err
			}
		}
		var rows []Question
		if err := s.db.WithContext(ctx).Where("bank_id = ?", id).Find(&rows).Error; err != nil {
			return nil, web.Internal(err)
		}
		cs := make([]paper.Candidate, len(rows))
		for i := range rows {
			cs[i] = paper.Candidate{ID: rows[i].ID, Q: rows[i].ToItem()}
		}
		out[id] = cs
	}
	return out, nil
}

// CreateExam checks the paper can be made and stores a draft exam.
func (s *Service) CreateExam(ctx context.Context, p *web.Principal, in ExamRequest) (ExamResponse, error) {
	if !canManage(p) {
		return ExamResponse{}, web.Forbidden()
	}
	f := web.Fields{}
	in.Title = strings.TrimSpace(in.Title)
	f.Required("title", in.Title)
	f.MaxLen("title", in.Title, 200)
	f.Check(in.DurationMinutes >= 1 && in.DurationMinutes <= 600, "duration_minutes", "考试时长应在 1 到 600 分钟之间")
	f.Check(in.PassScore >= 0, "pass_score", "及格分不能为负")
	if in.MaxAttempts == 0 {
		in.MaxAttempts = 1
	}
	f.Check(in.MaxAttempts >= 1 && in.MaxAttempts <= 100, "max_attempts", "考试次数应在 1 到 100 之间")
	f.Check(!in.OpensAt.IsZero(), "opens_at", "必填")
	f.Check(!in.ClosesAt.IsZero() && in.ClosesAt.After(in.OpensAt), "closes_at", "结束时间应晚于开始时间")
	f.Check(in.LeaveLimit >= 0 && in.LeaveLimit <= 100, "leave_limit", "切屏次数上限应在 0 到 100 之间")
	switch in.Release {
	case "":
		in.Release = "immediately"
	case "immediately", "after_close", "manual":
	default:
		f.Add("release", "应为 immediately、after_close 或 manual")
	}
	switch in.Paper.Mode {
	case ModeFixed:
		f.Check(len(in.Paper.QuestionIDs) > 0 && len(in.Paper.QuestionIDs) <= 500, "paper.question_ids", "固定试卷应有 1 到 500 道题")
	case ModeRandom:
		f.Check(len(in.Paper.Rules) > 0 && len(in.Paper.Rules) <= 50, "paper.rules", "随机组卷应有 1 到 50 条规则")
		for i, r := range in.Paper.Rules {
			name := fmt.Sprintf("paper.rules[%d]", i)
			if _, ok := item.TypeNames[item.Type(r.Type)]; !ok {
				f.Add(name, "题型不正确")
			}
			f.Check(r.Count >= 1 && r.Count <= 500, name, "抽题数量应在 1 到 500 之间")
			f.Check(r.Score > 0 && r.Score <= 100, name, "每题分值应在 0 到 100 之间")
			f.Check(r.Difficulty >= 0 && r.Difficulty <= 5, name, "难度应为 0（不限）到 5")
		}
	default:
		f.Add("paper.mode", "应为 fixed 或 random")
	}
	if err := f.Err(); err != nil {
		return ExamResponse{}, err
	}
	var total100 int64 // in hundredths: sums of 0.1-point questions must not drift
	var available []int
	var paperJSON []byte
	if in.Paper.Mode == ModeFixed {
		var rows []Question
		if err := s.db.WithContext(ctx).Where("id IN ?", in.Paper.QuestionIDs).Find(&rows).Error; err != nil {
			return ExamResponse{}, web.Internal(err)
		}
		byID := map[uint64]*Question{}
		for i := range rows {
			byID[rows[i].ID] = &rows[i]
		}
		banks := []uint64{}
		for _, id := range in.Paper.QuestionIDs {
			r, ok := byID[id]
			if !ok {
				return ExamResponse{}, web.Invalid(map[string]string{"paper.question_ids": fmt.Sprintf("试题 %d 不存在", id)})
			}
			banks = append(banks, r.BankID)
			total100 += r.Score
		}
		if _, err := s.pool(ctx, p, banks); err != nil { // every bank must be the caller's
			return ExamResponse{}, err
		}
		paperJSON, _ = json.Marshal(in.Paper.QuestionIDs)
	} else {
		rules := make([]paper.Rule, len(in.Paper.Rules))
		banks := make([]uint64, len(in.Paper.Rules))
		for i, r := range in.Paper.Rules {
			rules[i] = r.rule()
			banks[i] = r.BankID
		}
		pool, err := s.pool(ctx, p, banks)
		if err != nil {
			return ExamResponse{}, err
		}
		var short []paper.Shortfall
		available, short = paper.Check(rules, pool)
		if len(short) > 0 {
			msgs := make([]string, len(short))
			for i, sh := range short {
				msgs[i] = fmt.Sprintf("第 %d 条规则需要 %d 道题，可抽取的只有 %d 道", sh.Rule, sh.Want, sh.Have)
			}
			e := web.Unprocessable("rule_unfillable", strings.Join(msgs, "；"))
			e.Fields = map[string]string{"paper.rules": e.Message}
			return ExamResponse{}, e
		}
		for _, r := range rules {
			total100 += int64(math.Round(r.Score*100)) * int64(r.Count)
		}
		paperJSON, _ = json.Marshal(in.Paper.Rules)
	}
	if in.CourseID != 0 {
		msg := "课程检查不可用"
		if s.courses != nil {
			problems, err := s.courses.CourseProblems(ctx, p, []uint64{in.CourseID})
			if err != nil {
				return ExamResponse{}, web.Internal(err)
			}
			msg = problems[in.CourseID]
		}
		if msg != "" {
			e := web.Unprocessable("course_unavailable", msg)
			e.Fields = map[string]string{"course_id": msg}
			return ExamResponse{}, e
		}
	}
	if in.ClassID != 0 {
		ok := false
		if s.trainees != nil {
			var err error
			if ok, err = s.trainees.Hosts(ctx, p, in.ClassID); err != nil {
				return ExamResponse{}, web.Internal(err)
			}
		}
		if !ok {
			return ExamResponse{}, web.Invalid(map[string]string{"class_id": "培训班次不存在或不是本学院主办"})
		}
	}
	total := float64(total100) / 100
	if in.PassScore > total {
		return ExamResponse{}, web.Invalid(map[string]string{"pass_score": fmt.Sprintf("及格分不能高于总分 %g", total)})
	}
	e := &Exam{CollegeID: p.OrgID, Title: in.Title, DurationMinutes: in.DurationMinutes, PassScore: int64(math.Round(in.PassScore * 100)),
		TotalScore: total100, MaxAttempts: in.MaxAttempts, OpensAt: in.OpensAt.UTC(), ClosesAt: in.ClosesAt.UTC(),
		Shuffle: in.Shuffle, PartialMultiple: in.PartialMultiple, Release: in.Release, PaperMode: in.Paper.Mode,
		AudienceLevels: db.JoinList(in.AudienceLevels), AudienceOrgs: db.JoinIDs(in.AudienceOrgIDs), LeaveLimit: in.LeaveLimit, CourseID: in.CourseID, Annual: in.Annual, Fullscreen: in.Fullscreen, ClassID: in.ClassID, Paper: string(paperJSON), Status: StatusDraft, CreatedBy: p.UserID}
	err := s.commit(ctx, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Create(e).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "exam.create", "exam", e.ID, map[string]any{"title": e.Title, "total_score": total}), nil
	})
	if err != nil {
		return ExamResponse{}, err
	}
	return ExamResponse{ID: e.ID, Title: e.Title, Status: e.Status, TotalScore: total, Available: available}, nil
}

// examFor loads an exam the caller manages.
func (s *Service) examFor(ctx context.Context, p *web.Principal, id uint64) (*Exam, error) {
	if !canManage(p) {
		return nil, web.Forbidden()
	}
	return web.Load[Exam](s.db.WithContext(ctx).Scopes(web.OrgScope(p, "college_id")), id)
}

// Publish opens an exam to candidates; publishing it again changes nothing.
func (s *Service) Publish(ctx context.Context, p *web.Principal, id uint64) (*Exam, error) {
	e, err := s.examFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if e.Status == StatusPublished {
		return e, s.audit.Record(ctx, publishEntry(p, e))
	}
	if !s.now().Before(e.ClosesAt) {
		return nil, web.Unprocessable("exam_over", "考试结束时间已过，不能发布")
	}
	if e.PaperMode == ModeRandom {
		s.papers.drop(e.ID)
		ep, err := s.examPool(ctx, e)
		if err != nil {
			return nil, web.Internal(err)
		}
		if _, short := paper.Check(ep.rules, ep.pool); len(short) > 0 {
			return nil, web.Unprocessable("rule_unfillable", "题库中的试题已不足以按规则组卷，请调整后再发布")
		}
	}
	e.Status = StatusPublished
	err = s.commit(ctx, func(tx *gorm.DB) (web.AuditEntry, error) {
		return publishEntry(p, e), tx.Model(e).Update("status", e.Status).Error
	})
	if err != nil {
		return nil, err
	}
	s.papers.drop(e.ID)
	return e, nil
}

func publishEntry(p *web.Principal, e *Exam) web.AuditEntry {
	return web.AuditBy(p, "exam.publish", "exam", e.ID, map[string]any{"title": e.Title})
}

// ReleaseResults lets candidates see their reviewed papers (manual release).
func (s *Service) ReleaseResults(ctx context.Context, p *web.Principal, id uint64) (*Exam, error) {
	e, err := s.examFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	e.Released = true
	err = s.commit(ctx, func(tx *gorm.DB) (web.AuditEntry, error) {
		return web.AuditBy(p, "exam.release", "exam", e.ID, map[string]any{"title": e.Title}), tx.Model(e).Update("released", true).Error
	})
	if err != nil {
		return nil, err
	}
	if err := s.bookReleasedExam(ctx, e.ID); err != nil {
		return nil, err
	}
	return e, nil
}

// Trainees tells the exam module who the trainees of a training class are.
type Trainees interface {
	// IsTrainee reports whether a user is an admitted trainee (or a graduate) of a class.
	IsTrainee(ctx context.Context, classID, userID uint64) (bool, error)
	// Hosts reports whether the caller's college hosts the class.
	Hosts(ctx context.Context, p *web.Principal, classID uint64) (bool, error)
}

// SetTrainees wires the training module for class exams.
func (s *Service) SetTrainees(t Trainees) { s.trainees = t }

// meantFor reports whether the caller may sit an exam: a class exam is
// for the class's trainees; any other for its audience; none for the
// system administrators.
func (s *Service) meantFor(ctx context.Context, e *Exam, p *web.Principal) (bool, error) {
	if p.IsSystemAdmin() {
		return false, nil // they never sit exams
	}
	if e.ClassID == 0 {
		return e.open(p), nil
	}
	if s.trainees == nil {
		return false, nil
	}
	return s.trainees.IsTrainee(ctx, e.ClassID, p.UserID)
}

// open reports whether the exam is meant for the caller: their level, and
// their org or one of its ancestors.
func (e *Exam) open(p *web.Principal) bool {
	if e.AudienceLevels != "" && !strings.Contains(e.AudienceLevels, ","+p.Level+",") {
		return false
	}
	if e.AudienceOrgs == "" {
		return true
	}
	for _, id := range p.OrgChain() {
		if strings.Contains(e.AudienceOrgs, fmt.Sprintf(",%d,", id)) {
			return true
		}
	}
	return false
}

// released tells whether candidates may see correct answers and analysis.
func (e *Exam) released(now time.Time) bool {
	switch e.Release {
	case "after_close":
		return e.Released || !now.Before(e.ClosesAt)
	case "manual":
		return e.Released
	}
	return true
}

// paperCache keeps each exam's question pool in memory for the start spike.
type paperCache struct {
	mu sync.RWMutex
	m  map[uint64]*examPool
}

type examPool struct {
	loaded time.Time
	fixed  []paper.Candidate
	rules  []paper.Rule
	pool   map[uint64][]paper.Candidate
}

func (c *paperCache) get(id uint64) *examPool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	ep := c.m[id]
	if ep != nil && time.Since(ep.loaded) < time.Minute {
		return ep
	}
	return nil
}

func (c *paperCache) put(id uint64, ep *examPool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 1000 {
		c.m = map[uint64]*examPool{}
	}
	c.m[id] = ep
}

func (c *paperCache) drop(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

func (s *Service) examPool(ctx context.Context, e *Exam) (*examPool, error) {
	if ep := s.papers.get(e.ID); ep != nil {
		return ep, nil
	}
	ep := &examPool{loaded: time.Now()}
	if e.PaperMode == ModeFixed {
		var ids []uint64
		_ = json.Unmarshal([]byte(e.Paper), &ids)
		var rows []Question
		if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
			return nil, err
		}
		byID := map[uint64]*Question{}
		for i := range rows {
			byID[rows[i].ID] = &rows[i]
		}
		for _, id := range ids {
			if r, ok := byID[id]; ok {
				ep.fixed = append(ep.fixed, paper.Candidate{ID: r.ID, Q: r.ToItem()})
			}
		}
	} else {
		var rules []RuleRequest
		_ = json.Unmarshal([]byte(e.Paper), &rules)
		banks := []uint64{}
		for _, r := range rules {
			ep.rules = append(ep.rules, r.rule())
			banks = append(banks, r.BankID)
		}
		pool, err := s.pool(ctx, nil, banks)
		if err != nil {
			return nil, err
		}
		ep.pool = pool
	}
	s.papers.put(e.ID, ep)
	return ep, nil
}

// newRand seeds each candidate's paper from the system's randomness.
func newRand() *mrand.Rand {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return mrand.New(mrand.NewPCG(binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint64(b[8:])))
}

// questionCount is the number of questions a candidate's paper holds.
func (e *Exam) questionCount() int {
	if e.PaperMode == ModeFixed {
		var ids []uint64
		_ = json.Unmarshal([]byte(e.Paper), &ids)
		return len(ids)
	}
	var rules []RuleRequest
	_ = json.Unmarshal([]byte(e.Paper), &rules)
	n := 0
	for _, r := range rules {
		n += r.Count
	}
	return n
}
