package identity

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"college/modules/web"
	"college/storage/db"
)

// BuiltinAccount is one of the three administrator accounts the first start
// creates, one role each (三员分立).
type BuiltinAccount struct {
	Username string
	Name     string
	Role     string
	Password string // from the operator's environment; "" makes a random one
}

// InitialPasswordsFile is where random first-start passwords are written,
// once, in the data folder; it is removed when all three have been changed.
const InitialPasswordsFile = "initial-passwords.txt"

// BuiltinAccounts lists the three accounts with the passwords given.
func BuiltinAccounts(admin, secadmin, auditor string) []BuiltinAccount {
	return []BuiltinAccount{
		{Username: "admin", Name: "系统管理员", Role: web.RoleSysAdmin, Password: admin},
		{Username: "secadmin", Name: "安全管理员", Role: web.RoleSecAdmin, Password: secadmin},
		{Username: "auditor", Name: "审计管理员", Role: web.RoleAuditor, Password: auditor},
	}
}

// EnsureAdmins creates the root org and whichever of the three accounts is
// missing. A password the operator set counts as chosen; a random one is
// written to the initial-passwords file (mode 0600), never to the log, and
// must be changed at the first login. It returns the usernames it created.
func (s *Service) EnsureAdmins(ctx context.Context, accounts []BuiltinAccount) ([]string, error) {
	root, err := s.EnsureRoot(ctx)
	if err != nil {
		return nil, err
	}
	var created []string
	var written []string
	for _, a := range accounts {
		u, err := s.store.UserByUsername(ctx, a.Username)
		if err != nil {
			return nil, err
		}
		if u != nil {
			continue
		}
		pw, chosen := a.Password, a.Password != ""
		if !chosen {
			pw = RandomPassword()
		} else if msg := PasswordProblemFor(pw, 8, a.Username); msg != "" {
			return nil, fmt.Errorf("identity: password of %s (COLLEGE_%s_PASSWORD): %s", a.Username, strings.ToUpper(a.Username), msg)
		}
		hash, err := HashPassword(pw)
		if err != nil {
			return nil, err
		}
		acc := &User{Username: a.Username, Name: a.Name, PasswordHash: hash, OrgID: root.ID, PasswordChangedAt: s.now().UTC(),
			MustChangePassword: !chosen, Roles: []UserRole{{Role: a.Role}}}
		if err := s.store.CreateUsers(ctx, []*User{acc}); err != nil {
			if db.IsDuplicate(err) {
				continue // another instance made it first
			}
			return nil, fmt.Errorf("identity: create %s: %w", a.Username, err)
		}
		created = append(created, a.Username)
		if !chosen {
			written = append(written, fmt.Sprintf("%s\t%s\t%s", a.Username, web.RoleNames[a.Role], pw))
		}
	}
	if len(written) > 0 {
		if err := s.writeInitialPasswords(written); err != nil {
			return created, err
		}
	}
	return created, nil
}

// InitialPasswordsPath is the file's full path ("" without a data folder).
func (s *Service) InitialPasswordsPath() string {
	if s.dataDir == "" {
		return ""
	}
	return filepath.Join(s.dataDir, InitialPasswordsFile)
}

func (s *Service) writeInitialPasswords(lines []string) error {
	path := s.InitialPasswordsPath()
	if path == "" {
		return errors.New("identity: no data folder for the initial passwords")
	}
	if err := os.MkdirAll(s.dataDir, 0o750); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("identity: write %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	head := "# 首次启动生成的管理员初始密码。首次登录须修改密码并绑定动态验证码；三个账号都修改后本文件自动删除。\n"
	_, err = f.WriteString(head + strings.Join(lines, "\n") + "\n")
	return err
}

// initialPasswordChanged removes the initial-passwords file once none of the
// three accounts still has the password written there.
func (s *Service) initialPasswordChanged(ctx context.Context) {
	path := s.InitialPasswordsPath()
	if path == "" {
		return
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return
	}
	var pending int64
	names := []string{"admin", "secadmin", "auditor"}
	if err := s.store.db.WithContext(ctx).Model(&User{}).Where("username IN ? AND must_change_password = ?", names, true).Count(&pending).Error; err != nil {
		return
	}
	if pending == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("identity: cannot remove the initial passwords file", "path", path, "err", err)
		}
	}
}
