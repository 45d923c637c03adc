package reports

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"college/modules/hours"
	"college/modules/web"
)

// ReportRequest is POST /reports. OrgID 0 means the caller's whole scope:
// the city for the org department, the own unit for a unit administrator.
type ReportRequest struct {
	Kind  string `json:"kind"`
	Year  int    `json:"year"`
	OrgID uint64 `json:"org_id"`
}

// request is a checked report request.
type request struct {
	Kind  string
	Year  int
	OrgID uint64
}

// Validate checks the request; the year must be a whole number in the
// ledger's range.
func (r ReportRequest) Validate() (request, error) {
	f := web.Fields{}
	out := request{Kind: strings.TrimSpace(r.Kind), OrgID: r.OrgID}
	f.Check(slices.Contains(Kinds, out.Kind), "kind", "报表类型应为："+strings.Join(Kinds, "、"))
	out.Year = r.Year
	f.Check(r.Year >= hours.MinYear && r.Year <= hours.MaxYear, "year", "年度必须是 "+strconv.Itoa(hours.MinYear)+" 到 "+strconv.Itoa(hours.MaxYear)+" 之间的整数")
	return out, f.Err()
}

// JobResponse is a report job as its requester sees it.
type JobResponse struct {
	ID         uint64     `json:"id"`
	Kind       string     `json:"kind"`
	KindName   string     `json:"kind_name"`
	Year       int        `json:"year"`
	OrgID      uint64     `json:"org_id"`
	OrgName    string     `json:"org_name"`
	State      string     `json:"state"`
	StateName  string     `json:"state_name"`
	Done       int        `json:"done"`
	Total      int        `json:"total"`
	Error      string     `json:"error,omitempty"`
	FileURL    string     `json:"file_url,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

func jobResponse(j *Job) JobResponse {
	out := JobResponse{ID: j.ID, Kind: j.Kind, KindName: KindNames[j.Kind], Year: j.Year, OrgID: j.OrgID, OrgName: j.OrgName,
		State: j.State, StateName: StateNames[j.State], Done: j.ProgressDone, Total: j.ProgressAll, Error: j.Error,
		CreatedAt: j.CreatedAt, StartedAt: j.StartedAt, FinishedAt: j.FinishedAt}
	if j.State == StateDone {
		out.FileURL = "/api/v1/reports/" + strconv.FormatUint(j.ID, 10) + "/file"
	}
	return out
}

// FileName is the download name: "<kind>-<org>-<year>.xlsx".
func FileName(j *Job) string {
	return KindNames[j.Kind] + "-" + j.OrgName + "-" + strconv.Itoa(j.Year) + ".xlsx"
}
