package audit

import (
	"encoding/json"
	"sort"
	"strings"

	"college/modules/web"
)

// actionNames are the Chinese names of the action codes the modules write;
// a code missing here is shown as it is.
var actionNames = map[string]string{
	"login.success": "登录成功", "login.fail": "登录失败", "login.locked": "账号锁定", "logout": "退出登录",
	"access.denied": "拒绝访问", "list.users": "查询人员名单",
	"user.create": "新建用户", "user.update": "修改用户", "user.roles": "修改角色", "user.disable": "停用账号", "user.enable": "启用账号",
	"user.import": "导入用户", "user.password_reset": "重置密码", "user.unlock": "解除锁定",
	"role.grant": "授予角色", "role.revoke": "撤销角色",
	"password.change": "修改密码", "password.change_fail": "修改密码失败",
	"mfa.enable": "启用动态验证码", "mfa.enrol.start": "开始绑定动态验证码", "mfa.reset": "重置动态验证码",
	"org.create": "新建组织", "org.update": "修改组织", "settings.update": "修改设置",
	"course.create": "新建课程", "course.update": "修改课程", "course.publish": "发布课程", "course.archive": "归档课程",
	"course.cover": "更换课程封面", "course.enroll": "选学课程",
	"lesson.create": "新增课时", "lesson.update": "修改课时", "lesson.delete": "删除课时", "lesson.media": "上传课时文件", "lesson.reorder": "调整课时顺序",
	"topic.create": "新建专题", "topic.update": "修改专题",
	"bank.create": "新建题库", "question.create": "新增试题", "question.update": "修改试题", "question.delete": "删除试题",
	"question.import": "导入试题", "question.import_preview": "预览试题导入", "question.media_upload": "上传试题图片或音视频",
	"exam.create": "新建考试", "exam.publish": "发布考试", "exam.release": "公布成绩与答案", "exam.regrade": "重新评分",
	"exam.graders": "分配阅卷", "exam.start": "开始考试",
	"attempt.start": "开始考试", "attempt.submit": "交卷", "attempt.review": "阅卷评分",
	"class.create": "新建班次", "class.update": "修改班次", "class.submit": "提交备案", "class.approve": "备案通过", "class.reject": "备案退回",
	"class.open": "开放报名", "class.close": "截止报名", "class.start": "开班", "class.graduate": "结业", "class.archive": "归档班次",
	"class.quotas": "分配名额", "class.courses": "设置班次课程", "class.attendance": "登记考勤",
	"class.session.add": "新增课程安排", "class.session.update": "修改课程安排", "class.session.delete": "删除课程安排", "class.session.code": "生成签到码",
	"class.file": "上传班次材料", "class.file.delete": "删除班次材料",
	"registration.create": "报名", "registration.nominate": "单位推荐报名", "registration.approve": "录取", "registration.reject": "不予录取",
	"registration.replace": "替换参训人员", "registration.withdraw": "退出班次",
	"attendance.signin": "签到", "leave.request": "请假", "leave.approve": "批准请假", "leave.reject": "不批准请假",
	"evaluation.create": "新建评估", "evaluation.delete": "删除评估", "evaluation.remind": "提醒参评",
	"form.create": "新建评估表", "form.delete": "删除评估表", "quality.scores": "录入质量评分",
	"followup.assign": "分派跟踪任务", "followup.case_course": "案例课程", "followup.case_course.open": "开放案例课程",
	"followup.excellent": "评选优秀", "followup.questionnaire": "跟踪问卷", "followup.report_back": "回访报告",
	"followup.report_back.attach": "上传回访材料", "followup.round": "跟踪轮次", "followup.self_report": "个人自评",
	"followup.study_plan": "学习计划", "followup.team": "跟踪小组", "followup.team.add": "加入跟踪小组", "followup.team.remove": "移出跟踪小组",
	"followup.templates": "跟踪模板", "followup.term": "跟踪期限",
	"export.archive": "导出学习档案", "export.bank": "导出题库", "export.class_roster": "导出学员名册", "export.class_signin": "导出签到表",
	"export.exam_results": "导出考试成绩", "export.evaluation_results": "导出评估结果", "roster.export": "导出学员名册",
	"report.request": "申请生成报表", "export.report": "下载报表",
	"site.propose": "申报现场教学点", "site.review": "论证现场教学点", "site.approve": "审批现场教学点", "site.activate": "启用现场教学点",
	"site.suspend": "暂停现场教学点", "site.withdraw": "撤销现场教学点", "site.book": "预约现场教学点", "site.photo.add": "上传教学点照片", "site.photo.delete": "删除教学点照片",
	"site.booking.confirm": "确认教学点预约", "site.booking.decline": "婉拒教学点预约", "site_category.create": "新增教学点类别", "site_category.rename": "教学点类别改名", "site_route.create": "新建现场教学线路",
	"export.sites": "导出现场教学点", "site.update": "修改现场教学点申报内容",
	"site.inspect": "记录教学点督促检查", "site.rectify": "记录教学点整改完成", "export.site_inspections": "导出教学点督促检查",
	"export.site_stats": "导出现场教学点使用统计", "export.site_routes": "导出现场教学线路", "export.site_joint": "导出联席会议教学点一览", "site.course.link": "列入教学点精品课程", "site.course.unlink": "移出教学点精品课程",
	"base.apply": "申请基地准入", "base.approve": "基地准入通过", "base.reject": "基地准入不通过", "base.file": "基地备案",
	"base.suspend": "暂停基地", "base.reinstate": "恢复基地备案", "base.withdraw": "撤销基地", "base.check": "基地年度复核",
	"base.document": "上传基地准入材料", "export.bases": "导出培训基地名单",
	"program.create": "新建重点培训项目", "program.classes": "设置重点培训项目班次", "user.targeting": "设置任现职时间和人员标签",
	"export.program_people": "导出重点培训项目人员名单", "export.programs": "导出重点培训项目列表",
	"teacher.create": "新增教师", "teacher.update": "修改教师信息", "teacher.delete": "删除教师", "teacher.photo": "更新教师照片",
	"throughtrain.raise": "学员直通车提问", "throughtrain.message": "学员直通车留言", "throughtrain.attach": "上传直通车附件",
	"throughtrain.assign": "指派直通车答复教师", "throughtrain.close": "学员直通车办结评价", "throughtrain.mark_case": "标记直通车优秀案例",
	"throughtrain.case_course": "直通车案例转为课程", "throughtrain.case_course.open": "打开直通车案例课程",
	"export.throughtrain":     "导出学员直通车清单",
	"teacher.correction.open": "生成教师整改任务", "teacher.correction.close": "完成教师整改",
	"teacher.master.grant": "授予名师称号", "teacher.master.refuse": "不予授予名师称号", "teacher.master.review": "名师年度复核",
	"lecture.create": "新建讲座", "lecture.update": "修改讲座", "lecture.publish": "发布讲座", "lecture.hold": "登记讲座已举办",
	"lecture.cancel": "取消讲座", "lecture.recording": "关联讲座录像课程", "lecture.code": "更换讲座签到码", "lecture.signin": "讲座签到",
	"export.lecture_attendance": "导出讲座签到名单",
}

// actionGroups name the filter prefixes (the part before the first dot).
var actionGroups = map[string]string{
	"login": "登录", "logout": "退出登录", "user": "用户管理", "role": "角色", "password": "修改密码", "mfa": "动态验证码",
	"org": "组织机构", "settings": "系统设置", "course": "课程", "lesson": "课时", "topic": "专题",
	"bank": "题库", "question": "试题", "exam": "考试", "attempt": "答卷", "class": "培训班次", "registration": "报名",
	"attendance": "签到", "leave": "请假", "evaluation": "评估", "form": "评估表", "quality": "质量评分", "followup": "跟踪问效",
	"export": "数据导出", "roster": "数据导出", "list": "人员查询", "access": "拒绝访问", "report": "报表",
	"site": "现场教学点", "site_category": "教学点类别", "site_route": "现场教学线路",
	"base":    "培训基地",
	"teacher": "师资库",
}

// targetNames are the Chinese names of the object kinds.
var targetNames = map[string]string{
	"user": "用户", "org": "组织", "settings": "系统设置", "session": "会话", "route": "访问路径",
	"course": "课程", "lesson": "课时", "topic": "专题", "bank": "题库", "question": "试题", "exam": "考试", "attempt": "答卷",
	"class": "班次", "registration": "报名", "leave": "请假", "evaluation": "评估", "eval_form": "评估表",
	"followup_plan": "跟踪计划", "followup_round": "跟踪轮次", "followup_team": "跟踪小组", "followup_templates": "跟踪模板", "report_back": "回访报告",
	"report_job": "报表", "site": "现场教学点", "site_booking": "教学点预约", "site_category": "教学点类别", "site_route": "现场教学线路", "site_inspection": "教学点督促检查",
	"base":    "培训基地",
	"teacher": "教师",
}

// detailNames are the Chinese names of the fields entries carry in their
// details.
var detailNames = map[string]string{
	"title": "标题", "name": "名称", "type": "类型", "kind": "类别", "status": "状态", "username": "用户名", "user_id": "用户编号",
	"user_ids": "用户编号", "class_id": "班次编号", "class": "班次", "course_id": "课程编号", "question_id": "试题编号", "bank_id": "题库编号",
	"form_id": "评估表编号", "org_id": "组织编号", "roles": "角色", "reason": "原因", "quota": "名额", "quotas": "名额", "version": "版本",
	"scores": "评分", "score": "分数", "hours": "学时", "code": "代码", "mode": "方式", "rows": "行数", "count": "数量", "stem": "题干",
	"starts_on": "开始日期", "term_ends_on": "截止日期", "levels": "职级", "description": "说明", "summary": "摘要", "topic": "专题",
	"assignments": "分配", "times": "次数", "courses": "课程", "session_ids": "课程安排", "absent_user_ids": "缺勤人员", "required": "必修",
	"questions": "题数", "total_score": "总分", "pass_score": "合格分", "imported": "导入数量", "file": "文件", "format": "格式", "key": "设置项", "value": "值", "path": "路径", "method": "方法", "year": "年度", "result": "结果", "size": "大小",
}

// ActionName is the Chinese name of an action code, or the code itself.
func ActionName(code string) string {
	if n, ok := actionNames[code]; ok {
		return n
	}
	return code
}

// TargetName is the Chinese name of an object kind, or the kind itself.
func TargetName(kind string) string {
	if n, ok := targetNames[kind]; ok {
		return n
	}
	return kind
}

// DetailText makes an entry's details readable: a JSON object becomes
// "名称：值" pairs in a stable order, anything else is shown as written.
func DetailText(detail string) string {
	d := strings.TrimSpace(detail)
	if !strings.HasPrefix(d, "{") {
		return detail
	}
	dec := json.NewDecoder(strings.NewReader(d))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return detail
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		name := k
		if n, ok := detailNames[k]; ok {
			name = n
		}
		parts = append(parts, name+"："+detailValue(m[k]))
	}
	return strings.Join(parts, "；")
}

func detailValue(v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "是"
		}
		return "否"
	case []any:
		s := make([]string, len(x))
		for i, e := range x {
			s[i] = detailValue(e)
		}
		return strings.Join(s, "、")
	case map[string]any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return web.JSONScalar(v)
}
