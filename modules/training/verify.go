package training

import (
	"context"
	"strconv"
	"strings"
	"time"

	"college/modules/settings"
	"college/modules/web"
)

// SetVerifyPerMinute bounds the public certificate checks of one client
// address per minute.
const SetVerifyPerMinute = "training.verify_per_minute"

var verifySettingDefs = []settings.Def{
	{Key: SetVerifyPerMinute, Group: settingsGroup, Label: "结业证书公开查验：每个地址每分钟最多次数", Help: "超过后该地址须等到下一分钟，防止逐个猜测证书编号", Kind: settings.KindInt, Default: "20", Min: 1, Max: 10000},
}

// CheckCertificate verifies a serial for anyone, at most a few times a
// minute from one client address (counted in Redis, so across instances).
func (s *Service) CheckCertificate(ctx context.Context, clientIP, serial string) (CertificateCheck, error) {
	if err := s.limitChecks(ctx, clientIP); err != nil {
		return CertificateCheck{}, err
	}
	cert, err := s.certificateBySerial(ctx, serial)
	if err != nil {
		return CertificateCheck{}, err
	}
	v := CertificateCheck{Serial: cert.Serial, Name: maskName(cert.Name), ClassTitle: cert.ClassTitle, HostName: cert.HostName,
		Hours: cert.Hours, IssuedOn: cert.IssuedOn, Valid: true}
	if c, err := s.classByID(ctx, cert.ClassID); err == nil {
		v.StartsOn, v.EndsOn = c.StartsOn, c.EndsOn
	}
	return v, nil
}

// limitChecks counts the checks of an address in the current minute.
func (s *Service) limitChecks(ctx context.Context, clientIP string) error {
	now := s.now()
	key := s.cache.Key("certcheck", clientIP, strconv.FormatInt(now.Unix()/60, 10))
	pipe := s.cache.Pipeline()
	n := pipe.Incr(ctx, key)
	pipe.Expire(ctx, key, 2*time.Minute)
	if _, err := pipe.Exec(ctx); err != nil {
		return web.Internal(err)
	}
	if n.Val() > int64(s.settings.Int(ctx, SetVerifyPerMinute)) {
		return web.TooMany("too_many_checks", "查验过于频繁，请稍后再试", 60-int(now.Unix()%60))
	}
	return nil
}

// certificateBySerial finds a certificate by its serial (any case, spaces
// trimmed); 404 when there is none.
func (s *Service) certificateBySerial(ctx context.Context, serial string) (*Certificate, error) {
	serial = strings.ToUpper(strings.TrimSpace(serial))
	if serial == "" || len(serial) > 40 {
		return nil, web.NotFound()
	}
	cert, err := web.Load[Certificate](s.db.WithContext(ctx).Where("serial = ?", serial))
	if err != nil {
		return nil, err
	}
	return cert, nil
}

// maskName keeps the first and the last character of a name: 张三 → 张*,
// 张小三 → 张*三, 欧阳小明 → 欧**明.
func maskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}
