package assess

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"college/modules/training"
	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Sources of a leaf indicator's score.
const (
	SourceTrainee = "trainee" // the trainees' evaluations, scored automatically
	SourceSelf    = "self"    // the host's self-assessment
	SourceOrg     = "org"     // the org department's review
)

// SourceNames are the Chinese names of the sources.
var SourceNames = map[string]string{SourceTrainee: "学员评价", SourceSelf: "主办方自评", SourceOrg: "组织部门评价"}

// Limits of an indicator tree.
const (
	MaxIndicators = 100
	MaxDepth      = 3
)

// Grade names a total: 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, else 不合格.
func Grade(total float64) string {
	switch {
	case total >= 90:
		return "优秀"
	case total >= 80:
		return "良好"
	case total >= 60:
		return "合格"
	}
	return "不合格"
}

// DefaultTemplate is the default indicator tree of a training project.
func DefaultTemplate() []IndicatorRequest {
	return []IndicatorRequest{
		{Name: "培训设计", Weight: 30, Children: []IndicatorRequest{
			{Name: "方案科学性", Weight: 60, Source: SourceOrg},
			{Name: "课程设置", Weight: 40, Source: SourceSelf},
		}},
		{Name: "培训实施", Weight: 30, Children: []IndicatorRequest{
			{Name: "组织管理", Weight: 50, Source: SourceSelf},
			{Name: "师资水平", Weight: 50, Source: SourceOrg},
		}},
		{Name: "培训效果", Weight: 40, Children: []IndicatorRequest{
			{Name: "学员满意度", Weight: 60, Source: SourceTrainee},
			{Name: "学用转化", Weight: 40, Source: SourceOrg},
		}},
	}
}

// ValidateIndicators checks a tree: names, whole weights summing to 100
// among siblings, a source on every leaf, trainee leaves pointing at an
// evaluation of the class (or 0 for all of them), at most three levels.
func ValidateIndicators(nodes []IndicatorRequest, evaluations map[uint64]bool) web.Fields {
	f := web.Fields{}
	count := 0
	var walk func(nodes []IndicatorRequest, at string, depth int)
	walk = func(nodes []IndicatorRequest, at string, depth int) {
		sum := 0.0
		for i := range nodes {
			n := &nodes[i]
			p := fmt.Sprintf("%s[%d]", at, i)
			count++
			n.Name = strings.TrimSpace(n.Name)
			f.Required(p+".name", n.Name)
			f.MaxLen(p+".name", n.Name, 100)
			if n.Weight != math.Trunc(n.Weight) || n.Weight < 1 || n.Weight > 100 {
				f.Add(p+".weight", "权重应为 1 到 100 的整数")
			}
			sum += n.Weight
			if len(n.Children) > 0 {
				if depth >= MaxDepth {
					f.Add(p+".children", fmt.Sprintf("指标最多 %d 级", MaxDepth))
					continue
				}
				n.Source, n.EvaluationID = "", 0
				walk(n.Children, p+".children", depth+1)
				continue
			}
			switch n.Source {
			case SourceTrainee:
				if n.EvaluationID != 0 && !evaluations[n.EvaluationID] {
					f.Add(p+".evaluation_id", "不是本班次的评估")
				}
			case SourceSelf, SourceOrg:
				n.EvaluationID = 0
			default:
				f.Add(p+".source", "末级指标的评分来源应为 trainee（学员评价）、self（主办方自评）或 org（组织部门评价）")
			}
		}
		if len(nodes) > 0 && sum != 100 {
			f.Add(at, fmt.Sprintf("同级指标的权重合计应为 100，现为 %g", sum))
		}
	}
	if len(nodes) == 0 {
		f.Add("indicators", "至少需要一项指标")
		return f
	}
	walk(nodes, "indicators", 1)
	if count > MaxIndicators {
		f.Add("indicators", fmt.Sprintf("指标不能超过 %d 项", MaxIndicators))
	}
	return f
}

// scoreKey finds a person's score of an indicator.
type scoreKey struct {
	id     uint64
	scorer string
}

// BuildQuality scores a tree: each leaf from its source, each parent the
// weighted sum of its children, the total the weighted sum of the roots.
// trainee holds the evaluation scores by evaluation id (0: the class's
// evaluations together); a leaf whose source has no score yet counts as 0
// and leaves the assessment incomplete.
func BuildQuality(nodes []Indicator, scores []Score, trainee map[uint64]TraineeScore) Quality {
	children := map[uint64][]Indicator{}
	for _, n := range nodes {
		children[n.ParentID] = append(children[n.ParentID], n)
	}
	for k := range children {
		sort.SliceStable(children[k], func(i, j int) bool { return children[k][i].Sort < children[k][j].Sort })
	}
	given := map[scoreKey]Score{}
	for _, s := range scores {
		given[scoreKey{s.IndicatorID, s.Scorer}] = s
	}
	q := Quality{Indicators: []IndicatorView{}}
	var build func(parent uint64, share float64) ([]IndicatorView, float64)
	build = func(parent uint64, share float64) ([]IndicatorView, float64) {
		var out []IndicatorView
		sum := 0.0
		for _, n := range children[parent] {
			v := IndicatorView{ID: n.ID, Name: n.Name, Weight: n.Weight, Share: round(share*float64(n.Weight)/100, 2)}
			if kids := children[n.ID]; len(kids) > 0 {
				var sc float64
				v.Children, sc = build(n.ID, share*float64(n.Weight)/100)
				sc = round(sc, 2)
				v.Score = &sc
			} else {
				q.Leaves++
				v.Source, v.SourceName, v.EvaluationID = n.Source, SourceNames[n.Source], n.EvaluationID
				if s, ok := given[scoreKey{n.ID, SourceSelf}]; ok {
					v.Self = &ScoreView{Score: s.Score, Note: s.Note, ScoredAt: s.ScoredAt}
				}
				if s, ok := given[scoreKey{n.ID, SourceOrg}]; ok {
					v.Org = &ScoreView{Score: s.Score, Note: s.Note, ScoredAt: s.ScoredAt}
				}
				switch n.Source {
				case SourceTrainee:
					if t, ok := trainee[n.EvaluationID]; ok {
						v.Trainee = &t
						if t.Responses > 0 {
							sc := t.Score
							v.Score = &sc
						}
					}
				case SourceSelf:
					if v.Self != nil {
						sc := v.Self.Score
						v.Score = &sc
					}
				case SourceOrg:
					if v.Org != nil {
						sc := v.Org.Score
						v.Score = &sc
					}
				}
				if v.Score != nil {
					q.Scored++
				}
			}
			if v.Score != nil {
				sum += float64(n.Weight) / 100 * *v.Score
			}
			out = append(out, v)
		}
		return out, sum
	}
	var total float64
	q.Indicators, total = build(0, 100)
	if q.Indicators == nil {
		q.Indicators = []IndicatorView{}
	}
	q.Total = round(total, 2)
	q.Grade = Grade(q.Total)
	q.Complete = q.Leaves > 0 && q.Scored == q.Leaves
	return q
}

// ---------- service ----------

func (s *Service) indicators(ctx context.Context, classID uint64) ([]Indicator, error) {
	var rows []Indicator
	if err := s.db.WithContext(ctx).Where("class_id = ?", classID).Order("sort, id").Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	return rows, nil
}

// traineeScores scores each evaluation of a class, and all of them
// together under id 0.
func (s *Service) traineeScores(ctx context.Context, classID uint64) (map[uint64]TraineeScore, error) {
	var evals []Evaluation
	if err := s.db.WithContext(ctx).Where("class_id = ?", classID).Find(&evals).Error; err != nil {
		return nil, web.Internal(err)
	}
	tallies, err := s.tallies(ctx, evals)
	if err != nil {
		return nil, err
	}
	out := map[uint64]TraineeScore{}
	var sum float64
	var n int
	for id, t := range tallies {
		score, _ := totals(t.scoreSum, t.scored, t.top2, t.ratings)
		out[id] = TraineeScore{Score: score, Responses: t.scored}
		sum += t.scoreSum
		n += t.scored
	}
	all, _ := totals(sum, n, 0, 0)
	out[0] = TraineeScore{Score: all, Responses: n}
	return out, nil
}

// quality assembles a class's assessment.
func (s *Service) quality(ctx context.Context, c *training.Class) (Quality, error) {
	nodes, err := s.indicators(ctx, c.ID)
	if err != nil {
		return Quality{}, err
	}
	var scores []Score
	if len(nodes) > 0 {
		ids := make([]uint64, len(nodes))
		for i, n := range nodes {
			ids[i] = n.ID
		}
		if err := s.db.WithContext(ctx).Where("indicator_id IN ?", ids).Find(&scores).Error; err != nil {
			return Quality{}, web.Internal(err)
		}
	}
	trainee, err := s.traineeScores(ctx, c.ID)
	if err != nil {
		return Quality{}, err
	}
	q := BuildQuality(nodes, scores, trainee)
	q.ClassID, q.ClassTitle = c.ID, c.Title
	return q, nil
}

// Quality returns a class's quality assessment to its host and the org department.
func (s *Service) Quality(ctx context.Context, p *web.Principal, classID uint64) (Quality, error) {
	c, err := s.managedClass(ctx, p, classID)
	if err != nil {
		return Quality{}, err
	}
	return s.quality(ctx, c)
}

// ApplyTemplate gives a class without indicators the default tree.
func (s *Service) ApplyTemplate(ctx context.Context, p *web.Principal, classID uint64) (Quality, error) {
	c, err := s.managedClass(ctx, p, classID)
	if err != nil {
		return Quality{}, err
	}
	nodes, err := s.indicators(ctx, c.ID)
	if err != nil {
		return Quality{}, err
	}
	if len(nodes) > 0 {
		return Quality{}, web.Conflict("quality_exists", "本班次已有考核指标，请直接修改")
	}
	if err := s.replaceTree(ctx, p, c.ID, DefaultTemplate(), "quality.template", nil); err != nil {
		return Quality{}, err
	}
	return s.quality(ctx, c)
}

// SetIndicators replaces a class's indicator tree; the scores given to
// the old tree go with it.
func (s *Service) SetIndicators(ctx context.Context, p *web.Principal, classID uint64, in IndicatorsRequest) (Quality, error) {
	c, err := s.managedClass(ctx, p, classID)
	if err != nil {
		return Quality{}, err
	}
	var ids []uint64
	if err := s.db.WithContext(ctx).Model(&Evaluation{}).Where("class_id = ?", c.ID).Pluck("id", &ids).Error; err != nil {
		return Quality{}, web.Internal(err)
	}
	evals := map[uint64]bool{}
	for _, id := range ids {
		evals[id] = true
	}
	if err := ValidateIndicators(in.Indicators, evals).Err(); err != nil {
		return Quality{}, err
	}
	if err := s.replaceTree(ctx, p, c.ID, in.Indicators, "quality.indicators", in.Indicators); err != nil {
		return Quality{}, err
	}
	return s.quality(ctx, c)
}

// replaceTree puts nodes in the place of a class's indicators and writes
// the audit entry of the action that did it.
func (s *Service) replaceTree(ctx context.Context, p *web.Principal, classID uint64, nodes []IndicatorRequest, action string, detail any) error {
	err := db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Where("indicator_id IN (?)", tx.Model(&Indicator{}).Select("id").Where("class_id = ?", classID)).Delete(&Score{}).Error; err != nil {
			return err
		}
		if err := tx.Where("class_id = ?", classID).Delete(&Indicator{}).Error; err != nil {
			return err
		}
		var insert func(nodes []IndicatorRequest, parent uint64) error
		insert = func(nodes []IndicatorRequest, parent uint64) error {
			for i, n := range nodes {
				row := Indicator{ClassID: classID, ParentID: parent, Name: n.Name, Weight: int(n.Weight), Source: n.Source, EvaluationID: n.EvaluationID, Sort: i}
				if err := tx.Create(&row).Error; err != nil {
					return err
				}
				if err := insert(n.Children, row.ID); err != nil {
					return err
				}
			}
			return nil
		}
		if err := insert(nodes, 0); err != nil {
			return fmt.Errorf("assess: replace indicators: %w", err)
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, action, "class", classID, detail))
	})
	if err != nil {
		return web.AsError(err)
	}
	return nil
}

// SetScores records the host's self-assessment or the org department's
// review of the leaves whose source they are.
func (s *Service) SetScores(ctx context.Context, p *web.Principal, classID uint64, in ScoresRequest) (Quality, error) {
	var c *training.Class
	var err error
	switch in.Scorer {
	case SourceSelf:
		c, err = s.hostedClass(ctx, p, classID)
	case SourceOrg:
		c, err = s.managedClass(ctx, p, classID)
		if err == nil && !p.Has(web.RoleOrgAdmin) {
			err = web.Forbidden()
		}
	default:
		return Quality{}, web.Invalid(map[string]string{"scorer": "应为 self（主办方自评）或 org（组织部门评价）"})
	}
	if err != nil {
		return Quality{}, err
	}
	nodes, err := s.indicators(ctx, c.ID)
	if err != nil {
		return Quality{}, err
	}
	leaf := map[uint64]Indicator{}
	parents := map[uint64]bool{}
	for _, n := range nodes {
		parents[n.ParentID] = true
	}
	for _, n := range nodes {
		if !parents[n.ID] {
			leaf[n.ID] = n
		}
	}
	f := web.Fields{}
	if len(in.Scores) == 0 {
		f.Add("scores", "请填写评分")
	}
	now := s.now().UTC()
	rows := make([]Score, 0, len(in.Scores))
	for i, x := range in.Scores {
		at := fmt.Sprintf("scores[%d].", i)
		n, ok := leaf[x.IndicatorID]
		switch {
		case !ok:
			f.Add(at+"indicator_id", "不是本班次的末级指标")
			continue
		case n.Source != in.Scorer:
			f.Add(at+"indicator_id", "“"+n.Name+"”由"+SourceNames[n.Source]+"评分")
			continue
		}
		if math.IsNaN(x.Score) || x.Score < 0 || x.Score > 100 {
			f.Add(at+"score", "分数应在 0 到 100 之间")
		}
		note := strings.TrimSpace(x.Note)
		f.MaxLen(at+"note", note, 500)
		rows = append(rows, Score{IndicatorID: n.ID, Scorer: in.Scorer, Score: round(x.Score, 2), Note: note, ScoredBy: p.UserID, ScoredAt: now})
	}
	if err := f.Err(); err != nil {
		return Quality{}, err
	}
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "indicator_id"}, {Name: "scorer"}},
			DoUpdates: clause.AssignmentColumns([]string{"score", "note", "scored_by", "scored_at"})}).Create(&rows).Error; err != nil {
			return fmt.Errorf("assess: save scores: %w", err)
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "quality.scores", "class", c.ID, in))
	})
	if err != nil {
		return Quality{}, web.AsError(err)
	}
	return s.quality(ctx, c)
}

// Ranking ranks the year's classes with an indicator tree that the caller
// hosts or oversees by their totals; equal totals share a rank.
func (s *Service) Ranking(ctx context.Context, p *web.Principal, year int) (Ranking, error) {
	if !canManage(p) {
		return Ranking{}, web.Forbidden()
	}
	if year == 0 {
		year = s.now().In(web.Shanghai).Year()
	}
	out := Ranking{Year: year, Items: []RankingRow{}}
	var classes []training.Class
	for page := 1; ; page++ {
		rows, total, err := s.classes.ListManaged(ctx, p, training.ListFilter{Year: year}, web.Page{Page: page, PageSize: web.MaxPageSize})
		if err != nil {
			return out, err
		}
		classes = append(classes, rows...)
		if len(rows) == 0 || int64(len(classes)) >= total {
			break
		}
	}
	if len(classes) == 0 {
		return out, nil
	}
	ids := make([]uint64, len(classes))
	for i, c := range classes {
		ids[i] = c.ID
	}
	var assessed []uint64
	for i := 0; i < len(ids); i += 1000 {
		var part []uint64
		if err := s.db.WithContext(ctx).Model(&Indicator{}).Distinct("class_id").Where("class_id IN ?", ids[i:min(i+1000, len(ids))]).Pluck("class_id", &part).Error; err != nil {
			return out, web.Internal(err)
		}
		assessed = append(assessed, part...)
	}
	has := map[uint64]bool{}
	for _, id := range assessed {
		has[id] = true
	}
	for i := range classes {
		c := &classes[i]
		if !has[c.ID] {
			continue
		}
		q, err := s.quality(ctx, c)
		if err != nil {
			return out, err
		}
		sum := s.classes.Summary(ctx, c)
		out.Items = append(out.Items, RankingRow{ClassID: c.ID, ClassTitle: c.Title, Kind: c.Kind, HostName: sum.HostName, StartsOn: c.StartsOn, EndsOn: c.EndsOn,
			Total: q.Total, Grade: q.Grade, Complete: q.Complete})
	}
	sort.SliceStable(out.Items, func(i, j int) bool {
		a, b := out.Items[i], out.Items[j]
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		return a.StartsOn < b.StartsOn
	})
	for i := range out.Items {
		if i > 0 && out.Items[i].Total == out.Items[i-1].Total {
			out.Items[i].Rank = out.Items[i-1].Rank
		} else {
			out.Items[i].Rank = i + 1
		}
	}
	return out, nil
}
