package sites

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
)

// InspectionRequest records an inspection of a site.
type InspectionRequest struct {
	Date     string            `json:"date"` // YYYY-MM-DD
	Findings string            `json:"findings"`
	Result   string            `json:"result"` // pass 合格, rework 需整改, fail 不合格
	Items    []RectItemRequest `json:"items"`
}

// RectItemRequest is one rectification item with its deadline.
type RectItemRequest struct {
	Content  string `json:"content"`
	Deadline string `json:"deadline"` // YYYY-MM-DD
}

// RectifyRequest is the district's account of the rectification done.
type RectifyRequest struct {
	Note string `json:"note"`
}

// InspectionResponse is an inspection as the API shows it.
type InspectionResponse struct {
	ID          uint64             `json:"id"`
	SiteID      uint64             `json:"site_id"`
	SiteName    string             `json:"site_name"`
	Date        string             `json:"date"`
	Findings    string             `json:"findings"`
	Result      string             `json:"result"`
	ResultName  string             `json:"result_name"`
	Status      string             `json:"status"`
	StatusName  string             `json:"status_name"`
	Due         string             `json:"due,omitempty"`
	Overdue     bool               `json:"overdue"`
	Note        string             `json:"note"`
	RectifiedAt *time.Time         `json:"rectified_at,omitempty"`
	Items       []RectItemResponse `json:"items"`
}

// RectItemResponse is one rectification item.
type RectItemResponse struct {
	Seq      int    `json:"seq"`
	Content  string `json:"content"`
	Deadline string `json:"deadline"`
	Overdue  bool   `json:"overdue"`
}

// maxRectItems bounds the items of one inspection.
const maxRectItems = 20

// today is the college's calendar date.
func today() string { return time.Now().In(web.Shanghai).Format(time.DateOnly) }

// Validate checks an inspection: a result other than 合格 names at least
// one rectification item, and every item has a deadline after the date.
func (in *InspectionRequest) Validate() error {
	errs := map[string]string{}
	if !validDate(in.Date) {
		errs["date"] = "检查日期格式应为 YYYY-MM-DD"
	} else if in.Date > today() {
		errs["date"] = "检查日期不能晚于今天"
	}
	if in.Findings == "" {
		errs["findings"] = "请填写检查发现的情况"
	} else if tooLong(in.Findings, 5000) {
		errs["findings"] = "检查情况不超过 5000 字"
	}
	if ResultNames[in.Result] == "" {
		errs["result"] = "检查结果应为合格、需整改或不合格"
	} else if in.Result != ResultPass && len(in.Items) == 0 {
		errs["items"] = "需整改或不合格的，请列出整改事项和期限"
	}
	if len(in.Items) > maxRectItems {
		errs["items"] = "整改事项不超过 20 项"
	}
	for i, it := range in.Items {
		key := "items." + strconv.Itoa(i)
		switch {
		case it.Content == "" || tooLong(it.Content, 500):
			errs[key+".content"] = "请填写整改事项（500 字以内）"
		case !validDate(it.Deadline):
			errs[key+".deadline"] = "整改期限格式应为 YYYY-MM-DD"
		case validDate(in.Date) && it.Deadline <= in.Date:
			errs[key+".deadline"] = "整改期限应晚于检查日期"
		}
	}
	if len(errs) > 0 {
		return web.Invalid(errs)
	}
	return nil
}

// Inspect records the org department's inspection of a site it sees: an
// inspection with rectification items stays open until the district
// reports them done; one that passed without items is closed at once.
func (s *Service) Inspect(ctx context.Context, p *web.Principal, siteID uint64, in InspectionRequest) (InspectionResponse, error) {
	in.Date, in.Findings, in.Result = strings.TrimSpace(in.Date), strings.TrimSpace(in.Findings), strings.TrimSpace(in.Result)
	for i := range in.Items {
		in.Items[i].Content, in.Items[i].Deadline = strings.TrimSpace(in.Items[i].Content), strings.TrimSpace(in.Items[i].Deadline)
	}
	site, err := s.load(ctx, s.d.DB, p, siteID)
	if err != nil {
		return InspectionResponse{}, err
	}
	if !p.Has(web.RoleOrgAdmin) {
		return InspectionResponse{}, web.Forbidden()
	}
	if err := in.Validate(); err != nil {
		return InspectionResponse{}, err
	}
	ins := Inspection{SiteID: siteID, OrgPath: site.OrgPath, Date: in.Date, Findings: in.Findings, Result: in.Result, Status: InspectionClosed, CreatedBy: p.UserID}
	items := make([]InspectionItem, len(in.Items))
	for i, it := range in.Items {
		items[i] = InspectionItem{Seq: i + 1, Content: it.Content, Deadline: it.Deadline}
		if ins.Due == "" || it.Deadline < ins.Due {
			ins.Due = it.Deadline
		}
	}
	if len(items) > 0 {
		ins.Status = InspectionOpen
	}
	err = web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if site.Status == StatusWithdrawn {
			return web.AuditEntry{}, web.Conflict("wrong_state", "教学点已撤销，不再检查")
		}
		if err := tx.Create(&ins).Error; err != nil {
			return web.AuditEntry{}, err
		}
		for i := range items {
			items[i].InspectionID = ins.ID
			if err := tx.Create(&items[i]).Error; err != nil {
				return web.AuditEntry{}, err
			}
		}
		return web.AuditBy(p, "site.inspect", "site_inspection", ins.ID, map[string]any{"site_id": siteID, "date": ins.Date, "result": ins.Result, "items": len(items)}), nil
	})
	if err != nil {
		return InspectionResponse{}, err
	}
	out, err := s.inspectionResponses(ctx, []Inspection{ins})
	if err != nil {
		return InspectionResponse{}, err
	}
	return out[0], nil
}

// Rectify records that the site's district has done the rectification of
// an open inspection, with its account: the district's unit
// administrator, not the org department that inspected.
func (s *Service) Rectify(ctx context.Context, p *web.Principal, id uint64, in RectifyRequest) (InspectionResponse, error) {
	note := strings.TrimSpace(in.Note)
	var ins Inspection
	err := web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := s.loadInspection(ctx, tx, p, id, &ins); err != nil {
			return web.AuditEntry{}, err
		}
		if !p.Has(web.RoleUnitAdmin) || !p.InScope(ins.OrgPath) {
			return web.AuditEntry{}, web.Forbidden()
		}
		if note == "" || tooLong(note, 2000) {
			return web.AuditEntry{}, web.Invalid(map[string]string{"note": "请填写整改情况（2000 字以内）"})
		}
		now := time.Now().UTC()
		res := tx.Model(&Inspection{}).Where("id = ? AND status = ?", id, InspectionOpen).
			Updates(map[string]any{"status": InspectionClosed, "note": note, "rectified_at": now, "rectified_by": p.UserID})
		if res.Error != nil {
			return web.AuditEntry{}, res.Error
		}
		if res.RowsAffected == 0 {
			return web.AuditEntry{}, web.Conflict("wrong_state", "该检查没有待整改的事项")
		}
		ins.Status, ins.Note, ins.RectifiedAt, ins.RectifiedBy = InspectionClosed, note, &now, p.UserID
		return web.AuditBy(p, "site.rectify", "site_inspection", id, map[string]any{"site_id": ins.SiteID, "note": note}), nil
	})
	if err != nil {
		return InspectionResponse{}, err
	}
	out, err := s.inspectionResponses(ctx, []Inspection{ins})
	if err != nil {
		return InspectionResponse{}, err
	}
	return out[0], nil
}

// loadInspection finds an inspection of a site the caller manages (404
// otherwise, like the site itself).
func (s *Service) loadInspection(ctx context.Context, tx *gorm.DB, p *web.Principal, id uint64, ins *Inspection) error {
	err := tx.WithContext(ctx).First(ins, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return web.NotFound()
	}
	if err != nil {
		return fmt.Errorf("sites: inspection: %w", err)
	}
	if !p.Has(web.RoleOrgAdmin) && !(p.Has(web.RoleUnitAdmin) && p.InScope(ins.OrgPath)) {
		return web.NotFound()
	}
	return nil
}

// SiteInspections lists the inspections of a site the caller manages,
// newest first.
func (s *Service) SiteInspections(ctx context.Context, p *web.Principal, siteID uint64) ([]InspectionResponse, error) {
	site, err := s.load(ctx, s.d.DB, p, siteID)
	if err != nil {
		return nil, err
	}
	if !canManage(p, site) {
		return nil, web.Forbidden()
	}
	var rows []Inspection
	if err := s.d.DB.WithContext(ctx).Where("site_id = ?", siteID).Order("date DESC, id DESC").Limit(200).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("sites: inspections: %w", err)
	}
	return s.inspectionResponses(ctx, rows)
}

// inspectionQuery is the caller's inspections in one state: open, overdue
// (open past its earliest deadline), closed, or all; open ones soonest due
// first, the others newest first.
func (s *Service) inspectionQuery(ctx context.Context, p *web.Principal, status string) (*gorm.DB, error) {
	q := s.d.DB.WithContext(ctx).Model(&Inspection{})
	if !p.Has(web.RoleOrgAdmin) {
		if !p.Has(web.RoleUnitAdmin) || p.OrgPath == "" {
			return nil, web.Forbidden()
		}
		q = q.Where("org_path LIKE ?", web.Prefix(p.OrgPath))
	}
	switch status {
	case "":
		return q.Order("date DESC, id DESC"), nil
	case "open":
		return q.Where("status = ?", InspectionOpen).Order("due, id"), nil
	case "overdue":
		return q.Where("status = ? AND due < ?", InspectionOpen, today()).Order("due, id"), nil
	case "closed":
		return q.Where("status = ?", InspectionClosed).Order("date DESC, id DESC"), nil
	}
	return nil, web.Invalid(map[string]string{"status": "状态应为 open、overdue 或 closed"})
}

// Inspections lists a page of the inspections of the sites the caller
// manages: the org department the city's, a district its own.
func (s *Service) Inspections(ctx context.Context, p *web.Principal, status string, pg web.Page) ([]InspectionResponse, int64, error) {
	q, err := s.inspectionQuery(ctx, p, status)
	if err != nil {
		return nil, 0, err
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("sites: count inspections: %w", err)
	}
	var rows []Inspection
	if err := q.Offset(pg.Offset()).Limit(pg.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("sites: inspections: %w", err)
	}
	out, err := s.inspectionResponses(ctx, rows)
	return out, total, err
}

func (s *Service) inspectionResponses(ctx context.Context, rows []Inspection) ([]InspectionResponse, error) {
	out := make([]InspectionResponse, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids, siteIDs := make([]uint64, len(rows)), make([]uint64, len(rows))
	for i, r := range rows {
		ids[i], siteIDs[i] = r.ID, r.SiteID
	}
	var items []InspectionItem
	if err := s.d.DB.WithContext(ctx).Where("inspection_id IN ?", ids).Order("inspection_id, seq").Find(&items).Error; err != nil {
		return nil, fmt.Errorf("sites: inspection items: %w", err)
	}
	var sites []Site
	if err := s.d.DB.WithContext(ctx).Select("id", "name").Where("id IN ?", siteIDs).Find(&sites).Error; err != nil {
		return nil, fmt.Errorf("sites: inspection sites: %w", err)
	}
	names := map[uint64]string{}
	for _, st := range sites {
		names[st.ID] = st.Name
	}
	byIns := map[uint64][]InspectionItem{}
	for _, it := range items {
		byIns[it.InspectionID] = append(byIns[it.InspectionID], it)
	}
	now := today()
	for i, r := range rows {
		open := r.Status == InspectionOpen
		o := InspectionResponse{ID: r.ID, SiteID: r.SiteID, SiteName: names[r.SiteID], Date: r.Date, Findings: r.Findings, Result: r.Result,
			ResultName: ResultNames[r.Result], Status: r.Status, StatusName: map[bool]string{true: "整改中", false: "已办结"}[open], Due: r.Due,
			Overdue: open && r.Due != "" && r.Due < now, Note: r.Note, RectifiedAt: r.RectifiedAt, Items: []RectItemResponse{}}
		if o.Overdue {
			o.StatusName = "整改逾期"
		}
		for _, it := range byIns[r.ID] {
			o.Items = append(o.Items, RectItemResponse{Seq: it.Seq, Content: it.Content, Deadline: it.Deadline, Overdue: open && it.Deadline < now})
		}
		out[i] = o
	}
	return out, nil
}

func (h *Handlers) inspect(c *fiber.Ctx) error {
	_, out, err := web.WithIDBody(c, h.svc.Inspect)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *Handlers) siteInspections(c *fiber.Ctx) error {
	_, out, err := web.WithID(c, h.svc.SiteInspections)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) inspections(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	items, total, err := h.svc.Inspections(c.UserContext(), web.Caller(c), c.Query("status"), pg)
	if err != nil {
		return err
	}
	return c.JSON(web.NewList(items, total, pg))
}

func (h *Handlers) rectify(c *fiber.Ctx) error {
	_, out, err := web.WithIDBody(c, h.svc.Rectify)
	if err != nil {
		return err
	}
	return c.JSON(out)
}
