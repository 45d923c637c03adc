package audit_test

import (
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
)

// The audit page names actions and objects in Chinese and shows the
// details as 名称：值 pairs, the codes kept in the title for reference.
func TestAuditPageInChinese(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	examID, _ := collegetest.ExamSetup(t, a, c, time.Hour)
	a.PublishExam(c.Tokens["col"], examID)
	b := a.Browser()
	collegetest.MustStatus(t, b.LoginAs("aud", collegetest.UserPassword), 303)
	page := string(b.Req("GET", "/admin/audit?action=exam", nil).Body)
	for _, want := range []string{">发布考试<", ">新建考试<", "考试 <span class=\"muted\">#", "标题：2026 年度政治理论水平考试；总分：40", `title="exam.publish"`, `<option value="exam" selected>考试</option>`} {
		if !strings.Contains(page, want) {
			t.Fatalf("audit page without %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, `>exam.publish<`) || strings.Contains(page, `>{&#34;`) {
		t.Fatalf("audit page shows raw codes:\n%s", page)
	}
}
