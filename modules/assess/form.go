package assess

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"college/modules/web"
)

// Item kinds.
const (
	KindRating = "rating"
	KindChoice = "choice"
	KindText   = "text"
)

// KindNames are the Chinese names of the item kinds.
var KindNames = map[string]string{KindRating: "评分项", KindChoice: "选择题", KindText: "文字意见"}

// The four grades of a rating item, best first.
const (
	GradeExcellent = "非常满意"
	GradeGood      = "满意"
	GradePass      = "合格"
	GradePoor      = "不满意"
)

// Grades lists the grades best first.
var Grades = []string{GradeExcellent, GradeGood, GradePass, GradePoor}

// GradeFactors give the share of an item's weight each grade scores.
var GradeFactors = map[string]float64{GradeExcellent: 1.0, GradeGood: 0.8, GradePass: 0.6, GradePoor: 0.2}

// satisfied reports whether a grade counts toward the satisfaction rate.
func satisfied(g string) bool { return g == GradeExcellent || g == GradeGood }

// Limits of a form and an answer.
const (
	MaxItems      = 50
	MaxOptions    = 20
	MaxTextAnswer = 2000
)

// Item is one question of a form. Required is always set on a saved form:
// rating items are always required, choice items default to required and
// text items to optional.
type Item struct {
	Kind     string   `json:"kind"`
	Text     string   `json:"text"`
	Weight   float64  `json:"weight,omitempty"` // rating: points out of 100 (a whole number)
	Options  []string `json:"options,omitempty"`
	Multiple bool     `json:"multiple,omitempty"`
	Required *bool    `json:"required,omitempty"`
}

// IsRequired reports whether the item must be answered.
func (it Item) IsRequired() bool {
	if it.Kind == KindRating {
		return true
	}
	if it.Required == nil {
		return it.Kind == KindChoice
	}
	return *it.Required
}

// ValidateForm checks a form and normalizes it (trimmed texts, required
// set on every item). Field names follow the JSON: items[2].weight.
func ValidateForm(in *FormRequest) web.Fields {
	f := web.Fields{}
	in.Title = strings.TrimSpace(in.Title)
	f.Required("title", in.Title)
	f.MaxLen("title", in.Title, 200)
	switch {
	case len(in.Items) == 0:
		f.Add("items", "至少需要一个评估项目")
	case len(in.Items) > MaxItems:
		f.Add("items", fmt.Sprintf("评估项目不能超过 %d 项", MaxItems))
	}
	total, ratings := 0.0, 0
	for i := range in.Items {
		it := &in.Items[i]
		at := fmt.Sprintf("items[%d].", i)
		it.Text = strings.TrimSpace(it.Text)
		f.Required(at+"text", it.Text)
		f.MaxLen(at+"text", it.Text, 200)
		req := it.IsRequired()
		switch it.Kind {
		case KindRating:
			ratings++
			if it.Weight != math.Trunc(it.Weight) || it.Weight < 1 || it.Weight > 100 {
				f.Add(at+"weight", "权重应为 1 到 100 的整数")
			}
			total += it.Weight
			it.Options, it.Multiple = nil, false
		case KindChoice:
			it.Weight = 0
			if len(it.Options) < 2 || len(it.Options) > MaxOptions {
				f.Add(at+"options", fmt.Sprintf("选择题应有 2 到 %d 个选项", MaxOptions))
			}
			seen := map[string]bool{}
			for j := range it.Options {
				it.Options[j] = strings.TrimSpace(it.Options[j])
				o := it.Options[j]
				switch {
				case o == "":
					f.Add(at+"options", "选项不能为空")
				case utf8.RuneCountInString(o) > 100:
					f.Add(at+"options", "每个选项不能超过 100 个字")
				case seen[o]:
					f.Add(at+"options", "选项不能重复："+o)
				}
				seen[o] = true
			}
		case KindText:
			it.Weight, it.Options, it.Multiple = 0, nil, false
		default:
			f.Add(at+"kind", "类型应为 rating（评分项）、choice（选择题）或 text（文字意见）")
		}
		it.Required = &req
	}
	if ratings > 0 && total != 100 {
		f.Add("items", fmt.Sprintf("评分项的权重合计应为 100，现为 %g", total))
	}
	return f
}

// ValidateAnswers checks answers against a form's items and returns them
// normalized as the stored JSON array (null for an unanswered item).
func ValidateAnswers(items []Item, answers []json.RawMessage) ([]any, web.Fields) {
	f := web.Fields{}
	if len(answers) != len(items) {
		f.Add("answers", fmt.Sprintf("应对全部 %d 个项目逐项作答，收到 %d 项", len(items), len(answers)))
		return nil, f
	}
	out := make([]any, len(items))
	for i, it := range items {
		at := fmt.Sprintf("answers[%d]", i)
		raw := bytes.TrimSpace(answers[i])
		blank := len(raw) == 0 || string(raw) == "null"
		switch it.Kind {
		case KindRating:
			var g string
			if !blank && json.Unmarshal(raw, &g) != nil {
				f.Add(at, "应为评价等级："+strings.Join(Grades, "、"))
				continue
			}
			g = strings.TrimSpace(g)
			switch {
			case g == "":
				f.Add(at, "请选择评价等级")
			case GradeFactors[g] == 0:
				f.Add(at, "评价等级应为："+strings.Join(Grades, "、"))
			default:
				out[i] = g
			}
		case KindChoice:
			var picks []int
			if !blank && json.Unmarshal(raw, &picks) != nil {
				f.Add(at, "应为所选选项的序号数组")
				continue
			}
			seen := map[int]bool{}
			ok := true
			for _, p := range picks {
				if p < 0 || p >= len(it.Options) || seen[p] {
					f.Add(at, fmt.Sprintf("选项序号应在 0 到 %d 之间且不重复", len(it.Options)-1))
					ok = false
					break
				}
				seen[p] = true
			}
			switch {
			case !ok:
			case len(picks) == 0 && it.IsRequired():
				f.Add(at, "请选择")
			case len(picks) > 1 && !it.Multiple:
				f.Add(at, "本题只能选一项")
			case len(picks) > 0:
				out[i] = picks
			}
		case KindText:
			var s string
			if !blank && json.Unmarshal(raw, &s) != nil {
				f.Add(at, "应为文字")
				continue
			}
			s = strings.TrimSpace(s)
			switch {
			case s == "" && it.IsRequired():
				f.Add(at, "请填写")
			case utf8.RuneCountInString(s) > MaxTextAnswer:
				f.Add(at, fmt.Sprintf("不能超过 %d 个字", MaxTextAnswer))
			case s != "":
				out[i] = s
			}
		}
	}
	return out, f
}

func decodeItems(s string) ([]Item, error) {
	var items []Item
	if err := json.Unmarshal([]byte(s), &items); err != nil {
		return nil, fmt.Errorf("assess: decode form items: %w", err)
	}
	return items, nil
}

// round rounds to n decimals.
func round(x float64, n int) float64 {
	p := math.Pow(10, float64(n))
	return math.Round(x*p) / p
}
