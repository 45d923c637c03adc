package web

import (
	"errors"
	"strings"

	"gorm.io/gorm"
)

// OrgScope limits a query to rows whose org column lies in the caller's
// organization subtree. The caller's org path ("/1/4/") is a prefix of every
// descendant's path. Every store query over org-owned rows uses it.
func OrgScope(p *Principal, column string) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		if p == nil || p.OrgPath == "" {
			return db.Where("1 = 0")
		}
		if p.OrgPath == "/" {
			return db
		}
		cond, args := OrgSubtree(column, p.OrgPath)
		return db.Where(cond, args...)
	}
}

// OrgSubtree is the SQL condition "column holds an org whose path starts
// with orgPath": the one place outside identity that names the orgs table.
func OrgSubtree(column, orgPath string) (string, []any) {
	return column + " IN (SELECT id FROM orgs WHERE path LIKE ?)", []any{orgPath + "%"}
}

// InScope reports whether orgPath lies in the caller's subtree.
func (p *Principal) InScope(orgPath string) bool {
	if p == nil || p.OrgPath == "" {
		return false
	}
	return len(orgPath) >= len(p.OrgPath) && orgPath[:len(p.OrgPath)] == p.OrgPath
}

// Contains makes a LIKE pattern matching s anywhere; use it with
// "col LIKE ? ESCAPE '!'" (the same escape works on SQLite and MySQL).
func Contains(s string) string { return "%" + likeEscaper.Replace(s) + "%" }

// Prefix makes a LIKE pattern matching values starting with s.
func Prefix(s string) string { return likeEscaper.Replace(s) + "%" }

var likeEscaper = strings.NewReplacer(`!`, `!!`, `%`, `!%`, `_`, `!_`)

// Load takes the row q finds (its scopes decide what the caller may see):
// 404 when there is none, so a record outside the caller's scope looks like
// one that does not exist, and 500 on a database error.
func Load[T any](q *gorm.DB, conds ...any) (*T, error) {
	var v T
	err := q.First(&v, conds...).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, NotFound()
	}
	if err != nil {
		return nil, Internal(err)
	}
	return &v, nil
}
