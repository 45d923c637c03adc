package college

import (
	"context"
	"slices"

	"college/modules/assess"
	"college/modules/notify"
	"college/modules/web"
)

// Teachers lists the enabled teacher accounts in the caller's subtree, so
// that a host can link a teacher evaluation to the account that reads it.
func (p people) Teachers(ctx context.Context, caller *web.Principal) ([]assess.Teacher, error) {
	users, _, err := p.id.ListUsers(ctx, caller, "", 0, web.RoleTeacher, web.Page{Page: 1, PageSize: web.MaxPageSize})
	if err != nil {
		return nil, err
	}
	out := make([]assess.Teacher, 0, len(users))
	for _, u := range users {
		if !u.Disabled {
			out = append(out, assess.Teacher{ID: u.ID, Name: u.Name, Username: u.Username})
		}
	}
	return out, nil
}

// Teacher returns an enabled teacher account in the caller's subtree, nil when none.
func (p people) Teacher(ctx context.Context, caller *web.Principal, id uint64) (*assess.Teacher, error) {
	u, err := p.id.GetUser(ctx, caller, id)
	if web.IsStatus(err, 404) || web.IsStatus(err, 403) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled || !slices.Contains(u.RoleList(), web.RoleTeacher) {
		return nil, nil
	}
	return &assess.Teacher{ID: u.ID, Name: u.Name, Username: u.Username}, nil
}

// assessNotifier sends the assessment module's reminders as in-app notifications.
type assessNotifier struct{ n *notify.Service }

func (n assessNotifier) Notify(ctx context.Context, userIDs []uint64, title, body, link string) error {
	return n.n.Send(ctx, nil, userIDs, notify.Message{Title: title, Body: body, Link: link})
}
