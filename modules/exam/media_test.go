package exam_test

import (
	"bytes"
	"college/app/collegetest"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"college/modules/exam/item"
	"college/storage/objects"

	"github.com/xuri/excelize/v2"
)

// A Moodle file with pictures and a sound: the preview shows them from
// the file and stores nothing; the import stores each once and the bank,
// the export and a re-import keep the tokens; the files are served to
// signed-in users only, with Range.
func TestImportMedia(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "看图识旗", false)
	file, err := os.ReadFile("importer/testdata/real/moodle_lesson_multichoice.xml")
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/banks/%d/import", bank)
	r := a.Upload(path+"?dry_run=1", col, "greeting.xml", file, nil)
	collegetest.MustStatus(t, r, 200)
	var p struct {
		Questions []struct {
			Stem    string   `json:"stem"`
			Options []string `json:"options"`
		} `json:"questions"`
		Warnings []struct {
			At      string `json:"at"`
			Message string `json:"message"`
		} `json:"warnings"`
		Media map[string]string `json:"media"`
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	names := item.MediaNames(append([]string{p.Questions[0].Stem}, p.Questions[0].Options...)...)
	if len(names) != 5 || len(p.Media) != 5 || len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0].Message, "选项的反馈未导入") {
		t.Fatalf("preview: %d names, %d media, warnings %+v", len(names), len(p.Media), p.Warnings)
	}
	for _, n := range names {
		if !strings.HasPrefix(p.Media[n], "data:"+item.MediaType(n)+";base64,") {
			t.Fatalf("preview media %s = %.40s", n, p.Media[n])
		}
		// Nothing is stored before the admin confirms.
		if _, err := a.Objects.Stat(context.Background(), "questions/media/"+n); !errors.Is(err, objects.ErrNotFound) {
			t.Fatalf("a preview stored %s: %v", n, err)
		}
	}
	r = a.Upload(path, col, "greeting.xml", file, nil)
	collegetest.MustStatus(t, r, 200)
	if !strings.Contains(string(r.Body), `"imported":1`) || !strings.Contains(string(r.Body), "选项的反馈未导入") {
		t.Fatalf("import = %s", r.Body)
	}
	audio := names[0]
	if item.MediaType(audio) != "audio/mpeg" {
		t.Fatalf("first file %s", audio)
	}
	get := func(token, rng string) (int, string, int) {
		req := httptest.NewRequest("GET", "/api/v1/question-media/"+audio, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		res := a.Send(req)
		return res.Status, res.Header.Get("Content-Type"), len(res.Body)
	}
	if st, ct, n := get(c.Tokens["ua_cadre"], ""); st != 200 || ct != "audio/mpeg" || n != 12982 {
		t.Fatalf("serve: %d %s %d", st, ct, n)
	}
	if st, _, n := get(c.Tokens["ua_cadre"], "bytes=0-99"); st != 206 || n != 100 {
		t.Fatalf("range: %d %d", st, n)
	}
	if st, _, _ := get("", ""); st != 401 {
		t.Fatalf("anonymous: %d", st)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/question-media/"+strings.Repeat("0", 64)+".png", col, nil), 404)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/question-media/..%2Fsecret.png", col, nil), 404)

	// Export and import into another bank: the tokens name stored files.
	x := a.Do("GET", fmt.Sprintf("/api/v1/banks/%d/export", bank), col, nil)
	collegetest.MustStatus(t, x, 200)
	other := a.Bank(col, "副本", false)
	r = a.Upload(fmt.Sprintf("/api/v1/banks/%d/import", other), col, "副本.xlsx", x.Body, nil)
	collegetest.MustStatus(t, r, 200)
	list := a.Do("GET", fmt.Sprintf("/api/v1/banks/%d/questions", other), col, nil)
	for _, n := range names {
		if !strings.Contains(string(list.Body), n) {
			t.Fatalf("re-imported bank lost %s: %s", n, list.Body)
		}
	}

	// A workbook naming a file the college does not hold is refused.
	wb := excelize.NewFile()
	missing := "[图片:" + strings.Repeat("ab", 32) + ".png]"
	_ = wb.SetSheetRow("Sheet1", "A1", &[]any{"题型", "题干", "选项A", "选项B", "答案"})
	_ = wb.SetSheetRow("Sheet1", "A2", &[]any{"单选题", "看图" + missing, "甲", "乙", "A"})
	var buf bytes.Buffer
	_ = wb.Write(&buf)
	r = a.Upload(path, col, "缺图.xlsx", buf.Bytes(), nil)
	collegetest.MustBody(t, r, 422, "在本系统中不存在")
	r = a.Upload(path+"?dry_run=1", col, "缺图.xlsx", buf.Bytes(), nil)
	collegetest.MustBody(t, r, 200, "在本系统中不存在")
}

// An admin uploads a picture for a question by hand and puts its token in
// an option; an unknown token, a file that is no picture, an empty or an
// oversize file is refused; a cadre may not upload.
func TestQuestionMediaUpload(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "手工", false)
	png, err := os.ReadFile("importer/testdata/real/moodle.png")
	if err != nil {
		t.Fatal(err)
	}
	up := fmt.Sprintf("/api/v1/banks/%d/media", bank)
	r := a.Upload(up, col, "icon.png", png, nil)
	collegetest.MustStatus(t, r, 201)
	m := r.JSON(t)
	token := m["token"].(string)
	if !strings.HasPrefix(token, "[图片:") || m["content_type"] != "image/png" || m["url"] != "/api/v1/question-media/"+m["name"].(string) {
		t.Fatalf("upload = %s", r.Body)
	}
	add := func(option string) collegetest.Response {
		return a.Do("POST", fmt.Sprintf("/api/v1/banks/%d/questions", bank), col, map[string]any{
			"type": "single", "stem": "哪个是图标？", "options": []string{option, "文字"}, "answer": "A", "score": 1})
	}
	collegetest.MustStatus(t, add(token), 201)
	r = add("[图片:" + strings.Repeat("cd", 32) + ".png]")
	collegetest.MustStatus(t, r, 400)
	if !strings.Contains(string(r.Body), "在本系统中不存在") {
		t.Fatalf("unknown token = %s", r.Body)
	}
	collegetest.MustRefuse(t, a.Upload(up, col, "a.txt", []byte("plain text, not a picture"), nil), 415, "unsupported_media_type")
	collegetest.MustStatus(t, a.Upload(up, col, "empty.png", nil, nil), 400)
	collegetest.MustStatus(t, a.Upload(up, col, "big.png", append(png, make([]byte, item.MaxMediaBytes)...), nil), 413)
	collegetest.MustStatus(t, a.Upload(up, c.Tokens["ua_cadre"], "icon.png", png, nil), 403)
}
