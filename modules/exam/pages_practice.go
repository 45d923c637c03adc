package exam

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"college/modules/exam/item"
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// practiceView is a practice question on the page, with its feedback after
// an answer.
type practiceView struct {
	CandidateQuestion
	TypeName string
	Letters  []string
	Given    string
	Feedback *PracticeFeedback
	KeyText  string
}

func (h *Handlers) registerPracticePages(r fiber.Router) {
	r.Get("/practice", web.RequireLogin, h.practiceHome)
	r.Get("/practice/banks/:id", web.RequireLogin, h.practicePage)
	r.Get("/practice/wrong-book", web.RequireLogin, h.wrongBookPage)
	r.Post("/practice/check", web.RequireLogin, h.practiceCheck)
}

func (h *Handlers) practiceHome(c *fiber.Ctx) error {
	banks, err := h.svc.PracticeBanks(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "exam/practice_home", "练习与错题本", map[string]any{"Banks": banks})
}

func views(qs []CandidateQuestion) []practiceView {
	out := make([]practiceView, len(qs))
	for i, q := range qs {
		v := practiceView{CandidateQuestion: q, TypeName: item.TypeNames[item.Type(q.Type)]}
		for j := range q.Options {
			v.Letters = append(v.Letters, string(item.Letters[j]))
		}
		out[i] = v
	}
	return out
}

func (h *Handlers) practicePage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	want := 10
	if v, err := strconv.Atoi(c.Query("count")); err == nil && v > 0 {
		want = min(v, MaxPracticeCount)
	}
	qs, available, err := h.svc.PracticeDraw(c.UserContext(), web.Caller(c), id, want, false)
	if err != nil {
		return err
	}
	var b Bank
	h.svc.db.WithContext(c.UserContext()).Select("id", "name").First(&b, id)
	note := ""
	if c.Query("count") != "" && want > available && available > 0 {
		note = fmt.Sprintf("您选择练习 %d 题，本题库只有 %d 道可练习的题，已全部抽出。", want, available)
	}
	return h.pages.Render(c, fiber.StatusOK, "exam/practice", "练习："+b.Name, map[string]any{"Questions": views(qs), "Note": note, "Count": want, "Counts": []int{10, 20, 50},
		"Bank": id, "Back": "/practice/banks/" + c.Params("id") + "?count=" + strconv.Itoa(want)})
}

func (h *Handlers) wrongBookPage(c *fiber.Ctx) error {
	qs, err := h.svc.PracticeSet(c.UserContext(), web.Caller(c), 0, 20, true)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "exam/practice", "错题本", map[string]any{"Questions": views(qs), "Back": "/practice/wrong-book", "WrongBook": true})
}

// practiceCheck grades the answers of a practice form and shows each
// question with its feedback.
func (h *Handlers) practiceCheck(c *fiber.Ctx) error {
	p := web.Caller(c)
	var out []practiceView
	for _, raw := range c.Request().PostArgs().PeekMulti("qid") {
		id, err := strconv.ParseUint(string(raw), 10, 64)
		if err != nil {
			continue
		}
		var row Question
		if err := h.svc.db.WithContext(c.UserContext()).First(&row, id).Error; err != nil {
			continue
		}
		q := row.ToItem()
		key := "q-" + string(raw)
		var answer any
		given := ""
		switch q.Type {
		case item.Single:
			given = c.FormValue(key)
			answer = given
		case item.Multiple:
			for _, v := range c.Request().PostArgs().PeekMulti(key) {
				given += string(v)
			}
			answer = given
		case item.Judge:
			given = c.FormValue(key)
			answer = given == "true"
			if given == "" {
				answer = nil
			}
		case item.Blank:
			given = c.FormValue(key)
			parts := strings.Split(given, "；")
			answer = parts
		default:
			continue
		}
		rawJSON, _ := json.Marshal(answer)
		fb, err := h.svc.AnswerPractice(c.UserContext(), p, PracticeAnswer{QuestionID: id, Answer: rawJSON})
		if err != nil {
			continue
		}
		v := views([]CandidateQuestion{{ID: row.ID, Type: row.Type, Stem: q.Stem, Options: q.Options, Score: q.Score}})[0]
		v.Given = given
		v.Feedback = &fb
		v.KeyText = q.KeyText()
		out = append(out, v)
	}
	back := c.FormValue("back")
	if !strings.HasPrefix(back, "/practice/") {
		back = "/practice"
	}
	return h.pages.Render(c, fiber.StatusOK, "exam/practice", "练习结果", map[string]any{"Questions": out, "Checked": true, "Back": back})
}
