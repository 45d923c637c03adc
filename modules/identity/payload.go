package identity

import (
	"strings"
	"time"

	"college/modules/web"
)

// LoginRequest is the body of POST /auth/login.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	// OTP is the second factor: a 6-digit TOTP code or a recovery code.
	OTP string `json:"otp,omitempty"`
}

// MeUser is the user as login and /me show it.
type MeUser struct {
	ID                 uint64   `json:"id"`
	Username           string   `json:"username"`
	Name               string   `json:"name"`
	Roles              []string `json:"roles"`
	OrgID              uint64   `json:"org_id"`
	MustChangePassword bool     `json:"must_change_password"`
	// MFAEnrolmentRequired: the session may only enrol a second factor.
	MFAEnrolmentRequired bool   `json:"mfa_enrolment_required"`
	CSRFToken            string `json:"csrf_token,omitempty"` // only for cookie sessions
}

// LoginResponse is the answer to a successful login.
type LoginResponse struct {
	Token string `json:"token"`
	User  MeUser `json:"user"`
}

// OrgRequest creates or edits an organization.
type OrgRequest struct {
	Name     string  `json:"name"`
	Code     string  `json:"code"`
	ParentID *uint64 `json:"parent_id"`
	Kind     string  `json:"kind"`
	Sort     int     `json:"sort"`
}

// OrgResponse is an organization as the API shows it.
type OrgResponse struct {
	ID        uint64    `json:"id"`
	ParentID  *uint64   `json:"parent_id"`
	Name      string    `json:"name"`
	Code      string    `json:"code"`
	Kind      string    `json:"kind"`
	Depth     int       `json:"depth"`
	CreatedAt time.Time `json:"created_at"`
}

func orgResponse(o *Org) OrgResponse {
	return OrgResponse{ID: o.ID, ParentID: o.ParentID, Name: o.Name, Code: o.Code, Kind: o.Kind, Depth: strings.Count(o.Path, "/") - 2, CreatedAt: o.CreatedAt}
}

// UserRequest creates a user (PUT ignores username, password and roles).
type UserRequest struct {
	Username   string   `json:"username"`
	Name       string   `json:"name"`
	Password   string   `json:"password"`
	OrgID      uint64   `json:"org_id"`
	Roles      []string `json:"roles"`
	Level      string   `json:"level"`
	Post       string   `json:"post"`
	IDNumber   string   `json:"id_number"`
	Phone      string   `json:"phone"`
	TermEndsOn string   `json:"term_ends_on"`
	// MustChangePassword makes the user choose their own password at first
	// login (create only; default false on the API, on in the page form).
	MustChangePassword bool `json:"must_change_password"`
}

// UserResponse is a user as the API shows it: no hash, personal data masked.
type UserResponse struct {
	ID                 uint64     `json:"id"`
	Username           string     `json:"username"`
	Name               string     `json:"name"`
	OrgID              uint64     `json:"org_id"`
	OrgName            string     `json:"org_name,omitempty"`
	Roles              []string   `json:"roles"`
	Level              string     `json:"level"`
	Post               string     `json:"post"`
	IDNumber           string     `json:"id_number"`
	Phone              string     `json:"phone"`
	TermEndsOn         string     `json:"term_ends_on,omitempty"`
	Disabled           bool       `json:"disabled"`
	MustChangePassword bool       `json:"must_change_password"`
	LastLoginAt        *time.Time `json:"last_login_at,omitempty"`
	CreatedAt          time.Time  `json:"created_at"`
}

// RolesRequest replaces a user's roles.
type RolesRequest struct {
	Roles []string `json:"roles"`
}

// PasswordRequest sets a password (old_password when changing one's own).
type PasswordRequest struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

// ImportResponse is the answer to a successful import.
type ImportResponse struct {
	Created         int    `json:"created"`
	InitialPassword string `json:"initial_password,omitempty"`
}

// validRole reports whether r is a known role.
func validRole(r string) bool {
	_, ok := web.RoleNames[r]
	return ok
}

const dateLayout = "2006-01-02"

func parseDate(s string) (*time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return nil, false
	}
	return &t, true
}

// TOTPStart is the answer to starting an enrolment.
type TOTPStart struct {
	Secret     string `json:"secret"`
	OTPAuthURI string `json:"otpauth_uri"`
}

// TOTPConfirmRequest confirms an enrolment with a first code.
type TOTPConfirmRequest struct {
	Code string `json:"code"`
}

// TOTPConfirmed is the answer to a confirmed enrolment: the recovery codes,
// shown this once, and a new token when the session was limited.
type TOTPConfirmed struct {
	RecoveryCodes []string `json:"recovery_codes"`
	Token         string   `json:"token,omitempty"`
}
