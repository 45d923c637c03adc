package throughtrain

import (
	"context"
	"errors"
	"unicode/utf8"

	"college/modules/web"
)

// CaseCourse turns a good case into a draft course of the host college, as
// the follow-up's excellent cases do. A second call returns the course made
// the first time; created tells which it was, and each writes its own
// audit entry.
func (s *Service) CaseCourse(ctx context.Context, p *web.Principal, id uint64) (CaseCourseResponse, bool, error) {
	t, err := s.Visible(ctx, p, id)
	if err != nil {
		return CaseCourseResponse{}, false, err
	}
	if !collegeAdmin(p, t) {
		return CaseCourseResponse{}, false, web.NewError(403, "forbidden", "只有主办学院的管理员可以将案例转为课程")
	}
	if !t.GoodCase {
		return CaseCourseResponse{}, false, web.Conflict("not_good_case", "请先将该事项标记为优秀案例")
	}
	if t.CaseCourseID != 0 {
		return s.existingCourse(ctx, p, t.ID, t.CaseCourseID)
	}
	if s.courses == nil {
		return CaseCourseResponse{}, false, web.Internal(errors.New("throughtrain: no course maker"))
	}
	title := cutRunes("优秀实践案例："+t.Subject, 200)
	summary := cutRunes(t.CaseNote+"\n\n（来源："+t.ClassTitle+"学员直通车。）", 5000)
	courseID, err := s.courses.CreateCaseCourse(ctx, p, t.HostOrgID, title, summary, func(courseID uint64) web.AuditEntry {
		return web.AuditBy(p, "throughtrain.case_course", "through_train", t.ID, map[string]any{"course_id": courseID})
	})
	if err != nil {
		if we := web.AsError(err); we.Status < 500 {
			return CaseCourseResponse{}, false, we
		}
		return CaseCourseResponse{}, false, web.Internal(err)
	}
	res := s.db.WithContext(ctx).Model(&Thread{}).Where("id = ? AND case_course_id = 0", t.ID).Update("case_course_id", courseID)
	if res.Error != nil {
		return CaseCourseResponse{}, false, web.Internal(res.Error)
	}
	if res.RowsAffected == 0 { // made at the same moment by someone else
		again, err := web.Load[Thread](s.db.WithContext(ctx), t.ID)
		if err != nil {
			return CaseCourseResponse{}, false, err
		}
		return s.existingCourse(ctx, p, t.ID, again.CaseCourseID)
	}
	return CaseCourseResponse{CourseID: courseID}, true, nil
}

// existingCourse answers a request for the course a case already became.
func (s *Service) existingCourse(ctx context.Context, p *web.Principal, id, courseID uint64) (CaseCourseResponse, bool, error) {
	if err := s.audit.Record(ctx, web.AuditBy(p, "throughtrain.case_course.open", "through_train", id, map[string]any{"course_id": courseID})); err != nil {
		return CaseCourseResponse{}, false, web.AuditUnavailable(err)
	}
	return CaseCourseResponse{CourseID: courseID}, false, nil
}

func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
