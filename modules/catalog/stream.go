package catalog

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// Accounts tells whether a user's account may still be used (the identity
// module): a signed stream link dies with its account.
type Accounts interface {
	Active(ctx context.Context, userID uint64) (bool, error)
}

// SetAccounts wires the account check of signed stream links.
func (s *Service) SetAccounts(a Accounts) { s.accounts = a }

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// accountTTL is how long an account check is reused: a disabled account's
// links stop working within this time on every instance.
const accountTTL = 5 * time.Second

type accountState struct {
	active bool
	at     time.Time
}

// accountActive checks the account behind a signed link, cached briefly
// because a player fetches many ranges of one video.
func (s *Service) accountActive(ctx context.Context, userID uint64) (bool, error) {
	if s.accounts == nil {
		return false, nil
	}
	now := s.now()
	s.accMu.Lock()
	st, ok := s.accCache[userID]
	s.accMu.Unlock()
	if ok && now.Sub(st.at) >= 0 && now.Sub(st.at) < accountTTL {
		return st.active, nil
	}
	active, err := s.accounts.Active(ctx, userID)
	if err != nil {
		return false, err
	}
	s.accMu.Lock()
	if s.accCache == nil || len(s.accCache) > 10000 {
		s.accCache = map[uint64]accountState{}
	}
	s.accCache[userID] = accountState{active: active, at: now}
	s.accMu.Unlock()
	return active, nil
}

// SignStream makes a short-lived link to a lesson's media for one user.
func (s *Service) SignStream(ctx context.Context, lessonID, userID uint64) (string, time.Time) {
	exp := s.now().Add(time.Duration(s.settings.Int(ctx, SetLinkMinutes)) * time.Minute).Unix()
	q := "u=" + strconv.FormatUint(userID, 10) + "&e=" + strconv.FormatInt(exp, 10) + "&s=" + s.sign(lessonID, userID, exp)
	return fmt.Sprintf("/api/v1/lessons/%d/stream?%s", lessonID, q), time.Unix(exp, 0).UTC()
}

func (s *Service) sign(lessonID, userID uint64, exp int64) string {
	m := hmac.New(sha256.New, s.signKey)
	fmt.Fprintf(m, "stream:%d:%d:%d", lessonID, userID, exp)
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// CheckStreamSignature verifies a signed link and that the account it was
// made for is still enabled; it returns that user.
func (s *Service) CheckStreamSignature(ctx context.Context, lessonID uint64, u, e, sig string) (uint64, bool, error) {
	uid, err1 := strconv.ParseUint(u, 10, 64)
	exp, err2 := strconv.ParseInt(e, 10, 64)
	if err1 != nil || err2 != nil || s.now().Unix() > exp {
		return 0, false, nil
	}
	if !hmac.Equal([]byte(sig), []byte(s.sign(lessonID, uid, exp))) {
		return 0, false, nil
	}
	active, err := s.accountActive(ctx, uid)
	if err != nil || !active {
		return 0, false, err
	}
	return uid, true, nil
}
