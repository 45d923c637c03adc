package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"college/modules/exam/item"
)

// checkImport holds a parse to the importers' promises: at most
// MaxProblems problems; questions or problems, never both; every question
// valid (a single-choice question has exactly one key among its options, a
// multiple-choice one at least two) and storable as the bank stores it
// (tags column of 500 characters, TEXT columns of 64 KB).
func checkImport(t *testing.T, res Result, probs []Problem) {
	t.Helper()
	if len(probs) > MaxProblems {
		t.Fatalf("%d problems", len(probs))
	}
	if len(probs) > 0 && len(res.Questions) > 0 {
		t.Fatal("questions returned with problems")
	}
	for i := range res.Questions {
		q := res.Questions[i]
		if bad := q.Validate(); bad != nil {
			t.Fatalf("invalid question returned: %+v %v", q, bad)
		}
		keys := 0
		for _, c := range q.Key.Choices {
			if i := strings.IndexRune(item.Letters, c); i < 0 || i >= len(q.Options) {
				t.Fatalf("key %c not among %d options: %+v", c, len(q.Options), q)
			}
			keys++
		}
		switch q.Type {
		case item.Single:
			// Several keys: each alone is right (Moodle's several "=").
			if keys < 1 {
				t.Fatalf("single choice without a key: %+v", q)
			}
			for l, p := range q.Key.Partial {
				if strings.Contains(q.Key.Choices, l) || !(p > 0 && p < 100) {
					t.Fatalf("partial credit %s=%v overlaps the key or is out of range: %+v", l, p, q)
				}
			}
		case item.Multiple:
			if keys < 2 {
				t.Fatalf("multiple choice with %d keys: %+v", keys, q)
			}
		case item.Judge, item.Blank, item.Short:
			if len(q.Options) > 0 || keys > 0 || len(q.Key.Partial) > 0 {
				t.Fatalf("%s question with options or choice keys: %+v", q.Type, q)
			}
		}
		if q.Type == item.Blank && len(q.Key.Blanks) == 0 {
			t.Fatalf("blank question without blanks: %+v", q)
		}
		column := 0
		for _, tag := range q.Tags {
			if strings.TrimSpace(tag) == "" || strings.Contains(tag, ",") || utf8.RuneCountInString(tag) > MaxTagLen {
				t.Fatalf("tag %q stored as is would break the tags column", tag)
			}
			column += utf8.RuneCountInString(tag) + 1
		}
		if column+1 > MaxTagsLen {
			t.Fatalf("tags of %d characters: %q", column+1, q.Tags)
		}
		opts, _ := json.Marshal(q.Options)
		key, _ := json.Marshal(q.Key)
		if len(opts) > MaxTextBytes || len(key) > MaxTextBytes || len(q.Analysis) > MaxTextBytes || len(q.Stem) > MaxTextBytes {
			t.Fatalf("a text column over %d bytes: options %d, key %d, analysis %d", MaxTextBytes, len(opts), len(key), len(q.Analysis))
		}
		if !utf8.ValidString(q.Stem + q.Analysis + q.Key.Reference + strings.Join(q.Options, "") + strings.Join(q.Key.Blanks, "") + strings.Join(q.Tags, "")) {
			t.Fatalf("invalid UTF-8 in %+v", q)
		}
	}
}

// FuzzParse feeds arbitrary bytes and names to the format detection and
// to every parser.
//
//	go test ./modules/exam/importer -run '^$' -fuzz '^FuzzParse$' -fuzztime 60s
func FuzzParse(f *testing.F) {
	var tpl bytes.Buffer
	if err := Template(&tpl); err != nil {
		f.Fatal(err)
	}
	f.Add("bank.xlsx", tpl.Bytes())
	f.Add("bank.xlsx", book(f, goodRows()))
	f.Add("bank.xml", fixture(f, "moodle.xml"))
	f.Add("bank.xml", []byte(moodleGood))
	f.Add("bank.gift", fixture(f, "sample.gift"))
	f.Add("bank.txt", []byte("问{=a =b}\n\n::t::q{~%50%a ~%50%b ~c}"))
	f.Add("bank", []byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		res, probs, err := Parse(name, data)
		if err == nil {
			checkImport(t, res, probs)
		}
		if len(data) < 1<<16 {
			r, p := ParseExcel(data)
			checkImport(t, r, p)
		}
	})
}

// FuzzGIFT fuzzes the GIFT parser with text.
//
//	go test ./modules/exam/importer -run '^$' -fuzz '^FuzzGIFT$' -fuzztime 60s
func FuzzGIFT(f *testing.F) {
	f.Add(string(fixture(f, "sample.gift")))
	for _, s := range []string{
		"问{=a =b}\n\n::t::q{~%50%a ~%50%b ~c}",
		"// comment\n$CATEGORY: 党史\n::q1:: 党的根本宗旨是 {=全心全意为人民服务 ~发展经济 ~对外开放}\n",
		"地球是圆的 {T}\n\n太阳从西边升起 {FALSE#错}\n",
		"圆周率 {#3.14:0.01}\n\n谈谈体会 {}\n",
		"[html]<p>题干 \\{转义\\}</p>{=<b>甲</b> ~乙 ####总解析}",
		"填空 {=人民代表大会制度 =人大制度} 是根本制度\n",
		"配对 {=a -> 1 =b -> 2}\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, p := ParseGIFT([]byte(text))
		checkImport(t, r, p)
	})
}

// FuzzMoodleXML fuzzes the Moodle XML parser.
//
//	go test ./modules/exam/importer -run '^$' -fuzz '^FuzzMoodleXML$' -fuzztime 60s
func FuzzMoodleXML(f *testing.F) {
	f.Add(fixture(f, "moodle.xml"))
	f.Add([]byte(moodleGood))
	f.Add([]byte(`<?xml version="1.0"?><quiz><question type="multichoice"><name><text>q</text></name><questiontext format="html"><text><![CDATA[<p>题 &amp; 干</p>]]></text></questiontext>` +
		`<single>false</single><answer fraction="50"><text>甲</text></answer><answer fraction="50"><text>乙</text></answer><answer fraction="-100"><text>丙</text></answer>` +
		`<tags><tag><text>党史,理论</text></tag></tags></question></quiz>`))
	f.Add([]byte(`<quiz><question type="truefalse"><questiontext><text>对吗</text></questiontext><answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer><defaultgrade>2.5</defaultgrade></question></quiz>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, p := ParseMoodleXML(data)
		checkImport(t, r, p)
	})
}

// FuzzExcelRow fuzzes one data row of the Excel template: cells are
// separated by tabs.
//
//	go test ./modules/exam/importer -run '^$' -fuzz '^FuzzExcelRow$' -fuzztime 60s
func FuzzExcelRow(f *testing.F) {
	for _, r := range goodRows()[1:] {
		f.Add(strings.Join(r, "\t"))
	}
	f.Add("单选\t题\t甲\t乙\t\t\t\t\t\t\tAB\t2")
	f.Add("多选\t题\t甲\t\t丙\t\t\t\t\t\tAC\t101\t6\t" + strings.Repeat("标签,", 200))
	f.Add("判断\t题\t\t\t\t\t\t\t\t\t√\t0.005\t2.0")
	f.Add("判断\t题\t\t\t\t\t\t\t\t\t对\t1\t\t" + strings.Repeat("长", 31))
	var many []string
	for i := range 30 {
		many = append(many, fmt.Sprintf("第%02d个标签二十个字的标签二十个字的", i))
	}
	f.Add("判断\t题\t\t\t\t\t\t\t\t\t对\t1\t\t" + strings.Join(many, ","))
	f.Add("简答\t题\t\t\t\t\t\t\t\t\t要点\t5\t\t\t" + strings.Repeat("解析", 11000))
	f.Add("单选\t题\t" + strings.Repeat("选项", 11000) + "\t乙\t\t\t\t\t\t\tA\t2")
	f.Fuzz(func(t *testing.T, line string) {
		cells := strings.Split(line, "\t")
		if len(cells) > len(Headers) || !utf8.ValidString(line) {
			return // the sheet has these columns; excelize gives valid UTF-8
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		for len(cells) < len(Headers) {
			cells = append(cells, "")
		}
		l, ok := findLayout([][]string{Headers})
		if !ok {
			t.Fatal("the template's header is not found")
		}
		q, own := excelRow(l, cells, "")
		var c collector
		c.add("第 2 行", 2, q, own)
		checkImport(t, c.res, c.problems)
	})
}
