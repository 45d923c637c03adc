package training

import (
	"regexp"
	"testing"
	"time"

	"college/modules/hours"
	"college/modules/web"
)

func TestCreditPartsSplitsAClassAcrossTwoYears(t *testing.T) {
	now := time.Date(2027, 1, 10, 12, 0, 0, 0, web.Shanghai)
	// 28 Dec – 3 Jan: 4 days in 2026, 3 in 2027.
	c := &Class{ID: 7, Title: "跨年班", Kind: "主体班", StartsOn: "2026-12-28", EndsOn: "2027-01-03"}
	parts := creditParts(c, web.HoursFromFloat(42), now)
	if len(parts) != 2 {
		t.Fatalf("parts: %+v", parts)
	}
	if parts[0].Hours != web.HoursFromFloat(24) || parts[1].Hours != web.HoursFromFloat(18) {
		t.Fatalf("split %v + %v, want 24 + 18", parts[0].Hours, parts[1].Hours)
	}
	if hours.YearOf(parts[0].EarnedAt) != 2026 || hours.YearOf(parts[1].EarnedAt) != 2027 {
		t.Fatalf("years %d, %d", hours.YearOf(parts[0].EarnedAt), hours.YearOf(parts[1].EarnedAt))
	}
	if parts[0].SourceType != hours.SourceClass || parts[1].SourceType != hours.SourceClassNextYear || parts[0].SourceID != 7 || parts[1].SourceID != 7 {
		t.Fatalf("sources: %+v", parts)
	}
	if parts[0].Category != hours.CategoryCentralized {
		t.Fatalf("category %s", parts[0].Category)
	}
	for _, p := range parts {
		if err := p.Validate(); err == nil {
			t.Fatal("a credit without a user validated") // the caller sets the user
		}
		p.UserID = 1
		if err := p.Validate(); err != nil {
			t.Fatalf("credit invalid: %v", err)
		}
	}
}

func TestCreditPartsOneYearAndOnlineClasses(t *testing.T) {
	now := time.Date(2026, 6, 20, 12, 0, 0, 0, web.Shanghai)
	c := &Class{ID: 3, Title: "网络班", Kind: OnlineKind, StartsOn: "2026-06-01", EndsOn: "2026-06-10"}
	parts := creditParts(c, web.HoursFromFloat(20), now)
	if len(parts) != 1 || parts[0].Hours != web.HoursFromFloat(20) || parts[0].Category != hours.CategoryOnline {
		t.Fatalf("one year: %+v", parts)
	}
	// Earned on the last day, not on the day the host closed the class.
	if got := parts[0].EarnedAt.In(web.Shanghai).Format(time.DateOnly); got != "2026-06-10" {
		t.Fatalf("earned on %s", got)
	}
	// A class closed early counts on the day it closed.
	early := time.Date(2026, 6, 5, 15, 0, 0, 0, web.Shanghai)
	if got := creditParts(c, 2000, early)[0].EarnedAt; !got.Equal(early) {
		t.Fatalf("early close earned at %v", got)
	}
}

func TestSerialsAreUniqueAndReadable(t *testing.T) {
	// Ten random characters (50 bits): enumerating serials is hopeless.
	re := regexp.MustCompile(`^2026-0012-0003-[A-HJ-NP-Z2-9]{10}$`)
	seen := map[string]bool{}
	for range 200 {
		s := newSerial(2026, 12, 3)
		if !re.MatchString(s) {
			t.Fatalf("serial %q", s)
		}
		seen[s] = true
	}
	if len(seen) != 200 {
		t.Fatalf("only %d distinct random parts in 200", len(seen))
	}
}

func TestMaskNameKeepsFirstAndLast(t *testing.T) {
	for in, want := range map[string]string{"张建国": "张*国", "张三": "张*", "欧阳小明": "欧**明", "王": "*", "": "", " 李四 ": "李*"} {
		if got := maskName(in); got != want {
			t.Errorf("maskName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQuotaOrgPicksTheDeepestQuota(t *testing.T) {
	qs := []Quota{{OrgID: 2, Quota: 5}, {OrgID: 4, Quota: 3}}
	if id, ok := quotaOrg(qs, "/1/2/4/9/"); !ok || id != 4 {
		t.Fatalf("deepest: %d %v", id, ok)
	}
	if id, ok := quotaOrg(qs, "/1/2/5/"); !ok || id != 2 {
		t.Fatalf("district quota: %d %v", id, ok)
	}
	if _, ok := quotaOrg(qs, "/1/3/"); ok {
		t.Fatal("a unit without a quota got one")
	}
	if id, ok := quotaOrg(nil, "/1/3/"); !ok || id != 0 {
		t.Fatal("a class without unit quotas refused")
	}
}
