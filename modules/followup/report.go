package followup

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"college/modules/web"

	"gorm.io/gorm/clause"
)

// ReportFor builds a round's report for those who may read it: the org
// department, the host college, the assignee, the dispatching unit's
// admins, and the cadre once it is done. A reader from the org department
// or the unit leaves a read receipt on a finished report.
func (s *Service) ReportFor(ctx context.Context, p *web.Principal, id uint64) (Report, error) {
	r, plan, rights, err := s.round(ctx, p, id)
	if err != nil {
		return Report{}, err
	}
	now := s.now().UTC()
	if rights.receipt() && r.Status == RoundDone {
		if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&ReportRead{RoundID: r.ID, UserID: p.UserID, ReadAt: now}).Error; err != nil {
			return Report{}, web.Internal(err)
		}
	}
	person, err := s.people.Person(ctx, plan.UserID)
	if err != nil {
		return Report{}, web.Internal(err)
	}
	if person == nil {
		person = &Person{}
	}
	out := Report{RoundID: r.ID, Year: r.Year, Status: r.Status, StatusName: RoundStatusNames[r.Status], DueOn: r.DueOn,
		Cadre:      ReportCadre{UserID: plan.UserID, Name: person.Name, OrgName: s.people.OrgName(ctx, plan.OrgID), Post: person.Post, IDNumber: person.IDNumber},
		Class:      ReportClass{ID: plan.ClassID, Title: plan.ClassTitle, Kind: plan.ClassKind, HostName: s.people.OrgName(ctx, plan.HostOrgID), GraduatedOn: plan.GraduatedOn},
		SelfReport: r.SelfReport, Conclusion: r.Conclusion, CompletedOn: dateOf(r.CompletedAt), Excellent: r.Excellent, CaseNote: r.CaseNote,
		GeneratedAt: now, Methods: []ReportMethod{}, Reads: []ReportReader{}}
	dims := r.dimensions()
	var sum float64
	scored := 0
	for _, name := range Dimensions {
		d := dims[name]
		if d.Indicators == nil {
			d.Indicators = []IndicatorScore{}
		}
		out.Dimensions = append(out.Dimensions, ReportDimension{Name: name, Score: d.Score, Notes: d.Notes, Indicators: d.Indicators})
		if d.Score != nil {
			sum += *d.Score
			scored++
		}
	}
	if scored == len(Dimensions) {
		avg := float64(int(sum/float64(scored)*10+0.5)) / 10
		out.Average = &avg
	}
	evidence := r.evidence()
	for _, m := range Methods { // in the canonical order
		used := false
		for _, x := range r.methods() {
			used = used || x == m
		}
		if used || evidence[m] != "" {
			out.Methods = append(out.Methods, ReportMethod{Name: m, Evidence: evidence[m]})
		}
	}
	if out.Questionnaires, err = s.roundQuestionnaires(ctx, r.ID); err != nil {
		return Report{}, err
	}
	if rights.self {
		hideRespondents(out.Questionnaires)
	}
	by := r.CompletedBy
	if by == 0 {
		by = r.AssigneeID
	}
	if by != 0 {
		if x, err := s.people.Person(ctx, by); err == nil && x != nil {
			out.TeamMember = x.Name
		}
	}
	var reads []ReportRead
	if err := s.db.WithContext(ctx).Where("round_id = ?", r.ID).Order("read_at").Find(&reads).Error; err != nil {
		return Report{}, web.Internal(err)
	}
	if len(reads) > 0 {
		ids := make([]uint64, len(reads))
		for i, x := range reads {
			ids[i] = x.UserID
		}
		people, err := s.people.People(ctx, ids)
		if err != nil {
			return Report{}, web.Internal(err)
		}
		for _, x := range reads {
			out.Reads = append(out.Reads, ReportReader{UserID: x.UserID, Name: people[x.UserID].Name, OrgName: people[x.UserID].OrgName, ReadAt: x.ReadAt})
		}
	}
	return out, nil
}

// scoreText writes a score: 92, 87.5, or — when there is none.
func scoreText(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func pctText(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(float64(int(*v*1000+0.5))/10, 'f', -1, 64) + "%"
}

var reportFuncs = template.FuncMap{
	"score":  scoreText,
	"pct":    pctText,
	"cndate": cnDate,
	"grades": func() []string { return Conclusions },
	"lines": func(s string) []string {
		return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	},
	"beijing": func(t time.Time) string { return t.In(web.Shanghai).Format("2006-01-02 15:04") },
}

// reportBody is the report itself; the page, the print view and the Word
// export all show it.
var reportBody = template.Must(template.New("report").Funcs(reportFuncs).Parse(`<article class="fu-report">
<header class="fu-report-head">
  {{- with .College}}<p class="fu-report-org">{{.}}</p>{{end}}
  <h1>跟踪问效报告</h1>
  <p class="fu-report-sub">{{.Year}} 年度 · {{.Class.Title}}</p>
  {{- if ne .Status "done"}}<p class="fu-report-draft">（{{.StatusName}}，尚未完成，以下为草稿）</p>{{end}}
</header>
<h2>一、学员基本情况</h2>
<table class="fu-report-table fu-report-info">
  <tr><th>姓名</th><td>{{.Cadre.Name}}</td></tr>
  <tr><th>身份证号</th><td>{{or .Cadre.IDNumber "—"}}</td></tr>
  <tr><th>派训单位</th><td>{{or .Cadre.OrgName "—"}}</td></tr>
  <tr><th>职务</th><td>{{or .Cadre.Post "—"}}</td></tr>
  <tr><th>参训班次</th><td>{{.Class.Title}}{{with .Class.Kind}}（{{.}}）{{end}}</td></tr>
  <tr><th>主办单位</th><td>{{or .Class.HostName "—"}}</td></tr>
  <tr><th>结业日期</th><td>{{cndate .Class.GraduatedOn}}</td></tr>
  <tr><th>问效年度</th><td>{{.Year}} 年</td></tr>
</table>
<h2>二、问效内容与评分</h2>
<table class="fu-report-table fu-report-dims">
  <thead><tr><th>维度</th><th>指标及评分</th><th>评分</th><th>评价意见</th></tr></thead>
  <tbody>
  {{- range .Dimensions}}
  <tr>
    <th scope="row">{{.Name}}</th>
    <td>{{range $i, $x := .Indicators}}{{if $i}}<br>{{end}}{{$x.Name}}：{{score $x.Score}}{{else}}—{{end}}</td>
    <td class="fu-num">{{score .Score}}</td>
    <td>{{range $i, $l := lines .Notes}}{{if $i}}<br>{{end}}{{$l}}{{end}}</td>
  </tr>
  {{- end}}
  {{- with .Average}}
  <tr class="fu-report-avg"><th scope="row">平均</th><td></td><td class="fu-num">{{score .}}</td><td></td></tr>
  {{- end}}
  </tbody>
</table>
<h2>三、问效方式及情况</h2>
{{- if .Methods}}
<table class="fu-report-table">
  <thead><tr><th>方式</th><th>情况记录</th></tr></thead>
  <tbody>
  {{- range .Methods}}
  <tr><th scope="row">{{.Name}}</th><td>{{if .Evidence}}{{range $i, $l := lines .Evidence}}{{if $i}}<br>{{end}}{{$l}}{{end}}{{else}}—{{end}}</td></tr>
  {{- end}}
  </tbody>
</table>
{{- else}}
<p>未记录问效方式。</p>
{{- end}}
{{- range .Questionnaires}}
<h3>{{.Kind}}：{{.Title}}（邀请 {{.Invited}} 人，收回 {{.Responses}} 份）</h3>
<table class="fu-report-table fu-report-q">
  <thead><tr><th>题目</th>{{range grades}}<th>{{.}}</th>{{end}}<th>平均分</th><th>优良率</th></tr></thead>
  <tbody>
  {{- range .Questions}}
  {{- if eq .Kind "rating"}}
  {{- $g := .Grades}}
  <tr><td>{{.Text}}</td>{{range grades}}<td class="fu-num">{{index $g .}}</td>{{end}}<td class="fu-num">{{score .Average}}</td><td class="fu-num">{{pct .GoodRate}}</td></tr>
  {{- end}}
  {{- end}}
  </tbody>
</table>
{{- range .Questions}}{{if and (eq .Kind "text") .Answers}}
<p class="fu-report-answers"><strong>{{.Text}}：</strong>{{range $i, $a := .Answers}}{{if $i}}；{{end}}{{$a}}{{end}}</p>
{{- end}}{{end}}
{{- end}}
{{- if .Questionnaires}}
<p class="fu-report-note">问卷评价等次折算：优秀 100 分，良好 80 分，一般 60 分，较差 40 分；优良率为评价为优秀和良好的比例。</p>
{{- end}}
<h2>四、学员年度自述</h2>
<p>{{if .SelfReport}}{{range $i, $l := lines .SelfReport}}{{if $i}}<br>{{end}}{{$l}}{{end}}{{else}}学员未提交年度自述。{{end}}</p>
<h2>五、问效结论</h2>
<p class="fu-report-conclusion">{{if .Conclusion}}<strong>{{.Conclusion}}</strong>{{else}}尚未作出结论{{end}}</p>
{{- if .Excellent}}<p>本轮问效已列为优秀实践案例{{with .CaseNote}}：{{.}}{{end}}</p>{{end}}
<table class="fu-report-table fu-report-sign">
  <tr><th>问效人（工作专班）</th><td>{{or .TeamMember "—"}}</td></tr>
  <tr><th>完成日期</th><td>{{if .CompletedOn}}{{cndate .CompletedOn}}{{else}}—{{end}}</td></tr>
</table>
<p class="fu-report-foot">本报告由系统根据问效记录生成（{{beijing .GeneratedAt}}），报送组织部门和派训单位，作为干部选拔使用、管理监督、激励约束的重要依据。身份证号已脱敏。</p>
</article>`))

// ReportCSS lays the report out on screen, on paper and in Word.
const ReportCSS = `.fu-report{font-family:"SimSun","Songti SC","Noto Serif CJK SC",serif;color:#111;line-height:1.7;font-size:15px}
.fu-report h1{font-size:22px;text-align:center;margin:4px 0;letter-spacing:.1em}
.fu-report h2{font-size:16px;margin:18px 0 8px}
.fu-report h3{font-size:15px;margin:12px 0 6px}
.fu-report-head{text-align:center;margin-bottom:12px}
.fu-report-org{margin:0;color:#555}
.fu-report-sub{margin:0;color:#333}
.fu-report-draft{color:#b71c1c;margin:4px 0 0}
.fu-report-table{width:100%;border-collapse:collapse;margin:6px 0 10px;font-size:14px}
.fu-report-table th,.fu-report-table td{border:1px solid #777;padding:5px 7px;text-align:left;vertical-align:top}
.fu-report-table th{background:#f2f2f2;font-weight:600;white-space:nowrap}
.fu-report-info th,.fu-report-sign th{width:9em}
.fu-report-table .fu-num{text-align:center;white-space:nowrap}
.fu-report-q td:first-child{min-width:8em}
@media (max-width:480px){.fu-report-q{font-size:12px}.fu-report-q th,.fu-report-q td{padding:4px 3px}}
.fu-report-avg th,.fu-report-avg td{font-weight:700}
.fu-report-conclusion{font-size:18px}
.fu-report-note,.fu-report-foot{color:#555;font-size:13px}
.fu-report-answers{font-size:14px}`

// RenderReport writes the body of a report (an <article>) for a page.
func RenderReport(r Report) (template.HTML, error) {
	var buf bytes.Buffer
	if err := reportBody.Execute(&buf, r); err != nil {
		return "", fmt.Errorf("followup: render report: %w", err)
	}
	return template.HTML(buf.String()), nil // produced by html/template: escaped
}

// reportDoc is a whole HTML document that browsers print and Word opens.
var reportDoc = template.Must(template.New("doc").Parse(`<!doctype html>
<html lang="zh-CN" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
@page { size: A4; margin: 20mm 18mm; }
body { margin: 16px; background: #fff; }
@media print { body { margin: 0; } }
{{.CSS}}
</style>
</head>
<body>
{{.Body}}
</body>
</html>`))

// ReportDocument writes a report as a standalone HTML document.
func ReportDocument(r Report) ([]byte, error) {
	body, err := RenderReport(r)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = reportDoc.Execute(&buf, map[string]any{"Title": ReportTitle(r), "CSS": template.CSS(ReportCSS), "Body": body})
	if err != nil {
		return nil, fmt.Errorf("followup: render report document: %w", err)
	}
	return buf.Bytes(), nil
}

// ReportTitle names a report: 跟踪问效报告-张三-2027.
func ReportTitle(r Report) string {
	return fmt.Sprintf("跟踪问效报告-%s-%d", r.Cadre.Name, r.Year)
}
