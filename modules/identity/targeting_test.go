package identity_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"college/app/collegetest"
)

// A cadre's appointment date and tags are set by the admins of their subtree.
func TestSetTargeting(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	cadre := c.IDs["ua_cadre"]
	path := fmt.Sprintf("/api/v1/users/%d/targeting", cadre)
	cases := []struct {
		name   string
		token  string
		body   any
		status int
		field  string
	}{
		{"empty body", c.Tokens["ua_admin"], "", 400, ""},
		{"bad date", c.Tokens["ua_admin"], map[string]any{"appointed_on": "2025-13-01"}, 400, "appointed_on"},
		{"tag too long", c.Tokens["ua_admin"], map[string]any{"tags": []string{strings.Repeat("长", 51)}}, 400, "tags"},
		{"tag with comma", c.Tokens["ua_admin"], map[string]any{"tags": []string{"a,b"}}, 400, "tags"},
		{"another unit's admin", c.Tokens["ub_admin"], map[string]any{"tags": []string{"驻村第一书记"}}, 404, ""},
		{"a learner", c.Tokens["ua_cadre"], map[string]any{"tags": []string{"驻村第一书记"}}, 403, ""},
		{"the college", c.Tokens["col"], map[string]any{"tags": []string{"驻村第一书记"}}, 403, ""},
		{"the unit admin", c.Tokens["ua_admin"], map[string]any{"appointed_on": "2025-06-01", "tags": []string{" 驻村第一书记 ", "援藏干部", "驻村第一书记"}}, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := a.Do("PUT", path, tc.token, tc.body)
			collegetest.MustStatus(t, r, tc.status)
			if tc.field != "" {
				if _, ok := r.Fields(t)[tc.field]; !ok {
					t.Fatalf("fields: %s", r.Body)
				}
			}
		})
	}
	tags, err := a.Identity.TagsOf(context.Background(), cadre)
	if err != nil || strings.Join(tags, "|") != "援藏干部|驻村第一书记" {
		t.Fatalf("tags: %v %v", tags, err)
	}
	var on string
	a.DB.Table("users").Where("id = ?", cadre).Pluck("appointed_on", &on)
	if on != "2025-06-01" || a.AuditCount("user.targeting", cadre) != 1 {
		t.Fatalf("appointed_on %q, audits %d", on, a.AuditCount("user.targeting", cadre))
	}
	// The org department clears both.
	collegetest.MustStatus(t, a.Do("PUT", path, c.Tokens["org"], map[string]any{"appointed_on": "", "tags": []string{}}), 200)
	if n := a.Count("user_tags", "user_id = ?", cadre); n != 0 {
		t.Fatalf("%d tags left", n)
	}
}
