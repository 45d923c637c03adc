package sites

import (
	"strings"
	"time"
	"unicode/utf8"

	"college/modules/web"
)

// SiteRequest proposes a site or edits a proposed one.
type SiteRequest struct {
	Name       string   `json:"name"`
	Category   string   `json:"category"`
	OrgID      uint64   `json:"org_id"`
	Capacity   int      `json:"capacity"`
	Address    string   `json:"address"`
	Lat        *float64 `json:"lat,omitempty"`
	Lng        *float64 `json:"lng,omitempty"`
	HostName   string   `json:"host_name,omitempty"`
	HostPhone  string   `json:"host_phone,omitempty"`
	Intro      string   `json:"intro,omitempty"`
	Facilities string   `json:"facilities,omitempty"`
	OpenDays   string   `json:"open_days,omitempty"` // ISO weekdays, "12345" by default
	OpensAt    string   `json:"opens_at,omitempty"`  // HH:MM, "09:00" by default
	ClosesAt   string   `json:"closes_at,omitempty"` // HH:MM, "17:00" by default
}

// StepRequest carries the reason (or the reviewers' opinion) of a step.
type StepRequest struct {
	Reason string `json:"reason"`
}

// BookingRequest books a site for a timetable session, or for a date and
// slot with a group size.
type BookingRequest struct {
	SessionID uint64 `json:"session_id,omitempty"`
	Date      string `json:"date,omitempty"`      // YYYY-MM-DD
	StartsAt  string `json:"starts_at,omitempty"` // HH:MM Beijing
	EndsAt    string `json:"ends_at,omitempty"`
	GroupSize int    `json:"group_size,omitempty"`
	Purpose   string `json:"purpose,omitempty"`
}

// CategoryRequest adds a category.
type CategoryRequest struct {
	Name string `json:"name"`
}

// SiteResponse is a site as the API shows it.
type SiteResponse struct {
	ID            uint64   `json:"id"`
	Name          string   `json:"name"`
	Category      string   `json:"category"`
	OrgID         uint64   `json:"org_id"`
	OrgName       string   `json:"org_name"`
	Address       string   `json:"address"`
	Lat           *float64 `json:"lat,omitempty"`
	Lng           *float64 `json:"lng,omitempty"`
	Capacity      int      `json:"capacity"`
	HostName      string   `json:"host_name"`
	HostPhone     string   `json:"host_phone"`
	Intro         string   `json:"intro"`
	Facilities    string   `json:"facilities"`
	OpenDays      string   `json:"open_days"`
	OpensAt       string   `json:"opens_at"`
	ClosesAt      string   `json:"closes_at"`
	Status        string   `json:"status"`
	StatusName    string   `json:"status_name"`
	StatusReason  string   `json:"status_reason"`
	ReviewOpinion string   `json:"review_opinion"`
}

// BookingResponse is a booking as the API shows it.
type BookingResponse struct {
	ID        uint64 `json:"id"`
	SiteID    uint64 `json:"site_id"`
	Date      string `json:"date"`
	StartsAt  string `json:"starts_at"`
	EndsAt    string `json:"ends_at"`
	GroupSize int    `json:"group_size"`
	SessionID uint64 `json:"session_id,omitempty"`
	Purpose   string `json:"purpose"`
	Status    string `json:"status"`
	Reason    string `json:"reason"`
}

// CategoryResponse is one category.
type CategoryResponse struct {
	ID   uint64 `json:"id"`
	Name string `json:"name"`
}

func siteResponse(s *Site, orgName string) SiteResponse {
	return SiteResponse{ID: s.ID, Name: s.Name, Category: s.Category, OrgID: s.OrgID, OrgName: orgName, Address: s.Address, Lat: s.Lat, Lng: s.Lng,
		Capacity: s.Capacity, HostName: s.HostName, HostPhone: s.HostPhone, Intro: s.Intro, Facilities: s.Facilities, OpenDays: s.OpenDays,
		OpensAt: s.OpensAt, ClosesAt: s.ClosesAt, Status: s.Status, StatusName: StatusNames[s.Status], StatusReason: s.StatusReason, ReviewOpinion: s.ReviewOpinion}
}

func bookingResponse(b *Booking) BookingResponse {
	return BookingResponse{ID: b.ID, SiteID: b.SiteID, Date: b.Date, StartsAt: b.StartsAt, EndsAt: b.EndsAt, GroupSize: b.GroupSize,
		SessionID: b.SessionID, Purpose: b.Purpose, Status: b.Status, Reason: b.Reason}
}

// validClock reports whether s is a 24-hour HH:MM time.
func validClock(s string) bool {
	if len(s) != 5 {
		return false
	}
	_, err := time.Parse("15:04", s)
	return err == nil
}

// validDate reports whether s is a YYYY-MM-DD date.
func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil && len(s) == 10
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// normalize trims the request and fills the default opening hours.
func (in *SiteRequest) normalize() {
	in.Name, in.Category, in.Address = strings.TrimSpace(in.Name), strings.TrimSpace(in.Category), strings.TrimSpace(in.Address)
	in.HostName, in.HostPhone = strings.TrimSpace(in.HostName), strings.TrimSpace(in.HostPhone)
	if in.OpenDays == "" {
		in.OpenDays = "12345"
	}
	if in.OpensAt == "" {
		in.OpensAt = "09:00"
	}
	if in.ClosesAt == "" {
		in.ClosesAt = "17:00"
	}
}

// Validate checks a site request (the category's existence is the
// service's check).
func (in *SiteRequest) Validate() error {
	errs := map[string]string{}
	if in.Name == "" {
		errs["name"] = "请填写教学点名称"
	} else if tooLong(in.Name, 200) {
		errs["name"] = "名称不超过 200 字"
	}
	if in.Category == "" {
		errs["category"] = "请选择类别"
	}
	if in.OrgID == 0 {
		errs["org_id"] = "请选择所属区县或单位"
	}
	if in.Capacity < 1 || in.Capacity > 10000 {
		errs["capacity"] = "可接待人数应为 1 至 10000"
	}
	if in.Address == "" {
		errs["address"] = "请填写地址"
	} else if tooLong(in.Address, 300) {
		errs["address"] = "地址不超过 300 字"
	}
	if (in.Lat == nil) != (in.Lng == nil) || (in.Lat != nil && (*in.Lat < -90 || *in.Lat > 90 || *in.Lng < -180 || *in.Lng > 180)) {
		errs["lat"] = "坐标应同时填写经度和纬度，且在有效范围内"
	}
	if tooLong(in.HostName, 100) || tooLong(in.HostPhone, 40) {
		errs["host_name"] = "联系人或电话过长"
	}
	for _, r := range in.OpenDays {
		if r < '1' || r > '7' || strings.Count(in.OpenDays, string(r)) > 1 {
			errs["open_days"] = "开放日应为 1（周一）至 7（周日）的数字，如 12345"
			break
		}
	}
	if !validClock(in.OpensAt) {
		errs["opens_at"] = "开放时间格式应为 HH:MM"
	}
	if !validClock(in.ClosesAt) {
		errs["closes_at"] = "关闭时间格式应为 HH:MM"
	} else if validClock(in.OpensAt) && in.ClosesAt <= in.OpensAt {
		errs["closes_at"] = "关闭时间应晚于开放时间"
	}
	if len(errs) > 0 {
		return web.Invalid(errs)
	}
	return nil
}

// Validate checks the shape of a slot booking (a session booking is read
// from the timetable).
func (in *BookingRequest) Validate() error {
	errs := map[string]string{}
	if in.SessionID != 0 {
		if in.Date != "" || in.StartsAt != "" || in.EndsAt != "" {
			errs["session_id"] = "按课表场次预约时不填日期和时段"
		}
	} else {
		if !validDate(in.Date) {
			errs["date"] = "日期格式应为 YYYY-MM-DD"
		}
		if !validClock(in.StartsAt) {
			errs["starts_at"] = "开始时间格式应为 HH:MM"
		}
		if !validClock(in.EndsAt) {
			errs["ends_at"] = "结束时间格式应为 HH:MM"
		} else if validClock(in.StartsAt) && in.EndsAt <= in.StartsAt {
			errs["ends_at"] = "结束时间应晚于开始时间"
		}
		if in.GroupSize < 1 {
			errs["group_size"] = "请填写参加人数"
		}
	}
	if tooLong(in.Purpose, 200) {
		errs["purpose"] = "用途不超过 200 字"
	}
	if len(errs) > 0 {
		return web.Invalid(errs)
	}
	return nil
}
