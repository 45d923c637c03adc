package exam_test

import (
	"fmt"
	"strings"
	"testing"

	"college/app/collegetest"
)

// The bank page edits questions (each edit a new version) and deletes
// them, except one on the paper of an exam, which is refused by name.
func TestBankPageEditsAndDeletesQuestions(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "编辑题库", false)
	used := a.Question(col, bank, map[string]any{"type": "judge", "stem": "试卷里的题", "answer": true, "score": 5})
	spare := a.Question(col, bank, map[string]any{"type": "single", "stem": "备用的题", "options": []string{"甲", "乙"}, "answer": "A", "score": 5})
	examID := a.FixedExam(col, map[string]any{"title": "党章知识测试", "pass_score": 5}, used)
	a.PublishExam(col, examID)

	b := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	page := collegetest.PageGet(b, fmt.Sprintf("/admin/exams/banks/%d", bank), 200)
	for _, want := range []string{fmt.Sprintf(`data-edit="%d"`, spare), fmt.Sprintf(`data-delete="%d"`, used), "data-question=", "备用的题", "取消修改"} {
		if !strings.Contains(page, want) {
			t.Fatalf("bank page without %q:\n%s", want, page)
		}
	}

	// An edit is a new version of the question.
	r := a.Do("PUT", fmt.Sprintf("/api/v1/questions/%d", spare), col, map[string]any{"type": "single", "stem": "改过的题", "options": []string{"甲", "乙"}, "answer": "B", "score": 5})
	collegetest.MustStatus(t, r, 200)
	if a.Count("questions", "id = ? AND stem = ? AND version = 2", spare, "改过的题") != 1 {
		t.Fatal("the edit did not make version 2")
	}

	// A question on the exam's paper stays, with a message that says why.
	cadre := c.Tokens["ua_cadre"]
	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/questions/%d", spare), cadre, nil), 403)
	r = a.Do("DELETE", fmt.Sprintf("/api/v1/questions/%d", used), col, nil)
	collegetest.MustRefuse(t, r, 409, "question_in_use")
	if !strings.Contains(string(r.Body), "党章知识测试") || !strings.Contains(string(r.Body), "不能删除") {
		t.Fatalf("refusal = %s", r.Body)
	}
	if a.Count("questions", "id = ?", used) != 1 {
		t.Fatal("the refused delete removed the question")
	}
	// The spare one goes, with an audit entry.
	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/questions/%d", spare), col, nil), 204)
	if a.Count("questions", "id = ?", spare) != 0 {
		t.Fatal("the question is still there")
	}
	if a.Count("audit_logs", "action = ? AND target_id = ?", "question.delete", spare) != 1 {
		t.Fatal("no audit entry for the delete")
	}
	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/questions/%d", spare), col, nil), 404)
}
