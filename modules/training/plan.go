package training

import (
	"context"
	"fmt"
	"strings"
	"time"

	"college/modules/web"

	"gorm.io/gorm"
)

// Quotas lists a class's unit quotas with their use.
func (s *Service) Quotas(ctx context.Context, classID uint64) ([]QuotaItem, error) {
	var rows []Quota
	if err := s.db.WithContext(ctx).Where("class_id = ?", classID).Order("org_id").Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	out := make([]QuotaItem, len(rows))
	for i, q := range rows {
		out[i] = QuotaItem{OrgID: q.OrgID, OrgName: s.people.OrgName(ctx, q.OrgID), Quota: q.Quota, Used: q.Used}
	}
	return out, nil
}

// Courses lists a class's courses with their titles.
func (s *Service) Courses(ctx context.Context, classID uint64) ([]CourseItem, error) {
	var rows []ClassCourse
	if err := s.db.WithContext(ctx).Where("class_id = ?", classID).Order("sort, course_id").Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.CourseID
	}
	titles := map[uint64]string{}
	if s.progress != nil && len(ids) > 0 {
		var err error
		if titles, err = s.progress.CourseTitles(ctx, ids); err != nil {
			return nil, web.Internal(err)
		}
	}
	out := make([]CourseItem, len(rows))
	for i, r := range rows {
		out[i] = CourseItem{CourseID: r.CourseID, Title: titles[r.CourseID], Required: r.Required, Hours: r.Hours}
	}
	return out, nil
}

// Sessions lists a class's timetable in time order.
func (s *Service) Sessions(ctx context.Context, classID uint64) ([]Session, error) {
	var rows []Session
	if err := s.db.WithContext(ctx).Where("class_id = ?", classID).Order("starts_at, id").Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	return rows, s.withBookedSites(ctx, rows)
}

// SetQuotas replaces the unit quotas of a class. The host may change them
// until registration opens; the org department while the plan is filed.
func (s *Service) SetQuotas(ctx context.Context, p *web.Principal, id uint64, in QuotasRequest) ([]QuotaItem, error) {
	c, err := s.managedClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !classActions(p, c, c.Status).Quotas {
		return nil, web.Conflict("wrong_state", "报名开放后不能再调整名额分配（当前："+StatusNames[c.Status]+"）")
	}
	f := web.Fields{}
	sum := 0
	seen := map[uint64]bool{}
	ids := make([]uint64, 0, len(in.Quotas))
	f.Check(len(in.Quotas) <= 500, "quotas", "最多 500 个单位")
	for i, q := range in.Quotas {
		name := fmt.Sprintf("quotas[%d]", i)
		if q.OrgID == 0 {
			f.Add(name+".org_id", "必须指定单位")
		}
		if seen[q.OrgID] {
			f.Add(name+".org_id", "单位重复")
		}
		seen[q.OrgID] = true
		if q.Quota < 1 {
			f.Add(name+".quota", "名额至少为 1")
		}
		sum += q.Quota
		ids = append(ids, q.OrgID)
	}
	if sum > c.Quota {
		f.Add("quotas", fmt.Sprintf("各单位名额之和（%d）超过班次总名额（%d）", sum, c.Quota))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if ok, err := s.orgsExist(ctx, ids); err != nil {
		return nil, err
	} else if !ok {
		return nil, web.Invalid(map[string]string{"quotas": "有单位不存在"})
	}
	rows := make([]Quota, len(in.Quotas))
	for i, q := range in.Quotas {
		rows[i] = Quota{ClassID: id, OrgID: q.OrgID, Quota: q.Quota}
	}
	if err := replaceClassRows(ctx, s, p, id, rows, "class.quotas", in.Quotas); err != nil {
		return nil, err
	}
	return s.Quotas(ctx, id)
}

// replaceClassRows replaces a class's rows of one table with rows, as p's
// action recorded with detail.
func replaceClassRows[T any](ctx context.Context, s *Service, p *web.Principal, classID uint64, rows []T, action string, detail any) error {
	return s.audited(ctx, p, func(tx *gorm.DB) error {
		if err := tx.Where("class_id = ?", classID).Delete(new(T)).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		return tx.Create(&rows).Error
	}, func() (string, string, uint64, any) {
		return action, "class", classID, detail
	})
}

// SetCourses replaces the online courses of a class.
func (s *Service) SetCourses(ctx context.Context, p *web.Principal, id uint64, in CoursesRequest) ([]CourseItem, error) {
	c, err := s.hostClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !classActions(p, c, c.Status).Courses {
		return nil, wrongState(c.Status, c.Status)
	}
	f := web.Fields{}
	f.Check(len(in.Courses) <= 200, "courses", "最多 200 门课程")
	ids := make([]uint64, 0, len(in.Courses))
	seen := map[uint64]bool{}
	for i, x := range in.Courses {
		if x.CourseID == 0 || seen[x.CourseID] {
			f.Add(fmt.Sprintf("courses[%d].course_id", i), "课程为空或重复")
		}
		seen[x.CourseID] = true
		f.Check(x.Hours >= 0 && x.Hours <= 10000, fmt.Sprintf("courses[%d].hours", i), "学时应在 0 到 100 之间")
		ids = append(ids, x.CourseID)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if len(ids) > 0 && s.progress != nil {
		problems, err := s.progress.CourseProblems(ctx, p, ids)
		if err != nil {
			return nil, web.Internal(err)
		}
		for i, id := range ids {
			if msg := problems[id]; msg != "" {
				f.Add(fmt.Sprintf("courses[%d].course_id", i), msg)
			}
		}
		if len(f) > 0 {
			e := web.Unprocessable("course_unavailable", "所选课程不能用于本班次")
			e.Fields = f
			return nil, e
		}
	}
	rows := make([]ClassCourse, len(in.Courses))
	for i, x := range in.Courses {
		rows[i] = ClassCourse{ClassID: id, CourseID: x.CourseID, Required: x.Required, Hours: x.Hours, Sort: i}
	}
	if err := replaceClassRows(ctx, s, p, id, rows, "class.courses", in.Courses); err != nil {
		return nil, err
	}
	return s.Courses(ctx, id)
}

func (s *Service) validateSession(ctx context.Context, c *Class, in *SessionRequest) error {
	f := web.Fields{}
	in.Topic = strings.TrimSpace(in.Topic)
	f.Required("topic", in.Topic)
	f.MaxLen("topic", in.Topic, 200)
	f.MaxLen("teacher", in.Teacher, 100)
	f.MaxLen("place", in.Place, 200)
	f.MaxLen("site", in.Site, 200)
	f.Check(!in.StartsAt.IsZero(), "starts_at", "必填")
	f.Check(in.EndsAt.After(in.StartsAt), "ends_at", "结束时间应晚于开始时间")
	f.Check(in.EndsAt.Sub(in.StartsAt) <= 24*time.Hour, "ends_at", "单次课程不能超过 24 小时")
	f.Check(in.Hours >= 0 && in.Hours <= 2400, "hours", "学时应在 0 到 24 之间")
	if !in.StartsAt.IsZero() {
		first := c.StartTime()
		last := first.AddDate(0, 0, c.Days())
		f.Check(!in.StartsAt.Before(first) && !in.StartsAt.After(last), "starts_at", "课程时间应在班次日期内（"+c.StartsOn+" 至 "+c.EndsOn+"）")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if in.Hours == 0 && s.ledger != nil {
		// Half a day or a day by the day rule.
		day := s.ledger.DayHours(ctx)
		if in.EndsAt.Sub(in.StartsAt) <= 4*time.Hour {
			in.Hours = day / 2
		} else {
			in.Hours = day
		}
	}
	return nil
}

// AddSession adds an item to the timetable.
func (s *Service) AddSession(ctx context.Context, p *web.Principal, classID uint64, in SessionRequest) (*Session, error) {
	c, err := s.hostClass(ctx, p, classID)
	if err != nil {
		return nil, err
	}
	if err := s.checkSession(ctx, p, c, &in); err != nil {
		return nil, err
	}
	x := &Session{ClassID: classID, Topic: in.Topic, Teacher: strings.TrimSpace(in.Teacher), TeacherID: in.TeacherID, Place: strings.TrimSpace(in.Place),
		Site: strings.TrimSpace(in.Site), StartsAt: in.StartsAt.UTC(), EndsAt: in.EndsAt.UTC(), Hours: in.Hours, Code: web.NewSignInCode()}
	err = s.audited(ctx, p, func(tx *gorm.DB) error {
		return tx.Create(x).Error
	}, func() (string, string, uint64, any) {
		return "class.session.add", "class", classID, map[string]any{"session": x.ID, "topic": x.Topic}
	})
	if err != nil {
		return nil, err
	}
	return x, nil
}

// checkSession tells whether the class's timetable may be edited now and
// whether the item is valid.
func (s *Service) checkSession(ctx context.Context, p *web.Principal, c *Class, in *SessionRequest) error {
	if !classActions(p, c, c.Status).Sessions {
		return wrongState(c.Status, c.Status)
	}
	if err := s.linkTeacher(ctx, in); err != nil {
		return err
	}
	return s.validateSession(ctx, c, in)
}

// hostSession loads a session of a class the caller hosts.
func (s *Service) hostSession(ctx context.Context, p *web.Principal, id uint64) (*Session, *Class, error) {
	x, err := web.Load[Session](s.db.WithContext(ctx), id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.hostClass(ctx, p, x.ClassID)
	if err != nil {
		return nil, nil, err
	}
	return x, c, nil
}

// UpdateSession edits a timetable item.
func (s *Service) UpdateSession(ctx context.Context, p *web.Principal, id uint64, in SessionRequest) (*Session, error) {
	x, c, err := s.hostSession(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkSession(ctx, p, c, &in); err != nil {
		return nil, err
	}
	x.Topic, x.Teacher, x.TeacherID, x.Place, x.Site = in.Topic, strings.TrimSpace(in.Teacher), in.TeacherID, strings.TrimSpace(in.Place), strings.TrimSpace(in.Site)
	x.StartsAt, x.EndsAt, x.Hours = in.StartsAt.UTC(), in.EndsAt.UTC(), in.Hours
	err = s.audited(ctx, p, func(tx *gorm.DB) error {
		return tx.Save(x).Error
	}, func() (string, string, uint64, any) {
		return "class.session.update", "session", id, map[string]any{"topic": x.Topic}
	})
	if err != nil {
		return nil, err
	}
	return x, nil
}

// DeleteSession removes a timetable item nobody has signed in to, and
// returns it.
func (s *Service) DeleteSession(ctx context.Context, p *web.Principal, id uint64) (*Session, error) {
	x, c, err := s.hostSession(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !classActions(p, c, c.Status).Sessions {
		return x, wrongState(c.Status, c.Status)
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&Attendance{}).Where("session_id = ?", id).Count(&n).Error; err != nil {
		return x, web.Internal(err)
	}
	if n > 0 {
		return x, web.Conflict("has_attendance", "已有学员签到，不能删除该课程")
	}
	err = s.audited(ctx, p, func(tx *gorm.DB) error {
		return tx.Delete(x).Error
	}, func() (string, string, uint64, any) {
		return "class.session.delete", "session", id, nil
	})
	if err != nil {
		return x, err
	}
	return x, nil
}
