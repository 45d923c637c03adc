package portal

import (
	"strings"
	"time"

	"college/modules/web"
)

// NoticeRequest creates or edits a notice or news item. Publish true
// publishes it at once; false keeps it (or makes it) a draft.
type NoticeRequest struct {
	Kind           string   `json:"kind"`
	Title          string   `json:"title"`
	Body           string   `json:"body"`
	Pinned         bool     `json:"pinned"`
	Publish        bool     `json:"publish"`
	ExpiresOn      string   `json:"expires_on"`      // YYYY-MM-DD, the last day shown; empty: never
	AudienceOrgID  uint64   `json:"audience_org_id"` // notices only; 0: every org
	AudienceLevels []string `json:"audience_levels"` // notices only; empty: every level
}

// NoticeItem is a notice in a list, without its body.
type NoticeItem struct {
	ID          uint64     `json:"id"`
	Kind        string     `json:"kind"`
	Title       string     `json:"title"`
	Pinned      bool       `json:"pinned"`
	Status      string     `json:"status"`
	Public      bool       `json:"public"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
}

// NoticeResponse is a notice with its sanitised body.
type NoticeResponse struct {
	NoticeItem
	Body           string    `json:"body"`
	ExpiresOn      string    `json:"expires_on,omitempty"`
	AudienceOrgID  uint64    `json:"audience_org_id"`
	AudienceLevels []string  `json:"audience_levels"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// CourseCard is a featured course on the portal.
type CourseCard struct {
	ID       uint64    `json:"id"`
	Title    string    `json:"title"`
	Summary  string    `json:"summary"`
	Teacher  string    `json:"teacher"`
	Hours    web.Hours `json:"hours"`
	CoverURL string    `json:"cover_url,omitempty"`
}

// ClassCard is a class taking registrations.
type ClassCard struct {
	ID          uint64    `json:"id"`
	Title       string    `json:"title"`
	HostOrgID   uint64    `json:"host_org_id"`
	HostName    string    `json:"host_name"`
	StartsOn    string    `json:"starts_on"`
	EndsOn      string    `json:"ends_on"`
	Place       string    `json:"place"`
	Online      bool      `json:"online"`
	Quota       int       `json:"quota"`
	Enrolled    int       `json:"enrolled"`
	RegClosesAt time.Time `json:"registration_closes_at"`
}

// PersonRank is one line of the people ranking: a name and a unit, never an
// ID number or a phone.
type PersonRank struct {
	Rank    int       `json:"rank"`
	Name    string    `json:"name"`
	OrgName string    `json:"org_name"`
	Hours   web.Hours `json:"hours"`
}

// UnitRank is one line of the unit ranking by online-hours compliance.
type UnitRank struct {
	Rank    int     `json:"rank"`
	Name    string  `json:"name"`
	Cadres  int64   `json:"cadres"`
	Met     int64   `json:"met"`
	Percent float64 `json:"percent"` // share of cadres at the online target, 0..100, one decimal
}

// Rankings are the 学习排行 of the year.
type Rankings struct {
	Year         int          `json:"year"`
	OnlineTarget web.Hours    `json:"online_target"`
	People       []PersonRank `json:"people"`
	Units        []UnitRank   `json:"units"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// College is a college (总部 or 分院).
type College struct {
	ID   uint64 `json:"id"`
	Name string `json:"name"`
	Path string `json:"-"`
}

// Footer is what the portal's footer shows (settings).
type Footer struct {
	Sponsor      string `json:"sponsor"`
	ICP          string `json:"icp"`
	PoliceFiling string `json:"police_filing"`
}

// PortalResponse is the public portal.
type PortalResponse struct {
	Notices         []NoticeItem `json:"notices"`
	News            []NoticeItem `json:"news"`
	FeaturedCourses []CourseCard `json:"featured_courses"`
	OpenClasses     []ClassCard  `json:"open_classes"`
	Rankings        Rankings     `json:"rankings"`
	Colleges        []College    `json:"colleges"`
	Footer          Footer       `json:"footer"`
}

// CollegeResponse is a college's page.
type CollegeResponse struct {
	ID          uint64      `json:"id"`
	Name        string      `json:"name"`
	Intro       string      `json:"intro"`
	OpenClasses []ClassCard `json:"open_classes"`
	CanEdit     bool        `json:"can_edit"`
}

// IntroRequest replaces a college's introduction.
type IntroRequest struct {
	Body string `json:"body"`
}

// ImageResponse is an uploaded image's address, for the editor.
type ImageResponse struct {
	URL string `json:"url"`
}

func noticeItem(n *Notice) NoticeItem {
	return NoticeItem{ID: n.ID, Kind: n.Kind, Title: n.Title, Pinned: n.Pinned, Status: n.Status, Public: n.Public(),
		PublishedAt: n.PublishedAt, ExpiresAt: n.ExpiresAt}
}

func noticeResponse(n *Notice) NoticeResponse {
	out := NoticeResponse{NoticeItem: noticeItem(n), Body: n.Body, AudienceOrgID: n.AudienceOrgID, AudienceLevels: levelList(n.AudienceLevels), UpdatedAt: n.UpdatedAt}
	if n.ExpiresAt != nil {
		out.ExpiresOn = n.ExpiresAt.In(web.Shanghai).Add(-time.Second).Format(time.DateOnly)
	}
	return out
}

// levelList splits ",县处级,乡科级," into its levels.
func levelList(col string) []string {
	out := []string{}
	for _, l := range strings.Split(col, ",") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}
