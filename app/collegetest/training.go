package collegetest

import (
	"college/modules/identity"
	"college/modules/web"
	"context"
	"fmt"
	"maps"
	"sync/atomic"
	"time"
)

// Clock is a settable clock for the training service.
type Clock struct{ T atomic.Pointer[time.Time] }

func (c *Clock) Now() time.Time { return *c.T.Load() }

func (c *Clock) Set(t time.Time) { c.T.Store(&t) }

// WithClock gives the app's training service a clock the test moves.
func WithClock(a *App, t time.Time) *Clock {
	c := &Clock{}
	c.Set(t)
	a.Training.SetClock(c.Now)
	return c
}

func Day(offset int) string {
	return time.Now().In(web.Shanghai).AddDate(0, 0, offset).Format(time.DateOnly)
}

// CreateClass makes a draft class of the test college; fields override the defaults.
func (a *App) CreateClass(c *City, fields map[string]any) uint64 {
	a.T.Helper()
	body := map[string]any{"title": "学习贯彻专题培训班", "kind": "专题班", "host_org_id": c.College, "starts_on": Day(20), "ends_on": Day(24),
		"quota": 10, "hours": 30, "self_registration": true, "place": "市委党校"}
	maps.Copy(body, fields)
	r := a.Do("POST", "/api/v1/classes", c.Tokens["col"], body)
	MustStatus(a.T, r, 201)
	if r.JSON(a.T)["status"] != "draft" {
		a.T.Fatalf("new class: %s", r.Body)
	}
	return r.ID(a.T)
}

// OpenClass files, approves and opens a class.
func (a *App) OpenClass(c *City, id uint64) {
	a.T.Helper()
	MustStatus(a.T, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/submit", id), c.Tokens["col"], nil), 200)
	MustStatus(a.T, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/approve", id), c.Tokens["org"], nil), 200)
	MustStatus(a.T, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/open", id), c.Tokens["col"], nil), 200)
}

func (a *App) Register(token string, classID, userID uint64) Response {
	a.T.Helper()
	var body any = map[string]any{}
	if userID != 0 {
		body = map[string]any{"user_id": userID}
	}
	return a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/registrations", classID), token, body)
}

// Admit registers each user for a class as token (a unit admin's
// nomination, say) and has the host college approve each registration; it
// returns the registrations' ids.
func (a *App) Admit(c *City, token string, classID uint64, users ...uint64) []uint64 {
	a.T.Helper()
	var regs []uint64
	for _, u := range users {
		r := a.Register(token, classID, u)
		MustStatus(a.T, r, 201)
		regs = append(regs, r.ID(a.T))
		MustStatus(a.T, a.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/approve", r.ID(a.T)), c.Tokens["col"], nil), 200)
	}
	return regs
}

// StartClass has the host college start an open class.
func (a *App) StartClass(c *City, id uint64) {
	a.T.Helper()
	MustStatus(a.T, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/start", id), c.Tokens["col"], nil), 200)
}

func (a *App) AuditCount(action string, target uint64) int64 {
	var n int64
	a.DB.Table("audit_logs").Where("action = ? AND target_id = ?", action, target).Count(&n)
	return n
}

func (a *App) ClassStatus(token string, id uint64) string {
	a.T.Helper()
	r := a.Do("GET", fmt.Sprintf("/api/v1/classes/%d", id), token, nil)
	MustStatus(a.T, r, 200)
	return r.JSON(a.T)["status"].(string)
}

// Cadres provisions n learners in an org with a level and returns their ids.
func (a *App) Cadres(prefix string, org uint64, level string, n int) []uint64 {
	a.T.Helper()
	reqs := make([]identity.UserRequest, n)
	names := make([]string, n)
	for i := range reqs {
		names[i] = fmt.Sprintf("%s%03d", prefix, i)
		reqs[i] = identity.UserRequest{Username: names[i], Name: "学员" + names[i], OrgID: org, Roles: []string{"learner"}, Level: level}
	}
	if _, err := a.Identity.Provision(context.Background(), reqs, UserPassword); err != nil {
		a.T.Fatal(err)
	}
	var ids []uint64
	if err := a.DB.Table("users").Where("username IN ?", names).Order("username").Pluck("id", &ids).Error; err != nil || len(ids) != n {
		a.T.Fatalf("cadres: %v %d", err, len(ids))
	}
	return ids
}

// TokenFor opens a session for a user without a password round trip.
func (a *App) TokenFor(userID uint64) string {
	a.T.Helper()
	ctx := context.Background()
	u, err := a.Identity.PersonByID(ctx, userID)
	if err != nil || u == nil {
		a.T.Fatalf("user %d: %v", userID, err)
	}
	var roles []string
	a.DB.Table("user_roles").Where("user_id = ?", userID).Pluck("role", &roles)
	tok, err := a.Sessions.Create(ctx, web.Principal{UserID: u.ID, Username: u.Username, Name: u.Name, Roles: roles, OrgID: u.OrgID, OrgPath: u.OrgPath, Level: u.Level, CSRF: "t"}, time.Hour, time.Hour)
	if err != nil {
		a.T.Fatal(err)
	}
	return tok
}
