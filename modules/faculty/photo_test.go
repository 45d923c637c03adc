package faculty_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"

	"college/app/collegetest"
)

// pngBytes is a small real PNG.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 30, 40))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A teacher's photo is an image recognised by content, kept by those who
// keep the teacher; a refused file leaves the photo as it was.
func TestTeacherPhoto(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	id := addTeacher(t, a, col, map[string]any{"name": "钱教授", "kind": "expert"})
	path := fmt.Sprintf("/api/v1/teachers/%d/photo", id)
	key := func() string {
		var k string
		a.DB.Table("teachers").Where("id = ?", id).Pluck("photo_key", &k)
		return k
	}
	collegetest.MustStatus(t, a.Do("GET", path, col, nil), 404)
	collegetest.MustStatus(t, a.UploadWith("PUT", path, col, "photo.png", []byte("not an image at all"), nil), 415)
	collegetest.MustStatus(t, a.UploadWith("PUT", path, c.Tokens["ua_cadre"], "photo.png", pngBytes(t), nil), 403)
	if key() != "" {
		t.Fatalf("photo after refusals: %q", key())
	}
	img := pngBytes(t)
	r := a.UploadWith("PUT", path, col, "随便.jpg", img, nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["url"] != path || !strings.HasSuffix(key(), ".png") {
		t.Fatalf("stored %q: %s", key(), r.Body)
	}
	got := a.Do("GET", path, col, nil)
	collegetest.MustStatus(t, got, 200)
	if !bytes.Equal(got.Body, img) || got.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("served %d bytes as %q", len(got.Body), got.Header.Get("Content-Type"))
	}
	if item := a.Do("GET", fmt.Sprintf("/api/v1/teachers/%d", id), col, nil).JSON(t); item["photo_url"] != path {
		t.Fatalf("teacher photo_url: %v", item["photo_url"])
	}
	// Another college sees no such teacher.
	other := a.CreateOrg(c.Tokens["admin"], "第二分院", "C02", "college", c.Root)
	a.CreateUser(c.Tokens["admin"], "col2", other, "college_admin")
	col2 := a.Login("col2", collegetest.UserPassword)
	collegetest.MustStatus(t, a.Do("GET", path, col2, nil), 404)
	collegetest.MustStatus(t, a.UploadWith("PUT", path, col2, "p.png", img, nil), 404)

	// The teacher's page replaces it through its form.
	b := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	page := fmt.Sprintf("/admin/teachers/%d", id)
	before := key()
	r = collegetest.PageUpload(b, page, page+"/photo", "新照片.png", pngBytes(t), nil)
	collegetest.MustRedirect(t, r, page)
	collegetest.MustContain(t, collegetest.PageGet(b, page, 200), "已更新教师照片", `id="teacher-photo"`, "更换照片")
	if key() == before || collegetest.CountAudits(a, "teacher.photo") != 2 {
		t.Fatalf("page upload: key %q (was %q), %d entries", key(), before, collegetest.CountAudits(a, "teacher.photo"))
	}
}
