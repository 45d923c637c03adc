package importer

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"college/modules/exam/item"
)

// The Excel and CSV importers find their columns by the header's names,
// as admins write them in whatever template their last system gave them,
// not by position: a title or instruction row may stand above the header,
// an instructions sheet before the data sheet.

// Column roles.
const (
	roleType    = "题型"
	roleStem    = "题干"
	roleOptions = "选项" // all options in one cell
	roleAnswer  = "答案"
	roleScore   = "分值"
	roleDiff    = "难度"
	roleTags    = "标签"
	roleNotes   = "解析"
	// One row per option: the question's number, and whether the row's
	// option is right.
	roleSeq   = "题目序号"
	roleRight = "是否正确项"
)

// headerWords are the names each role goes by.
var headerWords = map[string]string{
	"题型": roleType, "类型": roleType, "试题类型": roleType, "题目类型": roleType, "题类": roleType,
	"题干": roleStem, "题目": roleStem, "试题": roleStem, "试题内容": roleStem, "题目内容": roleStem, "问题": roleStem, "试题题干": roleStem, "题目名称": roleStem,
	"选项": roleOptions, "选项内容": roleOptions, "备选项": roleOptions,
	"答案": roleAnswer, "正确答案": roleAnswer, "标准答案": roleAnswer, "参考答案": roleAnswer, "试题答案": roleAnswer, "正确选项": roleAnswer,
	"分值": roleScore, "分数": roleScore, "分": roleScore, "试题分值": roleScore,
	"难度": roleDiff, "难易度": roleDiff, "难易程度": roleDiff, "难度系数": roleDiff, "试题难度": roleDiff, "题目难度": roleDiff,
	"标签": roleTags, "知识点": roleTags, "知识类": roleTags, "知识分类": roleTags, "分类": roleTags, "考点": roleTags,
	"知识点名称": roleTags, "题目分类": roleTags, "试题分类": roleTags,
	"解析": roleNotes, "答案解析": roleNotes, "试题解析": roleNotes, "题目解析": roleNotes, "说明": roleNotes,
	"题目序号": roleSeq, "试题序号": roleSeq, "题号": roleSeq, "试题编号": roleSeq, "题目编号": roleSeq,
	"是否正确项": roleRight, "是否正确": roleRight, "是否正确答案": roleRight, "是否为正确答案": roleRight, "正确与否": roleRight, "是否答案": roleRight,
}

// optionHeader matches an option column: 选项A, A, A选项, 选项 A, 选项A内容;
// optionNumberHeader one numbered in figures or Chinese: 选项1, 选项一内容.
var (
	optionHeader       = regexp.MustCompile(`^(?:选项)?([A-H])(?:选项)?(?:内容)?$`)
	optionNumberHeader = regexp.MustCompile(`^选项([1-8一二三四五六七八])(?:内容)?$`)
	// flagHeader matches the column that marks one option right:
	// 1是否正确, 选项一是否正确, A是否为正确答案.
	flagHeader = regexp.MustCompile(`^(?:选项)?([A-H1-8一二三四五六七八])(?:项)?是否(?:为)?正确(?:答案|项|选项)?$`)
)

// optionIndex reads an option's letter or number (A, 1, 一) as 0–7.
func optionIndex(s string) int {
	if i := strings.Index(item.Letters, s); i >= 0 {
		return i
	}
	if i := strings.Index("12345678", s); i >= 0 {
		return i
	}
	return slices.Index([]rune("一二三四五六七八"), []rune(s)[0])
}

// layout is where a sheet's columns are, found by its header row.
type layout struct {
	header  int // index of the header row
	cols    map[string]int
	options []int // columns of 选项A, 选项B … in letter order
	flags   []int // columns marking option A, B … right (是否正确), -1 for none
}

func (l layout) col(role string) int {
	if i, ok := l.cols[role]; ok {
		return i
	}
	return -1
}

// cell is the trimmed text of a row's column, "" when absent.
func (l layout) cell(row []string, role string) string {
	if i := l.col(role); i >= 0 && i < len(row) {
		return strings.TrimSpace(row[i])
	}
	return ""
}

// normHeader folds a header cell for matching: half-width, no spaces, no
// "*", no notes in brackets ("（必填）"), no trailing colon.
func normHeader(s string) string {
	s = headerNote.ReplaceAllString(halfWidth(s), "")
	for _, cut := range []string{"*", " ", "\t", "\n", ":"} {
		s = strings.ReplaceAll(s, cut, "")
	}
	return strings.ToUpper(s)
}

// headerNote is a note in a header cell: "题型（0单选，1判断）", "答案(必填)".
var headerNote = regexp.MustCompile(`\([^)]*\)`)

// findLayout looks for the header among the first rows: the first row
// that names a stem column and an answer or type column.
func findLayout(rows [][]string) (layout, bool) {
	for r := 0; r < len(rows) && r < 10; r++ {
		l := layout{header: r, cols: map[string]int{}}
		var opts [item.MaxOptions]int
		for i := range opts {
			opts[i] = -1
		}
		var flags [item.MaxOptions]int
		for i := range flags {
			flags[i] = -1
		}
		for i, h := range rows[r] {
			h = normHeader(h)
			m := optionHeader.FindStringSubmatch(h)
			if m == nil {
				m = optionNumberHeader.FindStringSubmatch(h)
			}
			if m != nil {
				if k := optionIndex(m[1]); opts[k] < 0 {
					opts[k] = i
				}
				continue
			}
			if m := flagHeader.FindStringSubmatch(h); m != nil {
				if k := optionIndex(m[1]); flags[k] < 0 {
					flags[k] = i
				}
				continue
			}
			if role, ok := headerWords[h]; ok {
				if _, dup := l.cols[role]; !dup {
					l.cols[role] = i
				}
			}
		}
		if l.col(roleStem) < 0 || (l.col(roleAnswer) < 0 && l.col(roleType) < 0 && l.col(roleRight) < 0) {
			continue
		}
		for _, c := range opts {
			if c < 0 {
				break
			}
			l.options = append(l.options, c)
		}
		if slices.ContainsFunc(flags[:len(l.options)], func(c int) bool { return c >= 0 }) {
			l.flags = slices.Clone(flags[:len(l.options)])
		}
		return l, true
	}
	return layout{}, false
}

// Columns tells the table importers which column holds what when the
// header's names alone do not: role → column number from 1 (0: none).
// Roles: 题型 题干 选项 选项A…选项H 答案 分值 难度 标签 解析.
type Columns map[string]int

// override applies the admin's column choices.
func (l *layout) override(cols Columns) string {
	var opts [item.MaxOptions]int
	for i := range opts {
		opts[i] = -1
	}
	copy(opts[:], l.options)
	for role, n := range cols {
		if n < 0 || n > 1000 {
			return fmt.Sprintf("列设置「%s=%d」无效：列号应为 1 到 1000，0 表示没有这一列", role, n)
		}
		if m := optionHeader.FindStringSubmatch(role); m != nil && strings.HasPrefix(role, "选项") {
			opts[m[1][0]-'A'] = n - 1
			continue
		}
		switch role {
		case roleType, roleStem, roleOptions, roleAnswer, roleScore, roleDiff, roleTags, roleNotes, roleSeq, roleRight:
		default:
			return "列设置中没有「" + role + "」：应为 题型、题干、选项、选项A…选项H、答案、分值、难度、标签 或 解析"
		}
		if n == 0 {
			delete(l.cols, role)
		} else {
			l.cols[role] = n - 1
		}
	}
	l.options = l.options[:0]
	for _, c := range opts {
		if c < 0 {
			break
		}
		l.options = append(l.options, c)
	}
	if l.col(roleStem) < 0 {
		return "列设置中缺少 题干 列"
	}
	return ""
}

// columns is the layout as role → column number from 1, for a preview.
func (l layout) columns() map[string]int {
	out := map[string]int{}
	for role, i := range l.cols {
		out[role] = i + 1
	}
	for k, c := range l.options {
		out["选项"+string(item.Letters[k])] = c + 1
	}
	return out
}

// describe tells which column was read as what, for the admin.
func (l layout) describe() string {
	var parts []string
	for _, role := range []string{roleSeq, roleType, roleStem, roleOptions, roleRight, roleAnswer, roleScore, roleDiff, roleTags, roleNotes} {
		if i := l.col(role); i >= 0 {
			parts = append(parts, fmt.Sprintf("%s=第%d列", role, i+1))
		}
	}
	for k, c := range l.options {
		parts = append(parts, fmt.Sprintf("选项%c=第%d列", item.Letters[k], c+1))
	}
	for k, c := range l.flags {
		if c >= 0 {
			parts = append(parts, fmt.Sprintf("选项%c是否正确=第%d列", item.Letters[k], c+1))
		}
	}
	return strings.Join(parts, "，")
}

// headerHelp is the refusal of a sheet without a header.
const headerHelp = "没有找到表头：表格前 10 行中应有一行写明 题型、题干、选项A…选项H、答案、分值、难度、标签、解析（也可写作 题目、正确答案、分数、知识点 等）"

// optionMarks split one cell holding every option: "A.甲 B.乙", one per
// line, "A、甲", "(A)甲", or run together after Chinese text ("A.甲B.乙").
var optionMarks = regexp.MustCompile(`(?:^|[\s\p{Han}，。；？）)])([(（]?([A-H])[)）]?[.．、:：)）]\s*)`)

// splitOptions reads a cell holding every option.
func splitOptions(cell string) ([]string, string) { return splitOptionsFrom(cell, 0) }

// splitOptionsFrom reads options that start at letter number first (a line
// "C.丙 D.丁" after "A.甲 B.乙").
func splitOptionsFrom(cell string, first int) ([]string, string) {
	cell = strings.TrimSpace(cell)
	if cell == "" {
		return nil, ""
	}
	ms := optionMarks.FindAllStringSubmatchIndex(cell, -1)
	if len(ms) == 0 {
		return nil, "选项「" + cell + "」应写作 A.选项一 B.选项二（或每行一个选项）"
	}
	var out []string
	for i, m := range ms {
		if first+i >= item.MaxOptions {
			return nil, "选项最多 8 个（A 到 H）"
		}
		if want := item.Letters[first+i]; cell[m[4]] != want {
			return nil, fmt.Sprintf("选项应按 A、B、C… 的顺序写，这里应是 %c，实为 %c", want, cell[m[4]])
		}
		end := len(cell)
		if i+1 < len(ms) {
			end = ms[i+1][2]
		}
		out = append(out, strings.TrimSpace(cell[m[3]:end]))
	}
	return out, ""
}

// letterPrefix matches an option letter pasted into the option's text.
var letterPrefix = regexp.MustCompile(`^[(（]?([A-H])[)）]?[.．、:：)）]\s*`)

// stripLetter drops "A." from the text of option A.
func stripLetter(opt string, i int) string {
	if m := letterPrefix.FindStringSubmatch(halfWidth(opt)); m != nil && m[1][0] == item.Letters[i] {
		return strings.TrimSpace(string([]rune(opt)[len([]rune(m[0])):]))
	}
	return opt
}
