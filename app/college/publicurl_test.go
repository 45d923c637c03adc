package college_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"college/app/college"
	"college/app/collegetest"
	"college/modules/web"

	qrcode "github.com/skip2/go-qrcode"
)

const testPublicURL = "https://college.example.gov.cn"

// hostile sends a request as if through a proxy that passes on whatever
// Host and X-Forwarded-* the client chose.
func hostile(a *collegetest.App, method, path, token string, body any) collegetest.Response {
	a.T.Helper()
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(raw))
	req.Host = "evil.example.com"
	req.Header.Set("X-Forwarded-Host", "evil.example.com")
	req.Header.Set("X-Forwarded-Proto", "http")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return a.Send(req)
}

// Questionnaire links and QR codes point at the configured public URL,
// never at a host named by the request.
func TestLinksUseThePublicURL(t *testing.T) {
	t.Parallel()
	a := collegetest.NewWith(t, func(c *college.Config) { c.PublicURL = testPublicURL })
	e := collegetest.FollowupCity(a)

	// A session's sign-in QR code.
	col := e.Tokens["col"]
	class := a.CreateClass(e.City, map[string]any{"starts_on": collegetest.Day(3), "ends_on": collegetest.Day(4)})
	startsAt, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(3)+" 09:00", web.Shanghai)
	r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", class), col, map[string]any{"topic": "专题讲座", "teacher": "王教授",
		"starts_at": startsAt, "ends_at": startsAt.Add(3 * time.Hour)})
	collegetest.MustStatus(t, r, 201)
	session := r.ID(t)
	a.OpenClass(e.City, class)
	code := a.Do("GET", fmt.Sprintf("/api/v1/sessions/%d/code", session), col, nil)
	collegetest.MustStatus(t, code, 200)
	path := code.JSON(t)["path"].(string)
	qr := hostile(a, "GET", fmt.Sprintf("/api/v1/sessions/%d/qr.png", session), col, nil)
	collegetest.MustStatus(t, qr, 200)
	want, err := qrcode.Encode(testPublicURL+path, qrcode.Medium, 360)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(qr.Body, want) {
		evil, _ := qrcode.Encode("http://evil.example.com"+path, qrcode.Medium, 360)
		t.Fatalf("the QR code does not encode %s%s (encodes the request's host: %v)", testPublicURL, path, bytes.Equal(qr.Body, evil))
	}

	// Questionnaire links of a follow-up round.
	_, _, plan := a.FollowupGraduatePlan(e, "fu_url", "", "", 40)
	round := a.FollowupAssignFirst(e, plan)
	r = hostile(a, "POST", fmt.Sprintf("/api/v1/followup-rounds/%d/questionnaires", round), e.MemberTok,
		map[string]any{"kind": "民主评议", "title": "年度民主评议", "respondents": []map[string]any{{"label": "上级"}}})
	collegetest.MustStatus(t, r, 201)
	for _, l := range r.JSON(t)["links"].([]any) {
		u := l.(map[string]any)["url"].(string)
		if !strings.HasPrefix(u, testPublicURL+"/q/") {
			t.Errorf("questionnaire link %q", u)
		}
	}
}

func TestPublicURLConfig(t *testing.T) {
	t.Parallel()
	derived := []struct{ addr, want string }{
		{":8080", "http://localhost:8080"},
		{"0.0.0.0:9000", "http://localhost:9000"},
		{"[::]:8080", "http://localhost:8080"},
		{"127.0.0.1:8081", "http://127.0.0.1:8081"},
		{":80", "http://localhost"},
	}
	for _, d := range derived {
		cfg, err := college.LoadConfig("", []string{"COLLEGE_ADDR=" + d.addr})
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.BaseURL(); got != d.want {
			t.Errorf("addr %s: public URL %q, want %q", d.addr, got, d.want)
		}
	}
	cfg, err := college.LoadConfig("", []string{"COLLEGE_PUBLIC_URL=https://xy.example.gov.cn:8443/"})
	if err != nil || cfg.BaseURL() != "https://xy.example.gov.cn:8443" {
		t.Fatalf("public_url: %q, %v", cfg.BaseURL(), err)
	}
	for _, bad := range []string{"xy.example.gov.cn", "ftp://xy.example.gov.cn", "https://", "https://xy.example.gov.cn/college",
		"https://xy.example.gov.cn?a=1", "https://xy.example.gov.cn#x", "https://user:pw@xy.example.gov.cn", "//xy.example.gov.cn", "https://xy.example.gov.cn/ "} {
		_, err := college.LoadConfig("", []string{"COLLEGE_PUBLIC_URL=" + bad})
		if err == nil || !strings.Contains(err.Error(), "COLLEGE_PUBLIC_URL") {
			t.Errorf("public_url %q: %v", bad, err)
		}
	}
	if _, err := college.LoadConfig("", []string{"COLLEGE_HTTPS=true", "COLLEGE_PUBLIC_URL=http://xy.example.gov.cn"}); err == nil {
		t.Error("an http public_url is accepted with https on")
	}
	cfg, err = college.LoadConfig("", []string{"COLLEGE_HTTPS=true"})
	if err != nil || !strings.HasPrefix(cfg.BaseURL(), "https://") {
		t.Errorf("https on: public URL %q, %v", cfg.BaseURL(), err)
	}
}

// The production example turns https on, names the public URL and keeps
// metrics off the public address; the embedded defaults file loads too.
func TestExampleConfigsAreHardened(t *testing.T) {
	t.Parallel()
	cfg, err := college.LoadConfig("../../configs/production.example.yaml", []string{"COLLEGE_SECRET_KEY=" + strings.Repeat("ab", 32), "COLLEGE_S3_SECRET_KEY=s3-secret", "COLLEGE_METRICS_TOKEN=" + testMetricsToken})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.HTTPS || !cfg.SecureCookies || !strings.HasPrefix(cfg.BaseURL(), "https://") || cfg.MetricsAddr == "" || cfg.MetricsAddr == cfg.Addr {
		t.Fatalf("production example: https %v, secure cookies %v, public URL %q, metrics on %q", cfg.HTTPS, cfg.SecureCookies, cfg.BaseURL(), cfg.MetricsAddr)
	}
	if _, err := college.LoadConfig("../../configs/college.yaml", nil); err != nil {
		t.Fatal(err)
	}
}
