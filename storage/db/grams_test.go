package db_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"college/storage/db"
	"college/storage/db/dbtest"

	"gorm.io/gorm"
)

func TestBigrams(t *testing.T) {
	t.Parallel()
	pair := func(a, b rune) db.Gram { return db.Gram(a)<<32 | db.Gram(b) }
	for _, c := range []struct {
		in   string
		want []db.Gram
	}{
		{"", nil},
		{"党", nil},
		{"党史", []db.Gram{pair('党', '史')}},
		{"学习学习", []db.Gram{pair('学', '习'), pair('习', '学')}},
		{"AbC", []db.Gram{pair('a', 'b'), pair('b', 'c')}},
		{"a  b", []db.Gram{pair('a', ' '), pair(' ', 'b')}},
	} {
		if got := db.Bigrams(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Bigrams(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

type doc struct {
	ID    uint64 `gorm:"primaryKey"`
	Title string
}

type docGram struct {
	Gram  uint64 `gorm:"primaryKey;autoIncrement:false"`
	DocID uint64 `gorm:"primaryKey;autoIncrement:false"`
}

var docIndex = db.GramIndex{Table: "doc_grams", IDColumn: "doc_id"}

// find answers the ids of the docs whose title contains q, through the
// index's candidates, newest first.
func find(t *testing.T, gdb *gorm.DB, q string) []uint64 {
	t.Helper()
	match, order, ok, none, err := docIndex.Match(context.Background(), gdb, q, "docs.id")
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	if none {
		return ids
	}
	find := gdb.Model(&doc{}).Where("title LIKE ?", "%"+q+"%")
	if ok {
		find = find.Scopes(match)
	} else {
		order = "docs.id"
	}
	if err := find.Order(order+" DESC").Pluck("docs.id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

// The index finds exactly the texts that contain a phrase, whatever the
// rarity of its bigrams; an edit replaces a text's bigrams; a rebuild
// indexes what was written around it.
func TestGramIndexFindsPhrases(t *testing.T) {
	t.Parallel()
	gdb := dbtest.New(t, db.Migration{ID: "0001_docs", Up: func(tx *gorm.DB) error {
		return tx.AutoMigrate(&doc{}, &docGram{})
	}})
	titles := []string{}
	for i := range 300 {
		titles = append(titles, fmt.Sprintf("学习贯彻党的创新理论第%d讲", i))
	}
	titles = append(titles, "乡村振兴战略", "数字政府建设", "Go 语言入门")
	for i, title := range titles {
		if err := gdb.Create(&doc{ID: uint64(i + 1), Title: title}).Error; err != nil {
			t.Fatal(err)
		}
	}
	// Written without the index: the rebuild covers them.
	n, err := docIndex.Rebuild(context.Background(), gdb, func(tx *gorm.DB, after uint64, limit int) *gorm.DB {
		return tx.Table("docs").Select("id, title AS text").Where("id > ?", after).Order("id").Limit(limit)
	})
	if err != nil || n != len(titles) {
		t.Fatalf("rebuild indexed %d of %d: %v", n, len(titles), err)
	}
	check := func(q string, want ...uint64) {
		t.Helper()
		if got := find(t, gdb, q); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("find %q = %v, want %v", q, got, want)
		}
	}
	check("乡村振兴", 301)
	check("第299讲", 300)
	check("第29讲", 30)
	check("政府建", 302)
	check("go 语言", 303) // lower-cased on both sides
	check("振兴乡村")       // every bigram is there, not in this order
	check("不存在")
	var common []uint64
	for i := 300; i >= 1; i-- {
		common = append(common, uint64(i))
	}
	check("创新理论", common...)
	// A single character has no bigram: the caller scans.
	if _, _, ok, _, err := docIndex.Match(context.Background(), gdb, "党", "docs.id"); ok || err != nil {
		t.Fatalf("single character: ok %v, err %v", ok, err)
	}
	// An edit replaces the bigrams.
	if err := gdb.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&doc{}).Where("id = ?", 301).Update("title", "生态文明建设").Error; err != nil {
			return err
		}
		return docIndex.Index(tx, 301, "生态文明建设")
	}); err != nil {
		t.Fatal(err)
	}
	check("乡村振兴")
	check("生态文明", 301)
	var stale int64
	if err := gdb.Table("doc_grams").Where("doc_id = ? AND gram IN ?", 301, db.Bigrams("乡村振兴")).Count(&stale).Error; err != nil || stale != 0 {
		t.Fatalf("stale bigrams of the old title: %d %v", stale, err)
	}
}
