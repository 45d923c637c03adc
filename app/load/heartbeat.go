package load

// The heartbeat scenario of `college bench`: every connection is one learner
// watching one video lesson, sending honest heartbeats as fast as the load
// allows. Each heartbeat is authenticated and checked by the server in full
// (the play, the server's clock, the coverage bitmap, the dirty set).

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

const (
	// benchLearnerPassword is the password of the bench-NNN learner accounts.
	benchLearnerPassword = "Bench-Learner-2026"
	// benchLearnerInitial is the password the accounts are created with;
	// each chooses benchLearnerPassword at its first login.
	benchLearnerInitial = "Bench-Initial-2026"
	// benchLessonEnv names the lesson to watch (its id); by default the
	// longest published video lesson the learners can see.
	benchLessonEnv = "COLLEGE_BENCH_LESSON"
	// benchHeartbeatKey is where Setup leaves its state in benchEnv.Values.
	benchHeartbeatKey = "heartbeat"
	// benchSetupParallel bounds the setup requests in flight: creating and
	// logging in accounts hashes passwords, which the server queues anyway.
	benchSetupParallel = 4
)

func init() {
	benchRegister(&benchScenario{
		Name:    "heartbeat",
		Desc:    "learning heartbeats, all rules checked (one bench-NNN learner per connection; lesson: $" + benchLessonEnv + ")",
		Setup:   benchHeartbeatSetup,
		Prepare: benchHeartbeatPrepare,
	})
}

// benchHeartbeat is the scenario's state: one learner and play per worker.
type benchHeartbeat struct {
	Lesson  uint64
	Course  uint64 // 0 when the lesson was given by $COLLEGE_BENCH_LESSON
	Workers []benchLearner
}

// benchLearner is one worker's learner. Only its worker touches body.
type benchLearner struct {
	Username string
	Token    string
	PlayID   string
	Started  time.Time // when the play's answer arrived
	Resume   float64   // position the server resumed at
	Duration float64   // the lesson's length

	bearer string // "Bearer " + Token
	uri    string // absolute URL of the play's heartbeat
	body   []byte // scratch for the request body
}

// benchHeartbeatState returns the state Setup stored, or nil.
func benchHeartbeatState(env *benchEnv) *benchHeartbeat {
	hb, _ := env.Values[benchHeartbeatKey].(*benchHeartbeat)
	return hb
}

// benchAs is a copy of env that sends token with its JSON calls, so that
// setup goroutines can act as different users at once.
func benchAs(env *benchEnv, token string) *benchEnv {
	c := *env
	c.Token = token
	return &c
}

// benchParallel runs fn(0..n-1) with at most limit calls at once and returns
// the first error; it stops starting new calls after an error.
func benchParallel(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	sem := make(chan struct{}, limit)
	for i := 0; i < n; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(ctx, i); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}(i)
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// benchHeartbeatSetup makes one learner per connection, logs each in, picks
// the lesson and starts one play per learner, last, so that the plays begin
// just before the load.
func benchHeartbeatSetup(ctx context.Context, env *benchEnv) error {
	if err := benchSetupToken(ctx, env); err != nil {
		return err
	}
	var me struct {
		OrgID uint64 `json:"org_id"`
	}
	if _, err := env.JSON(ctx, http.MethodGet, "/api/v1/me", nil, &me); err != nil {
		return err
	}
	if me.OrgID == 0 {
		return errors.New("GET /api/v1/me: no org_id for the admin")
	}
	hb := &benchHeartbeat{Workers: make([]benchLearner, env.Connections)}

	// The accounts: create what is missing; a taken name is one made by an
	// earlier run, and the login below tells whether its password fits.
	err := benchParallel(ctx, env.Connections, benchSetupParallel, func(ctx context.Context, i int) error {
		name := fmt.Sprintf("bench-%03d", i+1)
		hb.Workers[i].Username = name
		in := map[string]any{
			"username": name, "name": "压测学员" + strconv.Itoa(i+1), "password": benchLearnerInitial,
			"org_id": me.OrgID, "roles": []string{"learner"},
		}
		status, err := env.JSON(ctx, http.MethodPost, "/api/v1/users", in, nil)
		if err != nil && !(status == http.StatusBadRequest && strings.Contains(err.Error(), `"username"`)) {
			return fmt.Errorf("create learner %s: %w", name, err)
		}
		if status != http.StatusCreated {
			return nil // made by an earlier run
		}
		// A new account chooses its own password at the first login.
		as := benchAs(env, "")
		tok, err := as.Login(ctx, name, benchLearnerInitial)
		if err != nil {
			return err
		}
		change := map[string]string{"old_password": benchLearnerInitial, "new_password": benchLearnerPassword}
		if _, err := benchAs(env, tok).JSON(ctx, http.MethodPut, "/api/v1/me/password", change, nil); err != nil {
			return fmt.Errorf("first password of %s: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = benchParallel(ctx, env.Connections, benchSetupParallel, func(ctx context.Context, i int) error {
		w := &hb.Workers[i]
		tok, err := benchAs(env, "").Login(ctx, w.Username, benchLearnerPassword)
		if err != nil {
			return fmt.Errorf("%w (an account %s with another password? delete it or use another server)", err, w.Username)
		}
		w.Token, w.bearer = tok, "Bearer "+tok
		return nil
	})
	if err != nil {
		return err
	}

	if err := benchPickLesson(ctx, benchAs(env, hb.Workers[0].Token), hb); err != nil {
		return err
	}

	err = benchParallel(ctx, env.Connections, env.Connections, func(ctx context.Context, i int) error {
		w := &hb.Workers[i]
		var play struct {
			PlayID   string  `json:"play_id"`
			ResumeAt float64 `json:"resume_at"`
			Duration float64 `json:"duration_seconds"`
		}
		path := "/api/v1/lessons/" + strconv.FormatUint(hb.Lesson, 10) + "/play"
		if _, err := benchAs(env, w.Token).JSON(ctx, http.MethodPost, path, nil, &play); err != nil {
			return fmt.Errorf("start a play as %s: %w", w.Username, err)
		}
		if play.PlayID == "" || play.Duration <= 0 {
			return fmt.Errorf("start a play as %s: answer without play_id or duration_seconds", w.Username)
		}
		w.PlayID, w.Resume, w.Duration, w.Started = play.PlayID, play.ResumeAt, play.Duration, time.Now()
		w.uri = env.URL("/api/v1/plays/" + play.PlayID + "/heartbeat")
		w.body = make([]byte, 0, 64)
		return nil
	})
	if err != nil {
		return err
	}
	env.Values[benchHeartbeatKey] = hb
	return nil
}

// benchPickLesson sets hb.Lesson: $COLLEGE_BENCH_LESSON, or the longest
// video lesson with media of the courses the learner env sees (the first
// of equals), so that runs one after another stay inside the video: a play
// resumes where the previous run left the learner.
func benchPickLesson(ctx context.Context, env *benchEnv, hb *benchHeartbeat) error {
	if v := strings.TrimSpace(os.Getenv(benchLessonEnv)); v != "" {
		id, err := strconv.ParseUint(v, 10, 64)
		if err != nil || id == 0 {
			return fmt.Errorf("$%s=%q: want a lesson id", benchLessonEnv, v)
		}
		hb.Lesson = id
		return nil
	}
	var list struct {
		Items []struct {
			ID uint64 `json:"id"`
		} `json:"items"`
	}
	if _, err := env.JSON(ctx, http.MethodGet, "/api/v1/courses?page_size=200", nil, &list); err != nil {
		return err
	}
	best := 0.0
	for _, c := range list.Items {
		var course struct {
			Lessons []struct {
				ID       uint64  `json:"id"`
				Type     string  `json:"type"`
				Duration float64 `json:"duration_seconds"`
				HasMedia bool    `json:"has_media"`
			} `json:"lessons"`
		}
		if _, err := env.JSON(ctx, http.MethodGet, "/api/v1/courses/"+strconv.FormatUint(c.ID, 10), nil, &course); err != nil {
			return err
		}
		for _, l := range course.Lessons {
			if l.Type == "video" && l.HasMedia && l.Duration > best {
				hb.Lesson, hb.Course, best = l.ID, c.ID, l.Duration
			}
		}
	}
	if hb.Lesson == 0 {
		return fmt.Errorf("no published video lesson visible to %s (run `college seed`, or set $%s)", hb.Workers[0].Username, benchLessonEnv)
	}
	return nil
}

// benchHeartbeatPrepare sends worker w's heartbeat with its own token. The
// position is honest: the seconds since its play started, from where the
// server resumed, capped at the lesson's length.
func benchHeartbeatPrepare(env *benchEnv, w int, _ int64, req *fasthttp.Request) {
	hb := benchHeartbeatState(env)
	if hb == nil || w >= len(hb.Workers) {
		env.SetURL(req, fasthttp.MethodGet, "/bench-heartbeat-without-setup") // fails visibly as a 404
		return
	}
	l := &hb.Workers[w]
	pos := min(l.Resume+time.Since(l.Started).Seconds(), l.Duration)
	l.body = append(l.body[:0], `{"position":`...)
	l.body = strconv.AppendFloat(l.body, pos, 'f', 3, 64)
	l.body = append(l.body, `,"state":"playing"}`...)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.SetRequestURI(l.uri)
	req.Header.Set(fasthttp.HeaderAuthorization, l.bearer)
	req.Header.SetContentType("application/json")
	req.SetBody(l.body)
}
