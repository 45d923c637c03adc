package audit

import "testing"

func TestLabels(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ got, want string }{
		{ActionName("exam.publish"), "发布考试"},
		{ActionName("class.approve"), "备案通过"},
		{ActionName("question.delete"), "删除试题"},
		{ActionName("brand.new_thing"), "brand.new_thing"}, // unknown: the code
		{TargetName("exam"), "考试"},
		{TargetName("eval_form"), "评估表"},
		{TargetName("gadget"), "gadget"},
		{DetailText(`{"title":"党章测试","version":2,"required":true,"user_ids":[3,4]}`), "必修：是；标题：党章测试；用户编号：3、4；版本：2"},
		{DetailText(`{"odd_field":"x"}`), "odd_field：x"},
		{DetailText("原密码不正确"), "原密码不正确"},
		{DetailText(`{not json`), `{not json`},
		{DetailText(""), ""},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
