package reports

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"college/modules/web"
	"college/storage/cache"
)

// maxAttempts is how many runs a job gets; a job whose runs keep dying
// (the instance crashed on it) fails instead of taking instances down.
const maxAttempts = 3

// Chinese messages of failed jobs.
const (
	msgFailed     = "报表生成失败，请稍后重新申请"
	msgNoAccess   = "申请人已无权生成该单位的报表"
	msgGone       = "申请人账号已停用或不存在"
	msgTooManyRun = "报表多次生成未能完成，请重新申请"
)

// RunJobs builds queued reports every interval until ctx ends.
func (s *Service) RunJobs(ctx context.Context, every time.Duration) {
	cache.Every(ctx, s.d.Log, "reports: building queued reports", every, s.RunPending)
}

// RunPending builds the jobs waiting to run and those left running by a
// dead instance, oldest first. Each job runs under its own lease, so that
// with several instances each job is built by one of them at a time; the
// job's state, changed only by the run holding its token, makes a second
// run after a finished one a no-op.
func (s *Service) RunPending(ctx context.Context) error {
	ids, err := s.store.runnable(ctx, 50)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		err := s.d.Cache.Leased(ctx, "report:"+strconv.FormatUint(id, 10), s.d.LeaseTTL, func(ctx context.Context) error {
			return s.run(ctx, id)
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// run builds one job while holding its lease.
func (s *Service) run(ctx context.Context, id uint64) error {
	token := newToken()
	ok, err := s.store.claim(ctx, id, token, s.now().UTC())
	if err != nil || !ok {
		return err
	}
	j, err := s.store.running(ctx, id, token)
	if err != nil {
		return err
	}
	if j.Attempts > maxAttempts {
		return s.fail(ctx, j, token, msgTooManyRun, nil)
	}
	p, err := s.d.Directory.Principal(ctx, j.RequestedBy)
	if err != nil {
		return s.failOrLeave(ctx, j, token, msgFailed, err)
	}
	if p == nil {
		return s.fail(ctx, j, token, msgGone, nil)
	}
	org, err := s.scopedOrg(ctx, p, j.OrgID)
	if err != nil {
		msg := msgFailed
		if st := web.AsError(err).Status; st == http.StatusNotFound || st == http.StatusForbidden {
			msg, err = msgNoAccess, nil
		}
		return s.failOrLeave(ctx, j, token, msg, err)
	}
	key := "reports/" + strconv.FormatUint(j.ID, 10) + "/" + token + ".xlsx"
	b := &builder{s: s, ctx: ctx, job: j, token: token, p: p, org: org}
	if err := s.save(ctx, key, b); err != nil {
		return s.failOrLeave(ctx, j, token, msgFailed, err)
	}
	now := s.now().UTC()
	done, err := s.store.finish(ctx, j.ID, token, map[string]any{"state": StateDone, "object_key": key, "finished_at": now,
		"progress_done": b.total, "progress_total": b.total, "error": ""})
	if err != nil || !done {
		_ = s.d.Objects.Delete(context.WithoutCancel(ctx), key)
	}
	return err
}

// save writes the job's workbook to the object store as it is built.
func (s *Service) save(ctx context.Context, key string, b *builder) error {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(b.write(pw)) }()
	_, err := s.d.Objects.Put(ctx, key, pr, -1, web.XLSX)
	_ = pr.CloseWithError(errors.New("reports: upload ended"))
	if err != nil {
		return fmt.Errorf("reports: save %s: %w", key, err)
	}
	return nil
}

// failOrLeave marks the job failed, unless the run was stopped (shutdown,
// lease lost): then the job stays running and is taken up again once its
// lease lapses.
func (s *Service) failOrLeave(ctx context.Context, j *Job, token, msg string, cause error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return s.fail(ctx, j, token, msg, cause)
}

// fail marks the job failed with a message for the requester; the cause
// goes to the log.
func (s *Service) fail(ctx context.Context, j *Job, token, msg string, cause error) error {
	if cause != nil {
		s.d.Log.Error("reports: job failed", "job", j.ID, "kind", j.Kind, "err", cause)
	}
	_, err := s.store.finish(ctx, j.ID, token, map[string]any{"state": StateFailed, "error": msg, "finished_at": s.now().UTC()})
	return err
}
