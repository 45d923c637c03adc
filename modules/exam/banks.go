package exam

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"

	"college/modules/exam/importer"
	"college/modules/exam/item"
	"college/modules/web"

	"gorm.io/gorm"
)

func canManage(p *web.Principal) bool { return p.Has(web.RoleCollegeAdmin) }

// ToItem turns a request into a validated question.
func (in QuestionRequest) ToItem() (item.Question, error) {
	q := item.Question{Type: item.Type(in.Type), Stem: strings.TrimSpace(in.Stem), Options: in.Options, Score: in.Score,
		Difficulty: in.Difficulty, Tags: cleanTags(in.Tags), Analysis: in.Analysis, FixedOrder: in.FixedOrder || item.NeedsFixedOrder(in.Options)}
	bad := web.Fields{}
	if _, ok := item.TypeNames[q.Type]; ok {
		if len(in.Answer) == 0 || string(in.Answer) == "null" {
			if q.Type != item.Short {
				bad.Add("answer", "答案必填")
			}
		} else if k, err := item.ParseKey(q.Type, in.Answer); err != nil {
			bad.Add("answer", err.Error())
		} else {
			q.Key = k
		}
		if len(in.Partial) > 0 {
			q.Key.Partial = make(map[string]float64, len(in.Partial))
			for l, v := range in.Partial {
				q.Key.Partial[strings.ToUpper(strings.TrimSpace(l))] = v
			}
		}
	}
	for f, m := range q.Validate() {
		bad.Add(f, m)
	}
	return q, bad.Err()
}

func cleanTags(tags []string) []string {
	out := []string{}
	for _, t := range tags {
		t = strings.TrimSpace(strings.ReplaceAll(t, ",", ""))
		if t != "" && len([]rune(t)) <= 30 {
			out = append(out, t)
		}
	}
	return out
}

func tagsColumn(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return "," + strings.Join(tags, ",") + ","
}

func toRow(bankID uint64, q item.Question) Question {
	opts, _ := json.Marshal(q.Options)
	key, _ := json.Marshal(q.Key)
	return Question{BankID: bankID, Type: string(q.Type), Stem: q.Stem, Options: string(opts), Key: string(key),
		Score: int64(math.Round(q.Score * 100)), Difficulty: q.Difficulty, Tags: tagsColumn(q.Tags), Analysis: q.Analysis, FixedOrder: q.FixedOrder, Version: 1}
}

// ToItem turns a stored question back into an item.
func (r *Question) ToItem() item.Question {
	q := item.Question{Type: item.Type(r.Type), Stem: r.Stem, Score: float64(r.Score) / 100, Difficulty: r.Difficulty, Analysis: r.Analysis, FixedOrder: r.FixedOrder}
	_ = json.Unmarshal([]byte(r.Options), &q.Options)
	_ = json.Unmarshal([]byte(r.Key), &q.Key)
	for _, t := range strings.Split(strings.Trim(r.Tags, ","), ",") {
		if t != "" {
			q.Tags = append(q.Tags, t)
		}
	}
	return q
}

func questionResponse(r *Question) QuestionResponse {
	q := r.ToItem()
	opts := q.Options
	if opts == nil {
		opts = []string{}
	}
	tags := q.Tags
	if tags == nil {
		tags = []string{}
	}
	return QuestionResponse{ID: r.ID, Type: r.Type, Stem: q.Stem, Options: opts, Answer: q.KeyJSON(), Partial: q.Key.Partial, Score: q.Score, Difficulty: q.Difficulty, Tags: tags, Analysis: q.Analysis, FixedOrder: q.FixedOrder}
}

// CreateBank makes a bank for the caller's college.
func (s *Service) CreateBank(ctx context.Context, p *web.Principal, in BankRequest) (*Bank, error) {
	if !canManage(p) {
		return nil, web.Forbidden()
	}
	f := web.Fields{}
	in.Name = strings.TrimSpace(in.Name)
	f.Required("name", in.Name)
	f.MaxLen("name", in.Name, 200)
	if err := f.Err(); err != nil {
		return nil, err
	}
	b := &Bank{CollegeID: p.OrgID, Name: in.Name, Practice: in.Practice, CreatedBy: p.UserID}
	err := s.commit(ctx, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Create(b).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "bank.create", "bank", b.ID, map[string]any{"name": b.Name}), nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// bankFor returns a bank the caller manages (404 otherwise).
func (s *Service) bankFor(ctx context.Context, p *web.Principal, id uint64) (*Bank, error) {
	if !canManage(p) {
		return nil, web.Forbidden()
	}
	return web.Load[Bank](s.db.WithContext(ctx).Scopes(web.OrgScope(p, "college_id")), id)
}

// AddQuestion stores one question in a bank.
func (s *Service) AddQuestion(ctx context.Context, p *web.Principal, bankID uint64, in QuestionRequest) (*Question, error) {
	b, err := s.bankFor(ctx, p, bankID)
	if err != nil {
		return nil, err
	}
	q, err := in.ToItem()
	if err != nil {
		return nil, err
	}
	if err := s.checkQuestionMedia(ctx, q); err != nil {
		return nil, err
	}
	row := toRow(b.ID, q)
	err = s.commit(ctx, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Create(&row).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "question.create", "question", row.ID, map[string]any{"bank_id": bankID, "type": row.Type}), nil
	})
	if err != nil {
		return nil, err
	}
	return &row, nil
}

// ImportFile reads a question file (Excel, Moodle XML or GIFT; name tells
// which) into a bank. A file with any error imports nothing.
func (s *Service) ImportFile(ctx context.Context, p *web.Principal, bankID uint64, name string, data []byte, cols importer.Columns) (ImportResponse, error) {
	b, err := s.bankFor(ctx, p, bankID)
	if err != nil {
		return ImportResponse{}, err
	}
	res, problems, err := importer.ParseWith(name, data, cols)
	if err != nil {
		return ImportResponse{}, web.NewError(http.StatusUnsupportedMediaType, "unsupported_media_type", err.Error())
	}
	if len(problems) == 0 {
		missing, err := s.missingMedia(ctx, res.Questions, res.Media)
		if err != nil {
			return ImportResponse{}, err
		}
		if len(missing) > 0 {
			problems = append(problems, importer.Problem{At: "文件", Message: missingMessage(missing)})
		}
	}
	if len(problems) > 0 {
		return ImportResponse{}, &web.Error{Status: http.StatusUnprocessableEntity, Code: "import_invalid", Message: "导入文件有误，未导入任何试题", Rows: rowErrors(problems)}
	}
	out := ImportResponse{Skipped: res.Skipped, Warnings: rowErrors(res.Warnings)}
	if out.Skipped == nil {
		out.Skipped = []importer.Skipped{}
	}
	// The files first: a question is never stored without them, and a file
	// stored for an import that then fails is only unused.
	if err := s.storeMedia(ctx, res.Media); err != nil {
		return ImportResponse{}, err
	}
	n, err := s.importQuestions(ctx, p, b, res.Questions, len(out.Skipped))
	out.Imported = n
	return out, err
}

// PreviewFile reads an import file as ImportFile would and answers what it
// would import and every problem, saving nothing.
func (s *Service) PreviewFile(ctx context.Context, p *web.Principal, bankID uint64, name string, data []byte, cols importer.Columns) (ImportPreview, error) {
	if _, err := s.bankFor(ctx, p, bankID); err != nil {
		return ImportPreview{}, err
	}
	res, problems, err := importer.ParseWith(name, data, cols)
	if err != nil {
		return ImportPreview{}, web.NewError(http.StatusUnsupportedMediaType, "unsupported_media_type", err.Error())
	}
	qs := res.Questions
	if len(problems) > 0 {
		qs = res.Good
	}
	missing, err := s.missingMedia(ctx, qs, res.Media)
	if err != nil {
		return ImportPreview{}, err
	}
	if len(missing) > 0 {
		problems = append(problems, importer.Problem{At: "文件", Message: missingMessage(missing)})
	}
	out := ImportPreview{Format: res.Format, Layout: res.Layout, Header: res.Header, Columns: res.Columns, Counts: map[string]int{}, Questions: make([]PreviewQuestion, len(qs)),
		Problems: rowErrors(problems), Warnings: rowErrors(res.Warnings), Skipped: res.Skipped, Media: dataURIs(res.Media)}
	if out.Skipped == nil {
		out.Skipped = []importer.Skipped{}
	}
	for i, q := range qs {
		out.Counts[string(q.Type)]++
		opts, tags := q.Options, q.Tags
		if opts == nil {
			opts = []string{}
		}
		if tags == nil {
			tags = []string{}
		}
		out.Questions[i] = PreviewQuestion{Type: string(q.Type), TypeName: item.TypeNames[q.Type], Stem: q.Stem, Options: opts, Answer: q.KeyJSON(),
			Partial: q.Key.Partial, KeyText: q.KeyText(), Score: q.Score, Difficulty: q.Difficulty, Tags: tags, Analysis: q.Analysis}
	}
	// An admin read a file against the bank: recorded like an import, with
	// what it would have done.
	if err := s.audit.Record(ctx, web.AuditBy(p, "question.import_preview", "bank", bankID,
		map[string]any{"questions": len(qs), "problems": len(problems), "format": res.Format})); err != nil {
		return ImportPreview{}, err
	}
	return out, nil
}

// rowErrors turns an importer's problems into the API's row errors.
func rowErrors(ps []importer.Problem) []web.RowError {
	out := make([]web.RowError, len(ps))
	for i, pr := range ps {
		out[i] = web.RowError{Row: pr.Row, At: pr.At, Message: pr.Message}
	}
	return out
}

// importQuestions stores questions in one transaction: all or none.
func (s *Service) importQuestions(ctx context.Context, p *web.Principal, b *Bank, qs []item.Question, skipped int) (int, error) {
	rows := make([]Question, len(qs))
	for i, q := range qs {
		rows[i] = toRow(b.ID, q)
	}
	err := s.commit(ctx, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.CreateInBatches(rows, 500).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "question.import", "bank", b.ID, map[string]any{"imported": len(rows), "skipped": skipped}), nil
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}

// BankQuestions lists a bank's questions, filtered by type, tag and difficulty.
func (s *Service) BankQuestions(ctx context.Context, p *web.Principal, bankID uint64, typ, tag string, difficulty int, pg web.Page) ([]Question, int64, error) {
	if _, err := s.bankFor(ctx, p, bankID); err != nil {
		return nil, 0, err
	}
	q := s.db.WithContext(ctx).Model(&Question{}).Where("bank_id = ?", bankID)
	if typ != "" {
		q = q.Where("type = ?", typ)
	}
	if tag != "" {
		q = q.Where("tags LIKE ? ESCAPE '!'", web.Contains(","+tag+","))
	}
	if difficulty > 0 {
		q = q.Where("difficulty = ?", difficulty)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	var out []Question
	if err := q.Order("created_at").Order("id").Offset(pg.Offset()).Limit(pg.PageSize).Find(&out).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	return out, total, nil
}

// ExportBank writes every question of a bank the caller manages as a
// workbook that imports again.
func (s *Service) ExportBank(ctx context.Context, p *web.Principal, bankID uint64) ([]byte, error) {
	if _, err := s.bankFor(ctx, p, bankID); err != nil {
		return nil, err
	}
	var rows []Question
	if err := s.db.WithContext(ctx).Where("bank_id = ?", bankID).Order("created_at").Order("id").Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	qs := make([]item.Question, len(rows))
	for i := range rows {
		qs[i] = rows[i].ToItem()
	}
	var buf bytes.Buffer
	if err := importer.Export(&buf, qs); err != nil {
		return nil, web.Internal(err)
	}
	if err := s.audit.Record(ctx, web.AuditBy(p, "export.bank", "bank", bankID, map[string]any{"questions": len(qs)})); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// UpdateQuestion replaces a question's content. Attempts already started
// keep the copy they froze, so an edit never changes a paper in progress
// or a graded one; the version counts the edits.
func (s *Service) UpdateQuestion(ctx context.Context, p *web.Principal, id uint64, in QuestionRequest) (*Question, error) {
	row, err := web.Load[Question](s.db.WithContext(ctx), id)
	if err != nil {
		return nil, err
	}
	if _, err := s.bankFor(ctx, p, row.BankID); err != nil {
		return nil, err
	}
	q, err := in.ToItem()
	if err != nil {
		return nil, err
	}
	if err := s.checkQuestionMedia(ctx, q); err != nil {
		return nil, err
	}
	next := toRow(row.BankID, q)
	next.ID, next.Version, next.CreatedAt = row.ID, row.Version+1, row.CreatedAt
	err = s.commit(ctx, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Save(&next).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "question.update", "question", next.ID, map[string]any{"version": next.Version}), nil
	})
	if err != nil {
		return nil, err
	}
	s.papers.mu.Lock()
	s.papers.m = nil // cached exam pools may hold the old text
	s.papers.mu.Unlock()
	return &next, nil
}

// DeleteQuestion removes a question from its bank. A question on the fixed
// paper of a draft or published exam stays: the exam would lose it (a
// started attempt keeps its own frozen copy either way).
func (s *Service) DeleteQuestion(ctx context.Context, p *web.Principal, id uint64) error {
	row, err := web.Load[Question](s.db.WithContext(ctx), id)
	if err != nil {
		return err
	}
	b, err := s.bankFor(ctx, p, row.BankID)
	if err != nil {
		return err
	}
	var exams []Exam
	if err := s.db.WithContext(ctx).Select("id", "title", "status", "paper").
		Where("college_id = ? AND paper_mode = ? AND status IN ?", b.CollegeID, ModeFixed, []string{StatusDraft, StatusPublished}).
		Find(&exams).Error; err != nil {
		return web.Internal(err)
	}
	for _, e := range exams {
		var ids []uint64
		_ = json.Unmarshal([]byte(e.Paper), &ids)
		if slices.Contains(ids, id) {
			what := "已发布的考试"
			if e.Status == StatusDraft {
				what = "考试（草稿）"
			}
			return web.Conflict("question_in_use", fmt.Sprintf("该题已用于%s“%s”的试卷，不能删除；可以修改该题，或先从试卷中去掉。", what, e.Title))
		}
	}
	err = s.commit(ctx, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Where("question_id = ?", id).Delete(&WrongAnswer{}).Error; err != nil {
			return web.AuditEntry{}, err
		}
		if err := tx.Delete(&Question{}, id).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "question.delete", "question", id, map[string]any{"bank_id": row.BankID, "stem": truncate(row.Stem, 60)}), nil
	})
	if err != nil {
		return err
	}
	s.papers.mu.Lock()
	s.papers.m = nil // random papers draw from the banks
	s.papers.mu.Unlock()
	return nil
}

// truncate shortens s to n characters.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
