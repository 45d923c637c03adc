package training

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"time"

	"college/modules/hours"
	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// File kinds a host attaches at graduation.
const (
	FilePlan      = "plan"
	FileSignIn    = "signin_sheet"
	FileTimetable = "timetable"
	FileOther     = "other"
)

// FileKindNames are the Chinese names of file kinds.
var FileKindNames = map[string]string{FilePlan: "培训方案", FileSignIn: "签到表", FileTimetable: "课程表", FileOther: "其他材料"}

// requiredFiles must be attached before graduation (a setting).
var requiredFiles = []string{FilePlan, FileSignIn, FileTimetable}

// MaxFileBytes bounds an attached file.
const MaxFileBytes = 20 << 20

// serialAlphabet avoids letters and digits that read alike.
const serialAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// serialRandom is the length of a serial's random part: 10 characters of a
// 32-letter alphabet are 50 bits, beyond guessing at any rate the public
// check allows. Serials issued before with 4 characters still verify.
const serialRandom = 10

// newSerial numbers a certificate: year, class, sequence and a random
// check part, so serials cannot be guessed one from another.
func newSerial(year int, classID uint64, seq int) string {
	var b [serialRandom]byte
	_, _ = rand.Read(b[:])
	suffix := make([]byte, serialRandom)
	for i := range suffix {
		suffix[i] = serialAlphabet[int(b[i])%len(serialAlphabet)] // 256 is a multiple of 32: uniform
	}
	return fmt.Sprintf("%d-%04d-%04d-%s", year, classID, seq, suffix)
}

// creditParts splits a class's hours by calendar year when it spans two
// years (DOMAIN.md: a class spanning two years splits by its dates).
func creditParts(c *Class, total web.Hours, now time.Time) []hours.Credit {
	start, _ := ParseDate(c.StartsOn)
	end, _ := ParseDate(c.EndsOn)
	earned := end.Add(18 * time.Hour)
	if earned.After(now) {
		earned = now // a shortened class closed early
	}
	category := hours.CategoryCentralized
	if c.Kind == OnlineKind {
		category = hours.CategoryOnline
	}
	base := hours.Credit{Hours: total, Category: category, Kind: hours.KindRequired, SourceType: hours.SourceClass, SourceID: c.ID, Title: c.Title, EarnedAt: earned}
	if start.Year() == earned.In(web.Shanghai).Year() {
		return []hours.Credit{base}
	}
	yearEnd := time.Date(start.Year(), 12, 31, 0, 0, 0, 0, web.Shanghai)
	firstDays := int(yearEnd.Sub(start).Hours()/24+0.5) + 1
	allDays := int(end.Sub(start).Hours()/24+0.5) + 1
	if end.After(earned) {
		allDays = max(firstDays, int(earned.Sub(start).Hours()/24)+1)
	}
	first := web.Hours(int64(total) * int64(firstDays) / int64(allDays))
	if first <= 0 || first >= total {
		return []hours.Credit{base}
	}
	one := base
	one.Hours, one.EarnedAt = first, yearEnd.Add(18*time.Hour)
	two := base
	two.Hours, two.SourceType = total-first, hours.SourceClassNextYear
	return []hours.Credit{one, two}
}

// Graduate closes a class (结班): absentees are removed, trainees who miss
// a graduation rule are marked incomplete, and every graduate gets the
// class hours once and a certificate. The state change and the credits
// commit together, so a second call finds the class graduated (409).
func (s *Service) Graduate(ctx context.Context, p *web.Principal, classID uint64, in GraduateRequest) (GraduateResponse, error) {
	var out GraduateResponse
	c, err := s.hostClass(ctx, p, classID)
	if err != nil {
		return out, err
	}
	if !classActions(p, c, c.Status).Graduate {
		return out, web.Conflict("wrong_state", "只有培训中的班次可以结班（当前："+StatusNames[c.Status]+"）")
	}
	if s.settings.Bool(ctx, SetRequireFiles) {
		var kinds []string
		if err := s.db.WithContext(ctx).Model(&File{}).Where("class_id = ?", classID).Distinct("kind").Pluck("kind", &kinds).Error; err != nil {
			return out, web.Internal(err)
		}
		var missing []string
		for _, k := range requiredFiles {
			if !slices.Contains(kinds, k) {
				missing = append(missing, FileKindNames[k])
			}
		}
		if len(missing) > 0 {
			return out, web.Unprocessable("files_missing", "结班前请上传："+strings.Join(missing, "、"))
		}
	}
	_, roster, sessions, _, err := s.Roster(ctx, p, classID)
	if err != nil {
		return out, err
	}
	absent := map[uint64]bool{}
	for _, id := range in.AbsentUserIDs {
		absent[id] = true
	}
	for id := range absent {
		// Any trainee of the roster: one already graduated by a concurrent
		// call is not a bad request; that call's 409 comes from the transaction.
		if !slices.ContainsFunc(roster, func(r RosterRow) bool { return r.UserID == id }) {
			return out, web.Invalid(map[string]string{"absent_user_ids": fmt.Sprintf("用户 %d 不是本班次已录取的学员", id)})
		}
	}
	total := s.classHours(ctx, c)
	if total <= 0 {
		return out, web.Unprocessable("no_hours", "班次学时为 0，请先设置学时")
	}
	people := map[uint64]Person{}
	ids := make([]uint64, 0, len(roster))
	for _, r := range roster {
		ids = append(ids, r.UserID)
	}
	if people, err = s.people.People(ctx, ids); err != nil {
		return out, web.Internal(err)
	}
	hostName := s.people.OrgName(ctx, c.HostOrgID)
	var missingEvals map[uint64]int
	if c.RequireEval && s.evals != nil {
		if missingEvals, err = s.evals.Missing(ctx, c.ID, ids); err != nil {
			return out, web.Internal(err)
		}
	}
	type verdict struct {
		row     RosterRow
		status  string
		reasons []string
	}
	var verdicts []verdict
	for _, r := range roster {
		if r.Status != RegApproved {
			continue
		}
		v := verdict{row: r, status: RegGraduated}
		switch {
		case absent[r.UserID]:
			v.status = RegAbsent
		default:
			if c.MinAttendance > 0 && len(sessions) > 0 && r.Attendance < c.MinAttendance {
				v.reasons = append(v.reasons, fmt.Sprintf("出勤率 %d%%，低于要求的 %d%%", r.Attendance, c.MinAttendance))
			}
			if c.RequireCourses && r.CoursesDone < r.CoursesReq {
				v.reasons = append(v.reasons, fmt.Sprintf("必修网络课程完成 %d/%d", r.CoursesDone, r.CoursesReq))
			}
			if c.ExamID != 0 && (r.ExamPassed == nil || !*r.ExamPassed) {
				v.reasons = append(v.reasons, "结业考试未通过")
			}
			if n := missingEvals[r.UserID]; n > 0 {
				v.reasons = append(v.reasons, fmt.Sprintf("有 %d 项评估未提交", n))
			}
			if slices.Contains(r.Flags, "leave") {
				v.reasons = append(v.reasons, "请假超过规定比例")
			}
			if len(v.reasons) > 0 {
				v.status = RegIncomplete
			}
		}
		verdicts = append(verdicts, v)
	}
	now := s.now()
	issued := now.In(web.Shanghai).Format(time.DateOnly)
	parts := creditParts(c, total, now)
	var certs []CertificateRef
	var graduates []uint64
	absentN, incompleteN := 0, 0
	for _, v := range verdicts {
		switch v.status {
		case RegAbsent:
			absentN++
		case RegIncomplete:
			incompleteN++
		}
	}
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		certs, graduates = nil, nil
		res := tx.Model(&Class{}).Where("id = ? AND status = ?", classID, StatusInSession).
			Updates(map[string]any{"status": StatusGraduated, "graduated_at": now.UTC(), "updated_at": now.UTC()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return web.Conflict("wrong_state", "班次已结班")
		}
		seq := 0
		for _, v := range verdicts {
			note := strings.Join(v.reasons, "；")
			res := tx.Model(&Registration{}).Where("id = ? AND status = ?", v.row.ID, RegApproved).
				Updates(map[string]any{"status": v.status, "note": note, "decided_by": p.UserID, "decided_at": now.UTC(), "updated_at": now.UTC()})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 || v.status != RegGraduated {
				continue // withdrawn while the verdicts were made: no hours, no certificate
			}
			for _, part := range parts {
				part.UserID = v.row.UserID
				if _, err := s.ledger.Credit(ctx, tx, part); err != nil {
					return err
				}
			}
			seq++
			cert := Certificate{Serial: newSerial(now.In(web.Shanghai).Year(), c.ID, seq), ClassID: c.ID, UserID: v.row.UserID,
				Name: people[v.row.UserID].Name, ClassTitle: c.Title, HostName: hostName, Hours: total, IssuedOn: issued, CreatedAt: now.UTC()}
			if err := tx.Create(&cert).Error; err != nil {
				return err
			}
			certs = append(certs, CertificateRef{UserID: cert.UserID, Serial: cert.Serial})
			graduates = append(graduates, cert.UserID)
		}
		return s.recordTx(tx, p, "class.graduate", "class", classID, map[string]any{"graduated": len(certs), "absent": absentN, "incomplete": incompleteN, "hours": total})
	})
	if err != nil {
		return out, txError(err)
	}
	c.Status = StatusGraduated
	out = GraduateResponse{Graduated: len(certs), Certificates: certs, Hours: total, Incomplete: []Shortfall{}}
	for _, v := range verdicts {
		switch v.status {
		case RegAbsent:
			out.Absent++
		case RegIncomplete:
			out.Incomplete = append(out.Incomplete, Shortfall{UserID: v.row.UserID, Name: v.row.Name, Reasons: v.reasons})
			s.notify(ctx, []uint64{v.row.UserID}, Message{Title: "未达到结业要求：" + c.Title, Body: strings.Join(v.reasons, "；"), Link: fmt.Sprintf("/classes/%d", c.ID)})
		}
	}
	for _, cr := range certs {
		s.notify(ctx, []uint64{cr.UserID}, Message{Title: "您已结业：" + c.Title, Body: fmt.Sprintf("获得 %s 学时，结业证书编号 %s。", total, cr.Serial), Link: "/certificates/" + cr.Serial})
	}
	for _, h := range s.hooks {
		if err := h(ctx, c, graduates); err != nil {
			s.log.Error("training: graduation hook", "class", c.ID, "err", err)
		}
	}
	return out, nil
}

// VerifyCertificate looks a certificate up by serial with the holder's
// details (ID number masked), for its holder and the managers of its class;
// the public check is CheckCertificate.
func (s *Service) VerifyCertificate(ctx context.Context, serial string) (CertificateView, error) {
	cert, err := s.certificateBySerial(ctx, serial)
	if err != nil {
		return CertificateView{}, err
	}
	v := CertificateView{Serial: cert.Serial, Name: cert.Name, ClassTitle: cert.ClassTitle, HostName: cert.HostName, Hours: cert.Hours,
		IssuedOn: cert.IssuedOn, UserID: cert.UserID, ClassID: cert.ClassID}
	if u, err := s.people.Person(ctx, cert.UserID); err == nil && u != nil {
		v.IDNumber, v.OrgName = u.IDNumber, u.OrgName
	}
	if c, err := s.classByID(ctx, cert.ClassID); err == nil {
		v.StartsOn, v.EndsOn = c.StartsOn, c.EndsOn
	}
	return v, nil
}

// MyCertificates lists the caller's certificates, newest first.
func (s *Service) MyCertificates(ctx context.Context, p *web.Principal) ([]Certificate, error) {
	var rows []Certificate
	if err := s.db.WithContext(ctx).Where("user_id = ?", p.UserID).Order("created_at DESC").Limit(500).Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	return rows, nil
}
