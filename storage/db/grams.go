package db

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"gorm.io/gorm"
)

// A gram index finds the rows whose text contains a phrase without scanning
// the table, on SQLite and MariaDB alike (MariaDB has no ngram full-text
// parser): every pair of adjacent characters of the text (a bigram, as
// Chinese is written without spaces) is a row (gram, id) of an index table
// whose primary key is (gram, id). A phrase of two or more characters can
// only be in the texts that hold each of its bigrams, so the rows of its
// rarest bigram are the candidates, and a LIKE on them decides.

// Gram is one bigram: the two characters, lower-cased, in one integer.
type Gram = uint64

// Bigrams returns the distinct bigrams of s, lower-cased, in order of first
// appearance. A text of fewer than two characters has none.
func Bigrams(s string) []Gram {
	rs := []rune(strings.ToLower(s))
	if len(rs) < 2 {
		return nil
	}
	out := make([]Gram, 0, len(rs)-1)
	seen := make(map[Gram]bool, len(rs)-1)
	for i := 0; i+1 < len(rs); i++ {
		if unicode.IsSpace(rs[i]) && unicode.IsSpace(rs[i+1]) {
			continue
		}
		g := Gram(rs[i])<<32 | Gram(rs[i+1])
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// GramIndex is one module's index table: Table with columns gram and
// IDColumn, primary key (gram, IDColumn).
type GramIndex struct {
	Table    string
	IDColumn string
}

// gramRow is one row of an index, for writing.
type gramRow struct {
	Gram Gram
	ID   uint64
}

// Index replaces the bigrams of the text of row id, in tx.
func (ix GramIndex) Index(tx *gorm.DB, id uint64, text string) error {
	if err := ix.Remove(tx, id); err != nil {
		return err
	}
	grams := Bigrams(text)
	rows := make([]gramRow, len(grams))
	for i, g := range grams {
		rows[i] = gramRow{g, id}
	}
	return ix.insert(tx, rows)
}

// insert writes rows, 500 to a statement.
func (ix GramIndex) insert(tx *gorm.DB, rows []gramRow) error {
	const batch = 500
	for len(rows) > 0 {
		n := min(len(rows), batch)
		var b strings.Builder
		args := make([]any, 0, 2*n)
		b.WriteString("INSERT INTO " + ix.Table + " (gram, " + ix.IDColumn + ") VALUES ")
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?)")
			args = append(args, r.Gram, r.ID)
		}
		if err := tx.Exec(b.String(), args...).Error; err != nil {
			return fmt.Errorf("gram index %s: insert: %w", ix.Table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// Rebuild indexes the texts rows yields, in batches: what a migration or a
// bulk load runs once over the rows that were written without the index.
// texts is a query selecting two columns, the id and the text, ordered by id.
func (ix GramIndex) Rebuild(ctx context.Context, gdb *gorm.DB, texts func(tx *gorm.DB, after uint64, limit int) *gorm.DB) (int, error) {
	const batch = 1000
	var after uint64
	total := 0
	for {
		var rows []struct {
			ID   uint64
			Text string
		}
		if err := texts(gdb.WithContext(ctx), after, batch).Scan(&rows).Error; err != nil {
			return total, fmt.Errorf("gram index %s: read: %w", ix.Table, err)
		}
		if len(rows) == 0 {
			return total, nil
		}
		ids := make([]uint64, len(rows))
		var all []gramRow
		for i, r := range rows {
			ids[i] = r.ID
			for _, g := range Bigrams(r.Text) {
				all = append(all, gramRow{g, r.ID})
			}
		}
		err := gdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("DELETE FROM "+ix.Table+" WHERE "+ix.IDColumn+" IN ?", ids).Error; err != nil {
				return fmt.Errorf("gram index %s: delete: %w", ix.Table, err)
			}
			return ix.insert(tx, all)
		})
		if err != nil {
			return total, err
		}
		total += len(rows)
		after = rows[len(rows)-1].ID
	}
}

// gramProbe bounds how many postings of a gram are counted when the rarest
// is chosen: past it a gram is simply common.
const gramProbe = 5000

// maxProbes bounds the grams of a phrase whose postings are counted.
const maxProbes = 6

// maxJoined bounds the bigrams a search joins: the rarest drives, the next
// ones are probed by primary key.
const maxJoined = 3

// Match finds the rows that may hold phrase: it joins the index to the
// caller's query once per bigram (up to three, the rarest first), on
// idColumn of the caller's table. The caller orders by the returned column
// (the rarest bigram's ids, which the index holds in order) so that a
// common phrase stops at its limit and a rare one reads only the postings
// of its rarest bigram. ok is false when the phrase has no bigram (a single
// character) and the caller scans; none is true when some bigram of the
// phrase is in no text at all.
func (ix GramIndex) Match(ctx context.Context, gdb *gorm.DB, phrase, idColumn string) (scope func(*gorm.DB) *gorm.DB, order string, ok, none bool, err error) {
	grams := Bigrams(phrase)
	if len(grams) == 0 {
		return nil, "", false, false, nil
	}
	// A long phrase: probe grams spread over it.
	if len(grams) > maxProbes {
		picked := make([]Gram, 0, maxProbes)
		for i := range maxProbes {
			picked = append(picked, grams[i*(len(grams)-1)/(maxProbes-1)])
		}
		grams = slices.Compact(picked)
	}
	df := make(map[Gram]int64, len(grams))
	for _, g := range grams {
		var n int64
		q := gdb.WithContext(ctx).Table(ix.Table).Select("1").Where("gram = ?", g).Limit(gramProbe)
		if err := gdb.WithContext(ctx).Table("(?) AS p", q).Count(&n).Error; err != nil {
			return nil, "", false, false, fmt.Errorf("gram index %s: probe: %w", ix.Table, err)
		}
		if n == 0 {
			return nil, "", true, true, nil
		}
		df[g] = n
	}
	slices.SortStableFunc(grams, func(a, b Gram) int { return int(df[a] - df[b]) })
	grams = grams[:min(len(grams), maxJoined)]
	scope = func(q *gorm.DB) *gorm.DB {
		for i, g := range grams {
			alias := fmt.Sprintf("g%d", i)
			q = q.Joins(fmt.Sprintf("JOIN %s %s ON %s.%s = %s AND %s.gram = ?", ix.Table, alias, alias, ix.IDColumn, idColumn, alias), g)
		}
		return q
	}
	return scope, "g0." + ix.IDColumn, true, false, nil
}

// Remove deletes the bigrams of row id, in tx.
func (ix GramIndex) Remove(tx *gorm.DB, id uint64) error {
	if err := tx.Exec("DELETE FROM "+ix.Table+" WHERE "+ix.IDColumn+" = ?", id).Error; err != nil {
		return fmt.Errorf("gram index %s: delete %d: %w", ix.Table, id, err)
	}
	return nil
}
