package faculty

import (
	"context"
	"fmt"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
)

// Speakers is what the faculty needs of the timetable to take a one-off
// speaker into the faculty; app/college wires it to the training module.
type Speakers interface {
	// SessionSpeaker is the name typed on a session of a class the caller
	// runs; found is false for a session that is not theirs.
	SessionSpeaker(ctx context.Context, p *web.Principal, sessionID uint64) (name string, linked, found bool, err error)
	// LinkSpeaker links the caller's sessions naming the speaker to the
	// teacher, and says how many.
	LinkSpeaker(ctx context.Context, p *web.Principal, name string, teacherID uint64) (int64, error)
}

// SetSpeakers lets the faculty take speakers from the timetable.
func (s *Service) SetSpeakers(sp Speakers) { s.speakers = sp }

// FromSessionRequest names the session whose speaker joins the faculty.
type FromSessionRequest struct {
	SessionID uint64 `json:"session_id"`
}

// CreateFromSession turns the one-off speaker typed on a session into a
// teacher of the faculty (an external expert, active, to be completed on
// the teacher's form), and links every session of the caller's classes
// that names them.
func (s *Service) CreateFromSession(ctx context.Context, p *web.Principal, in FromSessionRequest) (*Teacher, int64, error) {
	if !canManage(p) {
		return nil, 0, web.Forbidden()
	}
	if in.SessionID == 0 {
		return nil, 0, web.Invalid(map[string]string{"session_id": "请指定课表中的课程"})
	}
	if s.speakers == nil {
		return nil, 0, web.NotFound()
	}
	name, linked, found, err := s.speakers.SessionSpeaker(ctx, p, in.SessionID)
	if err != nil {
		return nil, 0, err
	}
	if !found {
		return nil, 0, web.NotFound()
	}
	name = strings.TrimSpace(name)
	switch {
	case linked:
		return nil, 0, web.Conflict("already_linked", "该课程的授课人已是师资库教师")
	case name == "":
		return nil, 0, web.Unprocessable("no_speaker", "该课程没有填写授课人")
	}
	var same int64
	if err := s.db.WithContext(ctx).Model(&Teacher{}).Scopes(web.OrgScope(p, "owner_org_id")).Where("name = ?", name).Count(&same).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	if same > 0 {
		return nil, 0, web.Conflict("teacher_exists", "师资库中已有名为“"+name+"”的教师，请在课表中直接选择该教师")
	}
	t := &Teacher{OwnerOrgID: p.OrgID, CreatedBy: p.UserID, Name: name, Kind: KindExpert, Status: StatusActive}
	err = web.ChangeAudited(ctx, s.db, s.deps.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Create(t).Error; err != nil {
			return web.AuditEntry{}, fmt.Errorf("faculty: teacher from session: %w", err)
		}
		return web.AuditBy(p, "teacher.create", "teacher", t.ID, map[string]any{"name": t.Name, "kind": t.Kind, "from_session": in.SessionID}), nil
	})
	if err != nil {
		return nil, 0, err
	}
	n, err := s.speakers.LinkSpeaker(ctx, p, name, t.ID)
	if err != nil {
		return t, 0, err
	}
	return t, n, nil
}

// fromSession is the API's way to take a speaker into the faculty.
func (h *Handlers) fromSession(c *fiber.Ctx) error {
	var in FromSessionRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	t, _, err := h.svc.CreateFromSession(c.UserContext(), web.Caller(c), in)
	if err != nil {
		return err
	}
	out, err := h.svc.Record(c.UserContext(), web.Caller(c), t.ID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// fromSessionSubmit is the timetable's button: the new teacher's form
// opens next, to complete the record.
func (h *Handlers) fromSessionSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	t, n, err := h.svc.CreateFromSession(c.UserContext(), web.Caller(c), FromSessionRequest{SessionID: id})
	if err != nil {
		return err
	}
	web.Flash(c, fmt.Sprintf("已将“%s”加入师资库，并关联 %d 次课程；请补充类型、职称等信息", t.Name, n))
	return c.Redirect(fmt.Sprintf("%s/%d/edit", AdminPath, t.ID), fiber.StatusSeeOther)
}
