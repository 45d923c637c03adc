package college

import (
	"context"

	"college/modules/identity"
)

// accounts tells other modules whether an account may still be used.
type accounts struct{ store *identity.Store }

// Active reports whether a user exists and is not disabled.
func (a accounts) Active(ctx context.Context, userID uint64) (bool, error) {
	u, err := a.store.UserByID(ctx, nil, userID)
	if err != nil {
		return false, err
	}
	return u != nil && !u.Disabled, nil
}
