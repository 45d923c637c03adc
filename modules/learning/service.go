package learning

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"college/modules/catalog"
	"college/modules/hours"
	"college/modules/settings"
	"college/modules/web"
	"college/storage/cache"
	"college/storage/db"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Setting keys of this module (DOMAIN.md: video learning rules).
const (
	SetHeartbeatSeconds = "learning.heartbeat_seconds"
	SetRate             = "learning.max_rate"
	SetTolerance        = "learning.tolerance_seconds"
	SetThreshold        = "learning.completion_percent"
	SetIdleMinMinutes   = "learning.idle_min_minutes"
	SetIdleMaxMinutes   = "learning.idle_max_minutes"
	SetIdleAnswer       = "learning.idle_answer_seconds"
	SetWatermark        = "learning.watermark"
)

// SettingDefs are the learning rules as settings.
var SettingDefs = []settings.Def{
	{Key: SetHeartbeatSeconds, Group: "视频学习规则", Label: "心跳间隔（秒）", Kind: settings.KindInt, Default: "15", Min: 5, Max: 120},
	{Key: SetRate, Group: "视频学习规则", Label: "最高播放倍速", Kind: settings.KindNumber, Default: "1", Min: 0.5, Max: 4},
	{Key: SetTolerance, Group: "视频学习规则", Label: "网络抖动容差（秒）", Help: "每次心跳允许超出服务器时间的秒数", Kind: settings.KindNumber, Default: "2", Min: 0, Max: 10},
	{Key: SetThreshold, Group: "视频学习规则", Label: "完成所需观看覆盖率（%）", Kind: settings.KindInt, Default: "95", Min: 50, Max: 100},
	{Key: SetIdleMinMinutes, Group: "视频学习规则", Label: "防挂机提问最短间隔（分钟）", Kind: settings.KindInt, Default: "10", Min: 1, Max: 120},
	{Key: SetIdleMaxMinutes, Group: "视频学习规则", Label: "防挂机提问最长间隔（分钟）", Kind: settings.KindInt, Default: "20", Min: 1, Max: 240},
	{Key: SetIdleAnswer, Group: "视频学习规则", Label: "防挂机提问作答时限（秒）", Kind: settings.KindInt, Default: "60", Min: 10, Max: 600},
	{Key: SetWatermark, Group: "视频学习规则", Label: "播放时显示学员水印", Kind: settings.KindBool, Default: "true"},
}

// Ledger credits study hours exactly once (the hours module).
type Ledger interface {
	Credit(ctx context.Context, tx *gorm.DB, c hours.Credit) (bool, error)
}

// Service runs plays, heartbeats and completion.
type Service struct {
	db       *gorm.DB
	cache    *cache.Cache
	live     *Live
	catalog  Catalog
	ledger   Ledger
	settings *settings.Service
	audit    web.Auditor
	log      *slog.Logger
	now      func() time.Time
	types    lessonFacts[string] // lesson type
	courses  lessonFacts[uint64] // course of the lesson
	// writeThrough makes every accepted heartbeat durable in SQL at once.
	// The embedded Redis lives in the process and dies with it, so in
	// embedded mode acknowledged progress must not wait for the flusher.
	writeThrough bool
	persister    *persister
}

// Catalog is what learning reads from the course catalog; it never writes
// there. *catalog.Service satisfies it.
type Catalog interface {
	CourseForLearner(ctx context.Context, p *web.Principal, id uint64) (*catalog.Course, error)
	CourseForManager(ctx context.Context, p *web.Principal, id uint64) (*catalog.Course, error)
	CourseByID(ctx context.Context, id uint64) (*catalog.Course, error)
	Lessons(ctx context.Context, courseID uint64) ([]catalog.Lesson, error)
	LessonByID(ctx context.Context, id uint64) (*catalog.Lesson, error)
	VisibleCourse(ctx context.Context, p *web.Principal, id uint64) (*catalog.Course, bool, error)
	VisibleLesson(ctx context.Context, p *web.Principal, id uint64) (*catalog.Lesson, *catalog.Course, error)
	Detail(ctx context.Context, c *catalog.Course, withBodies bool) (catalog.CourseResponse, error)
	SignStream(ctx context.Context, lessonID, userID uint64) (string, time.Time)
	SetMediaListener(l catalog.MediaListener)
}

// Deps are what the service needs.
type Deps struct {
	DB       *gorm.DB
	Cache    *cache.Cache
	Catalog  Catalog
	Ledger   Ledger
	Settings *settings.Service
	Audit    web.Auditor
	Log      *slog.Logger
}

// NewService builds the service, declares its settings and listens for
// replaced media.
func NewService(d Deps) *Service {
	d.Settings.Define(SettingDefs...)
	s := &Service{db: d.DB, cache: d.Cache, live: NewLive(d.Cache), catalog: d.Catalog, ledger: d.Ledger, settings: d.Settings, audit: d.Audit, log: d.Log, now: time.Now,
		writeThrough: d.Cache.Embedded()}
	s.persister = newPersister(s)
	d.Catalog.SetMediaListener(s)
	return s
}

// Live exposes the Redis side (the flusher and tests use it).
func (s *Service) Live() *Live { return s.live }

func (s *Service) rules(ctx context.Context, lessonType string) Rules {
	r := Rules{
		Rate:          s.settings.Float(ctx, SetRate),
		Tolerance:     s.settings.Float(ctx, SetTolerance),
		Threshold:     float64(s.settings.Int(ctx, SetThreshold)) / 100,
		AnswerSeconds: float64(s.settings.Int(ctx, SetIdleAnswer)),
	}
	if lessonType != catalog.LessonVideo {
		// Reading time is counted by the page, at real speed, in full.
		r.Rate, r.Threshold = 1, 1
	}
	return r
}

// Enroll adds the caller to a course they may study (idempotent).
func (s *Service) Enroll(ctx context.Context, p *web.Principal, courseID uint64) (created bool, err error) {
	if err := web.MayStudy(p); err != nil {
		return false, err
	}
	c, err := s.catalog.CourseForLearner(ctx, p, courseID)
	if err != nil {
		return false, web.Internal(err)
	}
	if c == nil {
		return false, web.NotFound()
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if created, err = s.enroll(ctx, tx, p.UserID, courseID); err != nil {
			return err
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "course.enroll", "course", courseID, map[string]any{"title": c.Title, "new": created}))
	})
	if err != nil {
		return false, web.AsError(err)
	}
	return created, nil
}

// enroll records an enrollment once. It looks first (the common case is a
// learner already enrolled); the unique key settles a race, and a lost race
// only means the answer says "created" twice.
func (s *Service) enroll(ctx context.Context, tx *gorm.DB, uid, courseID uint64) (bool, error) {
	var n int64
	if err := tx.WithContext(ctx).Model(&Enrollment{}).Where("user_id = ? AND course_id = ?", uid, courseID).Count(&n).Error; err != nil {
		return false, web.Internal(fmt.Errorf("learning: enroll: %w", err))
	}
	if n > 0 {
		return false, nil
	}
	res := tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&Enrollment{UserID: uid, CourseID: courseID, EnrolledAt: s.now().UTC()})
	if res.Error != nil {
		return false, web.Internal(fmt.Errorf("learning: enroll: %w", res.Error))
	}
	return true, nil
}

// lessonLength is what a learner must cover: the video's duration or the
// minimum reading time.
func lessonLength(l *catalog.Lesson) float64 {
	if l.Type == catalog.LessonVideo {
		return l.DurationSeconds
	}
	return float64(l.MinReadSeconds)
}

func (s *Service) nextPresence(ctx context.Context, now time.Time) time.Time {
	lo, hi := s.settings.Int(ctx, SetIdleMinMinutes), s.settings.Int(ctx, SetIdleMaxMinutes)
	if hi < lo {
		hi = lo
	}
	secs := lo*60 + rand.IntN((hi-lo)*60+1)
	return now.Add(time.Duration(secs) * time.Second)
}

// StartPlay begins a play of a lesson; any older play of the learner stops counting.
func (s *Service) StartPlay(ctx context.Context, p *web.Principal, lessonID uint64) (PlayResponse, error) {
	if err := web.MayStudy(p); err != nil {
		return PlayResponse{}, err
	}
	l, c, err := s.catalog.VisibleLesson(ctx, p, lessonID)
	if err != nil {
		return PlayResponse{}, err
	}
	if c.Status != catalog.StatusPublished {
		return PlayResponse{}, web.Conflict("course_not_published", "课程尚未发布，不能学习")
	}
	length := lessonLength(l)
	if length <= 0 || (l.Type != catalog.LessonArticle && l.MediaKey == "") {
		return PlayResponse{}, web.Unprocessable("lesson_not_ready", "该课时还没有可学习的内容")
	}
	if _, err := s.enroll(ctx, s.db, p.UserID, c.ID); err != nil {
		return PlayResponse{}, err
	}
	st, err := s.current(ctx, p.UserID, l)
	if err != nil {
		return PlayResponse{}, err
	}
	now := s.now()
	resume := st.Position
	if resume >= length-1 {
		resume = 0 // finished last time: start again from the beginning
	}
	play := Play{ID: NewPlayID(l.ID), LessonID: l.ID, StartMS: now.UnixMilli(), PresenceDue: s.nextPresence(ctx, now).UnixMilli()}
	if err := s.live.StartPlay(ctx, p.UserID, play, resume); err != nil {
		return PlayResponse{}, web.Internal(err)
	}
	r := PlayResponse{PlayID: play.ID, ResumeAt: resume, DurationSeconds: length, HeartbeatSeconds: s.settings.Int(ctx, SetHeartbeatSeconds),
		Furthest: st.Furthest, Coverage: st.Coverage, Completed: st.Completed, MaxRate: s.settings.Float(ctx, SetRate),
		IdleCheckSeconds: int(time.Duration(play.PresenceDue-play.StartMS) * time.Millisecond / time.Second), IdleAnswer: s.settings.Int(ctx, SetIdleAnswer)}
	if l.MediaKey != "" {
		r.StreamURL, _ = s.catalog.SignStream(ctx, l.ID, p.UserID)
	}
	return r, nil
}

// current returns the learner's state on a lesson, making sure Redis holds
// it for the lesson's current media: from Redis, else from SQL, else fresh.
func (s *Service) current(ctx context.Context, uid uint64, l *catalog.Lesson) (State, error) {
	st, ok, err := s.live.Load(ctx, uid, l.ID)
	if err != nil {
		return State{}, web.Internal(err)
	}
	if ok && st.Version == l.MediaVersion {
		return st, nil
	}
	st = State{Version: l.MediaVersion, Duration: lessonLength(l)}
	var row Progress
	err = s.db.WithContext(ctx).Where("user_id = ? AND lesson_id = ?", uid, l.ID).First(&row).Error
	switch {
	case err == nil:
		if row.MediaVersion == l.MediaVersion {
			st.Position, st.Furthest, st.Watched, st.Coverage = row.Position, row.Furthest, row.Watched, row.Coverage
			st.Segments = decodeSegments(row.Segments)
		}
		// A lesson completed before its media was replaced stays completed.
		st.Completed = row.Completed
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return State{}, web.Internal(err)
	}
	if err := s.live.Seed(ctx, uid, l.ID, st); err != nil {
		return State{}, web.Internal(err)
	}
	return st, nil
}

var errSuperseded = web.Conflict("play_superseded", "您已在其他页面或设备上开始学习，本页面不再计时")

// errPlayLost: the play is gone (the live store restarted without its data,
// or the play lapsed unused); the player starts a new one by itself.
var errPlayLost = web.Conflict("play_lost", "学习计时已中断，正在重新开始计时")

// Heartbeat checks and records one heartbeat. It touches Redis only, except
// at the moment a lesson is completed.
func (s *Service) Heartbeat(ctx context.Context, p *web.Principal, playID string, in HeartbeatRequest) (HeartbeatResponse, error) {
	if err := web.MayStudy(p); err != nil {
		return HeartbeatResponse{}, err
	}
	f := web.Fields{}
	if in.Position == nil {
		f.Add("position", "必填")
	} else if math.IsNaN(*in.Position) || math.IsInf(*in.Position, 0) || *in.Position < 0 || *in.Position > 24*3600 {
		f.Add("position", "应为 0 到 86400 之间的秒数")
	}
	switch in.State {
	case "playing", "paused", "ended":
	case "":
		f.Add("state", "必填")
	default:
		f.Add("state", "应为 playing、paused 或 ended")
	}
	if err := f.Err(); err != nil {
		return HeartbeatResponse{}, err
	}
	lessonID, ok := LessonOfPlay(playID)
	if !ok {
		return HeartbeatResponse{}, web.NotFound()
	}
	lessonType, err := s.lessonType(ctx, lessonID)
	if errors.Is(err, errNoLesson) {
		return HeartbeatResponse{}, web.NotFound()
	}
	if err != nil {
		// The database, not the lesson, is missing: an error the player
		// retries, never a not-found that drops the beat.
		return HeartbeatResponse{}, web.Internal(err)
	}
	beat, err := s.live.Heartbeat(ctx, p.UserID, playID, lessonID, *in.Position, s.now(), s.rules(ctx, lessonType))
	if err != nil {
		return HeartbeatResponse{}, web.Internal(err)
	}
	if beat.Superseded {
		return HeartbeatResponse{}, errSuperseded
	}
	if beat.Lost {
		return HeartbeatResponse{}, errPlayLost
	}
	if s.writeThrough && !beat.NewlyComplete {
		if err := s.persist(ctx, p.UserID, lessonID); err != nil {
			return HeartbeatResponse{}, err
		}
	}
	out := HeartbeatResponse{WatchedSeconds: round2(beat.Watched), Coverage: round4(beat.Coverage), Completed: beat.Completed, Position: beat.Position, PresenceDue: beat.PresenceDue}
	if beat.NewlyComplete {
		credited, done, err := s.completeLesson(ctx, p.UserID, lessonID)
		if err != nil {
			return HeartbeatResponse{}, err
		}
		out.CreditedHours, out.CourseComplete = credited, done
	}
	return out, nil
}

// errLiveStateLost: Redis no longer holds a learner's live progress.
var errLiveStateLost = errors.New("learning: live progress lost")

// errNoLesson: the lesson does not exist (deleted).
var errNoLesson = errors.New("learning: no such lesson")

// lessonType returns a lesson's type, from memory after the first time.
func (s *Service) lessonType(ctx context.Context, id uint64) (string, error) {
	if v, ok := s.types.get(id); ok {
		return v, nil
	}
	l, err := s.catalog.LessonByID(ctx, id)
	if err != nil {
		return "", fmt.Errorf("learning: lesson %d: %w", id, err)
	}
	if l == nil {
		return "", errNoLesson
	}
	s.types.put(id, l.Type)
	return l.Type, nil
}

// persist writes one learner's live state of a lesson to SQL before the
// heartbeat is answered, grouped with concurrent ones.
func (s *Service) persist(ctx context.Context, uid, lessonID uint64) error {
	if err := s.persister.persist(ctx, uid, lessonID); err != nil {
		return web.Internal(err)
	}
	return nil
}

// ConfirmPresence answers an idle check ("还在学习吗？").
func (s *Service) ConfirmPresence(ctx context.Context, p *web.Principal, playID string) (int, error) {
	next := s.nextPresence(ctx, s.now())
	ok, err := s.live.ConfirmPresence(ctx, p.UserID, playID, next.UnixMilli())
	if err != nil {
		return 0, web.Internal(err)
	}
	if !ok {
		return 0, errSuperseded
	}
	return int(time.Until(next) / time.Second), nil
}

// completeLesson makes a lesson's completion durable at once and, when it
// was the course's last, credits the course hours in the same transaction.
// The ledger's unique key makes the credit happen once, whatever races.
func (s *Service) completeLesson(ctx context.Context, uid, lessonID uint64) (web.Hours, bool, error) {
	l, err := s.catalog.LessonByID(ctx, lessonID)
	if err != nil || l == nil {
		return 0, false, web.Internal(fmt.Errorf("learning: complete lesson %d: %v", lessonID, err))
	}
	st, ok, err := s.live.Load(ctx, uid, lessonID)
	if err != nil {
		return 0, false, web.Internal(err)
	}
	if !ok {
		// Redis lost the play between the beat and now: the completion
		// cannot be written, so it must not be acknowledged either. It is
		// a passing state of the service, not a fault of the request: 503,
		// and the player retries and starts a new play from what SQL holds.
		return 0, false, web.Unavailable("学习进度暂时无法保存，请稍后重试").
			WithCause(fmt.Errorf("learning: complete lesson %d for %d: %w", lessonID, uid, errLiveStateLost))
	}
	course, err := s.catalog.CourseByID(ctx, l.CourseID)
	if err != nil || course == nil {
		return 0, false, web.Internal(fmt.Errorf("learning: course of lesson %d: %v", lessonID, err))
	}
	lessons, err := s.catalog.Lessons(ctx, l.CourseID)
	if err != nil {
		return 0, false, web.Internal(err)
	}
	now := s.now().UTC()
	var credited web.Hours
	courseDone := false
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		rows := []progressRow{{UserID: uid, LessonID: lessonID, CourseID: l.CourseID, State: st, UpdatedAt: now}}
		rows[0].State.Completed = true
		if err := upsertProgress(tx, rows); err != nil {
			return err
		}
		var err error
		credited, courseDone, err = s.settleCourse(ctx, tx, uid, course, lessons, now)
		return err
	})
	if err != nil {
		return 0, false, web.Internal(fmt.Errorf("learning: complete lesson %d for %d: %w", lessonID, uid, err))
	}
	return credited, courseDone, nil
}

// settleCourse completes a learner's course whose every lesson is complete
// in SQL: the enrollment's completed_at and the course's credit, in tx. It
// may run any number of times: completed_at is set once, and the ledger's
// unique key credits once.
func (s *Service) settleCourse(ctx context.Context, tx *gorm.DB, uid uint64, course *catalog.Course, lessons []catalog.Lesson, now time.Time) (web.Hours, bool, error) {
	if len(lessons) == 0 {
		return 0, false, nil
	}
	ids := make([]uint64, len(lessons))
	for i, x := range lessons {
		ids[i] = x.ID
	}
	var done int64
	if err := tx.Model(&Progress{}).Where("user_id = ? AND lesson_id IN ? AND completed = ?", uid, ids, true).Count(&done).Error; err != nil {
		return 0, false, err
	}
	if int(done) < len(lessons) {
		return 0, false, nil
	}
	// The course was completed when its last lesson was: a completion
	// settled later still counts in the year it was earned.
	var last []Progress
	if err := tx.Select("completed_at").Where("user_id = ? AND lesson_id IN ? AND completed_at IS NOT NULL", uid, ids).
		Order("completed_at DESC").Limit(1).Find(&last).Error; err != nil {
		return 0, false, err
	}
	if len(last) == 1 && last[0].CompletedAt != nil && last[0].CompletedAt.Before(now) {
		now = last[0].CompletedAt.UTC()
	}
	if err := tx.Model(&Enrollment{}).Where("user_id = ? AND course_id = ? AND completed_at IS NULL", uid, course.ID).Update("completed_at", now).Error; err != nil {
		return 0, false, err
	}
	if course.Hours <= 0 {
		return 0, true, nil // a course without hours completes without a credit
	}
	kind := hours.KindElective
	if course.Kind == catalog.KindRequired {
		kind = hours.KindRequired
	}
	created, err := s.ledger.Credit(ctx, tx, hours.Credit{UserID: uid, Hours: course.Hours, Category: hours.CategoryOnline, Kind: kind,
		SourceType: hours.SourceCourse, SourceID: course.ID, Title: course.Title, EarnedAt: now})
	if err != nil {
		return 0, false, err
	}
	if created {
		return course.Hours, true, nil
	}
	return 0, true, nil
}

// Pair is a learner and a course.
type Pair struct{ UserID, CourseID uint64 }

// Settle completes and credits, in one transaction each, every course of
// the pairs whose lessons are all complete in SQL but whose enrollment is
// not yet complete: what a completing heartbeat does, done again from
// durable state, so that a completion whose transaction failed (a database
// restart, a deadlock, a killed process) is credited once later. It returns
// how many courses it completed.
func (s *Service) Settle(ctx context.Context, pairs []Pair) (int, error) {
	if len(pairs) == 0 {
		return 0, nil
	}
	users, courses := map[uint64]bool{}, map[uint64]bool{}
	for _, p := range pairs {
		users[p.UserID], courses[p.CourseID] = true, true
	}
	var open []Enrollment
	err := s.db.WithContext(ctx).Select("user_id", "course_id").
		Where("completed_at IS NULL AND user_id IN ? AND course_id IN ?", keys(users), keys(courses)).Find(&open).Error
	if err != nil {
		return 0, err
	}
	want := map[Pair]bool{}
	for _, p := range pairs {
		want[p] = true
	}
	n := 0
	for _, e := range open {
		if !want[Pair{e.UserID, e.CourseID}] {
			continue
		}
		course, err := s.catalog.CourseByID(ctx, e.CourseID)
		if err != nil {
			return n, err
		}
		if course == nil {
			continue
		}
		lessons, err := s.catalog.Lessons(ctx, course.ID)
		if err != nil {
			return n, err
		}
		var done bool
		err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
			var err error
			_, done, err = s.settleCourse(ctx, tx, e.UserID, course, lessons, s.now().UTC())
			return err
		})
		if err != nil {
			return n, fmt.Errorf("learning: settle course %d for %d: %w", course.ID, e.UserID, err)
		}
		if done {
			n++
			s.log.Info("learning: course completed from durable progress", "user", e.UserID, "course", course.ID)
		}
	}
	return n, nil
}

// settleSinceKey keeps, in Redis, the completion time SettleRecent has
// settled up to.
const settleSinceKey = "learning:settle-since"

// settleLookback is how far back SettleRecent starts without a mark, and
// the margin it keeps behind its mark for completions written late.
const (
	settleLookback = 24 * time.Hour
	settleMargin   = 10 * time.Minute
	settleBatch    = 5000
)

// SettleRecent settles the courses of the lessons completed since the last
// run (the flusher runs it under its lease): the safety net under Settle's
// other callers. It returns how many courses it completed.
func (s *Service) SettleRecent(ctx context.Context) (int, error) {
	now := s.now().UTC()
	since := now.Add(-settleLookback)
	if ms, err := s.cache.Get(ctx, s.cache.Key(settleSinceKey)).Int64(); err == nil {
		since = time.UnixMilli(ms).UTC().Add(-settleMargin)
	}
	total := 0
	for {
		var rows []Progress
		err := s.db.WithContext(ctx).Select("user_id", "course_id", "completed_at").
			Where("completed = ? AND completed_at >= ?", true, since).Order("completed_at").Limit(settleBatch).Find(&rows).Error
		if err != nil {
			return total, err
		}
		pairs := make([]Pair, 0, len(rows))
		for _, r := range rows {
			pairs = append(pairs, Pair{r.UserID, r.CourseID})
		}
		n, err := s.Settle(ctx, pairs)
		total += n
		if err != nil {
			return total, err
		}
		if len(rows) < settleBatch {
			break
		}
		next := rows[len(rows)-1].CompletedAt.UTC()
		if !next.After(since) {
			next = since.Add(time.Second) // more completions in one instant than a batch
		}
		since = next
	}
	s.cache.Set(ctx, s.cache.Key(settleSinceKey), now.UnixMilli(), 0)
	return total, nil
}

func keys(m map[uint64]bool) []uint64 {
	out := make([]uint64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// MediaReplaced resets the progress measured against an older file of the
// lesson: positions and coverage start again; completions and credits stay.
func (s *Service) MediaReplaced(ctx context.Context, lessonID uint64, version int) error {
	return s.db.WithContext(ctx).Model(&Progress{}).Where("lesson_id = ? AND media_version < ?", lessonID, version).
		Updates(map[string]any{"media_version": version, "position": 0, "furthest": 0, "watched": 0, "coverage": 0, "segments": ""}).Error
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
func round4(f float64) float64 { return math.Round(f*10000) / 10000 }
