package sites_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"net/url"
	"testing"

	"college/app/collegetest"
	"college/modules/sites"
)

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 40, 30))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A site's district keeps its pictures: images only, a bounded number;
// anyone who sees the site sees them; other districts see nothing.
func TestSitePhotos(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := w.a
	id := w.inUse(t, 40)
	path := fmt.Sprintf("/api/v1/sites/%d/photos", id)
	img := pngBytes(t)
	collegetest.MustStatus(t, a.Upload(path, w.tok["d1_admin"], "馆内.png", []byte("plain text, not a picture"), nil), 415)
	collegetest.MustStatus(t, a.Upload(path, w.tok["d2_admin"], "馆内.png", img, nil), 404)
	collegetest.MustStatus(t, a.Upload(path, w.tok["col"], "馆内.png", img, nil), 403)
	if n := a.Count("site_photos", "site_id = ?", id); n != 0 {
		t.Fatalf("photos after refusals: %d", n)
	}
	r := a.Upload(path, w.tok["d1_admin"], "馆内.png", img, map[string]string{"caption": "序厅"})
	collegetest.MustStatus(t, r, 201)
	first := r.JSON(t)
	if first["caption"] != "序厅" || first["url"] != fmt.Sprintf("/api/v1/site-photos/%d", r.ID(t)) {
		t.Fatalf("photo: %s", r.Body)
	}
	// A learner sees an in-use site's pictures.
	list := a.Do("GET", path, w.tok["ua_cadre"], nil)
	collegetest.MustStatus(t, list, 200)
	got := a.Do("GET", first["url"].(string), w.tok["ua_cadre"], nil)
	collegetest.MustStatus(t, got, 200)
	if !bytes.Equal(got.Body, img) || got.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("served %d bytes as %q", len(got.Body), got.Header.Get("Content-Type"))
	}

	// The page's form and delete button.
	b := collegetest.LoginPages(a, "d1_admin", collegetest.UserPassword)
	detail := fmt.Sprintf("/admin/sites/%d", id)
	r = collegetest.PageUpload(b, detail, detail+"/photos", "展厅.png", pngBytes(t), map[string]string{"caption": "主展厅"})
	collegetest.MustRedirect(t, r, detail+"#photos")
	page := collegetest.PageGet(b, detail, 200)
	collegetest.MustContain(t, page, "已上传照片", "主展厅", "2 张")
	r = collegetest.PagePostFrom(b, detail, fmt.Sprintf("%s/photos/%d/delete", detail, uint64(first["id"].(float64))), url.Values{})
	collegetest.MustRedirect(t, r, detail+"#photos")
	collegetest.MustStatus(t, a.Do("GET", first["url"].(string), w.tok["ua_cadre"], nil), 404)

	// At most MaxPhotos.
	for a.Count("site_photos", "site_id = ?", id) < sites.MaxPhotos {
		collegetest.MustStatus(t, a.Upload(path, w.tok["org"], "p.png", img, nil), 201)
	}
	collegetest.MustRefuse(t, a.Upload(path, w.tok["org"], "p.png", img, nil), 409, "too_many_photos")
	var last uint64
	a.DB.Table("site_photos").Where("site_id = ?", id).Select("MAX(id)").Scan(&last)
	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/site-photos/%d", last), w.tok["d2_admin"], nil), 404)
	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/site-photos/%d", last), w.tok["d1_admin"], nil), 204)
	if n := a.Count("site_photos", "site_id = ?", id); n != sites.MaxPhotos-1 {
		t.Fatalf("photos after a delete: %d", n)
	}
	if len(a.AuditRows("site.photo.delete")) != 2 {
		t.Fatal("want two site.photo.delete entries")
	}
}
