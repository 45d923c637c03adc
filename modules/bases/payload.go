package bases

import (
	"strings"
	"time"
	"unicode/utf8"

	"college/modules/web"
)

// BaseRequest is an application for admission (准入申请) or its correction.
type BaseRequest struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	OrgID       uint64 `json:"org_id"`
	Address     string `json:"address"`
	Capacity    int    `json:"capacity"`
	Contact     string `json:"contact"`
	OfficePhone string `json:"office_phone"` // an office line, never a personal mobile
	Intro       string `json:"intro"`
}

// ReasonRequest carries the reason of a rejection, suspension or withdrawal.
type ReasonRequest struct {
	Reason string `json:"reason"`
}

// CheckRequest records a yearly re-check (复核).
type CheckRequest struct {
	Year   int    `json:"year"`
	Result string `json:"result"`
	Note   string `json:"note"`
}

// BaseItem is a base in a list.
type BaseItem struct {
	ID         uint64     `json:"id"`
	Name       string     `json:"name"`
	Kind       string     `json:"kind"`
	KindName   string     `json:"kind_name"`
	OrgID      uint64     `json:"org_id"`
	OrgName    string     `json:"org_name"`
	Address    string     `json:"address"`
	Capacity   int        `json:"capacity"`
	Status     string     `json:"status"`
	StatusName string     `json:"status_name"`
	FiledAt    *time.Time `json:"filed_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

// BaseResponse is a base with its documents, checks and what the caller may do.
type BaseResponse struct {
	BaseItem
	Contact     string             `json:"contact"`
	OfficePhone string             `json:"office_phone"`
	Intro       string             `json:"intro"`
	Reason      string             `json:"reason,omitempty"`
	Documents   []DocumentResponse `json:"documents"`
	Checks      []CheckResponse    `json:"checks"`
	Actions     []string           `json:"actions"` // the transitions the caller may make now
}

// PublicBase is what everyone sees of a filed base.
type PublicBase struct {
	ID          uint64 `json:"id"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	KindName    string `json:"kind_name"`
	OrgName     string `json:"org_name"`
	Address     string `json:"address"`
	Capacity    int    `json:"capacity"`
	OfficePhone string `json:"office_phone"`
	Intro       string `json:"intro"`
}

// DocumentResponse is an uploaded application document.
type DocumentResponse struct {
	ID        uint64    `json:"id"`
	Name      string    `json:"name"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"`
}

// CheckResponse is a yearly re-check.
type CheckResponse struct {
	ID         uint64    `json:"id"`
	Year       int       `json:"year"`
	Result     string    `json:"result"`
	ResultName string    `json:"result_name"`
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
}

// normalize trims the text fields.
func (in *BaseRequest) normalize() {
	for _, f := range []*string{&in.Name, &in.Kind, &in.Address, &in.Contact, &in.OfficePhone, &in.Intro} {
		*f = strings.TrimSpace(*f)
	}
}

// validate checks an application before it is stored.
func (in *BaseRequest) validate() error {
	in.normalize()
	f := web.Fields{}
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		f["name"] = "请填写基地名称"
	case n > 200:
		f["name"] = "基地名称不能超过 200 个字"
	}
	if KindNames[in.Kind] == "" {
		f["kind"] = "基地类别应为 party（党性教育基地）、university（高校基地）、grassroots（基层干部培训特色基地）或 other（其他）"
	}
	if in.OrgID == 0 {
		f["org_id"] = "请选择管理单位"
	}
	if in.Capacity < 1 || in.Capacity > 100000 {
		f["capacity"] = "可容纳人数应为 1 至 100000"
	}
	if utf8.RuneCountInString(in.Address) > 255 {
		f["address"] = "地址不能超过 255 个字"
	}
	if utf8.RuneCountInString(in.Contact) > 50 {
		f["contact"] = "联系人不能超过 50 个字"
	}
	if !officePhone(in.OfficePhone) {
		f["office_phone"] = "请填写办公电话（如 010-12345678），不要填写个人手机号"
	}
	if utf8.RuneCountInString(in.Intro) > 5000 {
		f["intro"] = "基地简介不能超过 5000 字"
	}
	return f.Err()
}

// officePhone accepts an empty value or a fixed line: digits with dashes,
// an optional extension, and not an 11-digit mobile number.
func officePhone(s string) bool {
	if s == "" {
		return true
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-' || r == ' ' || r == '转':
		default:
			return false
		}
	}
	mobile := len(s) == 11 && s[0] == '1' && digits == 11
	return digits >= 7 && digits <= 20 && !mobile
}

// validReason checks a required reason.
func validReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		return "", web.Invalid(map[string]string{"reason": "请填写原因"})
	case n > 500:
		return "", web.Invalid(map[string]string{"reason": "原因不能超过 500 字"})
	}
	return reason, nil
}
