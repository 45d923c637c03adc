package main

import (
	"college/app/collegetest"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Every export of people's records, every bulk listing of people and every
// refusal leaves an entry naming who did it (finding 21).
func TestExportsListingsAndRefusalsAreAudited(t *testing.T) {
	t.Parallel()
	a, c, ac := collegetest.AssessSetup(t, 2, nil)
	col, adm := c.Tokens["col"], c.Tokens["admin"]
	examID, _ := collegetest.ExamSetup(t, a, c, time.Hour)
	var bank uint64
	a.DB.Table("banks").Limit(1).Pluck("id", &bank)
	eval := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": collegetest.AssessDefaultForm(a, c), "target": map[string]any{"type": "class"}})
	trainee := ac.Trainees[0]

	exports := []struct {
		path, token, action string
		target              uint64
	}{
		{fmt.Sprintf("/api/v1/classes/%d/roster.xlsx", ac.ID), col, "export.class_roster", ac.ID},
		{fmt.Sprintf("/api/v1/classes/%d/signin-sheet.xlsx", ac.ID), col, "export.class_signin", ac.ID},
		{fmt.Sprintf("/api/v1/exams/%d/results.xlsx", examID), col, "export.exam_results", examID},
		{fmt.Sprintf("/api/v1/banks/%d/export", bank), col, "export.bank", bank},
		{fmt.Sprintf("/api/v1/evaluations/%d/results.xlsx", eval), col, "export.evaluation_results", eval},
		{fmt.Sprintf("/api/v1/users/%d/archive.xlsx", trainee), c.Tokens["ua_admin"], "export.archive", trainee},
		{"/api/v1/me/archive.xlsx", a.TokenFor(trainee), "export.archive", trainee},
	}
	for _, e := range exports {
		before := len(a.AuditRows(e.action))
		collegetest.MustStatus(t, a.Do("GET", e.path, e.token, nil), 200)
		rows := a.AuditRows(e.action)
		if len(rows) != before+1 {
			t.Fatalf("%s: %d %s entries after the export, want %d", e.path, len(rows), e.action, before+1)
		}
		last := rows[len(rows)-1]
		if last.TargetID != e.target || last.ActorID == 0 || !last.Success {
			t.Fatalf("%s: entry %+v", e.path, last)
		}
	}

	// Listings of people: the API and the administrators' page; an ID
	// number searched for is masked in the entry.
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/users?q=110101199003074514&page_size=50", adm, nil), 200)
	collegetest.MustStatus(t, a.Do("GET", "/admin/users?q=zhang", adm, nil), 200)
	rows := a.AuditRows("list.users")
	if len(rows) != 2 || rows[0].ActorName != "admin" || rows[1].ActorName != "admin" {
		t.Fatalf("listing entries: %+v", rows)
	}
	if strings.Contains(rows[0].Detail, "110101199003074514") || !strings.Contains(rows[0].Detail, "110***********4514") {
		t.Fatalf("listing detail: %s", rows[0].Detail)
	}
	if !strings.Contains(rows[1].Detail, `"q":"zhang"`) {
		t.Fatalf("page listing detail: %s", rows[1].Detail)
	}

	// A refusal is recorded once with the route; an anonymous page view
	// that asks to log in is not.
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/audit", adm, nil), 403)
	denied := a.AuditRows("access.denied")
	if len(denied) != 1 || denied[0].ActorName != "admin" || denied[0].Success || !strings.Contains(denied[0].Detail, "/api/v1/audit") {
		t.Fatalf("refusal entries: %+v", denied)
	}
	collegetest.MustStatus(t, a.Do("GET", "/admin/users", "", nil), 303)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/users", "", nil), 401)
	if n := len(a.AuditRows("access.denied")); n != 1 {
		t.Fatalf("%d refusal entries after anonymous requests, want 1", n)
	}

	// The auditor sees all of it, and the chain verifies.
	r := a.Do("GET", "/api/v1/audit?action=export&page_size=100", c.Tokens["aud"], nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["total"].(float64) < float64(len(exports)) {
		t.Fatalf("auditor sees %s", r.Body)
	}
	if err := verifyAudit(context.Background(), a.Audit, &strings.Builder{}); err != nil {
		t.Fatal(err)
	}
}

// When the audit log cannot be written, the action that would go unrecorded
// fails: an export sends nothing, a change answers 503 audit_unavailable.
func TestAuditFailureFailsTheAction(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	adm := c.Tokens["admin"]
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/users", adm, nil), 200)
	if err := a.DB.Exec("ALTER TABLE audit_logs RENAME TO audit_logs_gone").Error; err != nil {
		t.Fatal(err)
	}
	for _, req := range []struct{ method, path string }{
		{"GET", "/api/v1/users"},
		{"GET", fmt.Sprintf("/api/v1/users/%d/archive.xlsx", c.IDs["ua_cadre"])},
		{"POST", "/api/v1/orgs"},
	} {
		var body any
		if req.method == "POST" {
			body = map[string]any{"name": "新单位", "code": "NEW1", "kind": "unit"}
		}
		r := a.Do(req.method, req.path, adm, body)
		if r.Status != 503 || r.ErrorCode(t) != "audit_unavailable" {
			t.Fatalf("%s %s with the log unwritable: %d %s", req.method, req.path, r.Status, r.Body)
		}
		if strings.Contains(string(r.Body), "items") || strings.Contains(string(r.Body), "PK") {
			t.Fatalf("%s %s: the answer leaked: %.80s", req.method, req.path, r.Body)
		}
	}
}
