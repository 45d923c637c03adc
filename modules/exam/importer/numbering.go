package importer

import (
	"encoding/xml"
	"strconv"
	"strings"
)

// Word papers often number their questions (and letter their options) with
// automatic numbering, whose labels are not in the text: numbering reads
// word/numbering.xml and writes each numbered paragraph's label ("1."
// "A、" "（一）") in front of it as Word shows it.

type numLevel struct {
	format string // decimal, upperLetter, chineseCounting, bullet…
	text   string // "%1." with %N for level N's counter
	start  int
}

type numbering struct {
	levels   map[string]map[int]numLevel // numId → ilvl → level
	counters map[string][]int            // numId → counter per level
}

// readNumbering parses word/numbering.xml; nil data gives no labels.
func readNumbering(data []byte) *numbering {
	n := &numbering{levels: map[string]map[int]numLevel{}, counters: map[string][]int{}}
	if len(data) == 0 {
		return n
	}
	var doc struct {
		Abstract []struct {
			ID  string `xml:"abstractNumId,attr"`
			Lvl []struct {
				Ilvl   int     `xml:"ilvl,attr"`
				Start  valAttr `xml:"start"`
				Format valAttr `xml:"numFmt"`
				Text   valAttr `xml:"lvlText"`
			} `xml:"lvl"`
		} `xml:"abstractNum"`
		Num []struct {
			ID       string  `xml:"numId,attr"`
			Abstract valAttr `xml:"abstractNumId"`
			Override []struct {
				Ilvl  int     `xml:"ilvl,attr"`
				Start valAttr `xml:"startOverride"`
			} `xml:"lvlOverride"`
		} `xml:"num"`
	}
	if xml.Unmarshal(data, &doc) != nil {
		return n
	}
	abstract := map[string]map[int]numLevel{}
	for _, a := range doc.Abstract {
		lv := map[int]numLevel{}
		for _, l := range a.Lvl {
			start, err := strconv.Atoi(l.Start.Val)
			if err != nil {
				start = 1
			}
			lv[l.Ilvl] = numLevel{format: l.Format.Val, text: l.Text.Val, start: start}
		}
		abstract[a.ID] = lv
	}
	for _, num := range doc.Num {
		src, ok := abstract[num.Abstract.Val]
		if !ok {
			continue
		}
		lv := make(map[int]numLevel, len(src))
		for k, v := range src {
			lv[k] = v
		}
		for _, o := range num.Override {
			if s, err := strconv.Atoi(o.Start.Val); err == nil {
				l := lv[o.Ilvl]
				l.start = s
				lv[o.Ilvl] = l
			}
		}
		n.levels[num.ID] = lv
	}
	return n
}

type valAttr struct {
	Val string `xml:"val,attr"`
}

// label counts a paragraph of list numID at level ilvl and returns the
// label Word shows for it ("" for bullets and unknown lists).
func (n *numbering) label(numID string, ilvl int) string {
	lv, ok := n.levels[numID]
	if !ok || ilvl < 0 || ilvl > 8 {
		return ""
	}
	c := n.counters[numID]
	if c == nil {
		c = make([]int, 9)
		for i := range c {
			c[i] = lv[i].start - 1
		}
		n.counters[numID] = c
	}
	c[ilvl]++
	for i := ilvl + 1; i < len(c); i++ {
		c[i] = lv[i].start - 1 // a deeper list starts again
	}
	l := lv[ilvl]
	if l.format == "bullet" || l.format == "none" || l.text == "" {
		return ""
	}
	out := l.text
	for i := 0; i <= ilvl; i++ {
		out = strings.ReplaceAll(out, "%"+strconv.Itoa(i+1), numberText(c[i], lv[i].format))
	}
	return strings.TrimSpace(out)
}

// numberText writes a counter in a Word number format.
func numberText(v int, format string) string {
	switch format {
	case "upperLetter", "lowerLetter":
		if v < 1 {
			return strconv.Itoa(v)
		}
		s := strings.Repeat(string(rune('A'+(v-1)%26)), (v-1)/26+1)
		if format == "lowerLetter" {
			s = strings.ToLower(s)
		}
		return s
	case "chineseCounting", "chineseCountingThousand", "ideographTraditional", "chineseLegalSimplified", "taiwaneseCounting":
		return chineseNumber(v)
	case "decimalEnclosedCircle", "decimalEnclosedCircleChinese":
		if v >= 1 && v <= 20 {
			return string(rune('①' + v - 1))
		}
	case "upperRoman", "lowerRoman":
		s := roman(v)
		if format == "lowerRoman" {
			s = strings.ToLower(s)
		}
		return s
	case "decimalFullWidth", "decimalFullWidth2":
		return strings.Map(func(r rune) rune { return r - '0' + '０' }, strconv.Itoa(v))
	}
	return strconv.Itoa(v)
}

// chineseNumber writes 1–99 as 一 … 九十九.
func chineseNumber(v int) string {
	const digits = "零一二三四五六七八九"
	d := []rune(digits)
	switch {
	case v < 1 || v > 99:
		return strconv.Itoa(v)
	case v < 10:
		return string(d[v])
	case v < 20:
		s := "十"
		if v%10 > 0 {
			s += string(d[v%10])
		}
		return s
	}
	s := string(d[v/10]) + "十"
	if v%10 > 0 {
		s += string(d[v%10])
	}
	return s
}

func roman(v int) string {
	if v < 1 || v > 3999 {
		return strconv.Itoa(v)
	}
	vals := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, n := range vals {
		for v >= n {
			b.WriteString(syms[i])
			v -= n
		}
	}
	return b.String()
}
