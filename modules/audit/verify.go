package audit

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// Break is the first place the chain does not hold.
type Break struct {
	Seq    uint64 `json:"seq"`    // the seq expected or found there
	RowID  uint64 `json:"row_id"` // the row, when there is one
	Reason string `json:"reason"`
}

// Report is the outcome of a verification.
type Report struct {
	Checked    int64       `json:"checked"`    // rows whose link was recomputed
	FirstSeq   uint64      `json:"first_seq"`  // first row kept (after the checkpoint)
	LastSeq    uint64      `json:"last_seq"`   // last sealed row
	Checkpoint *Checkpoint `json:"checkpoint"` // latest retention purge, if any
	Unsealed   int64       `json:"unsealed"`   // rows written after the seal pass
	Break      *Break      `json:"break"`      // nil: the chain holds
}

// OK reports whether the chain holds.
func (r Report) OK() bool { return r.Break == nil }

const verifyBatch = 1000

// Verify walks the chain from the latest retention checkpoint (or the
// beginning) to the head and reports the first row that was edited, deleted
// or moved. It reads only, and runs beside the sealer and the purge: rows
// sealed after it read the head are left for the next run, and a walk that
// a purge cut short is done again.
func (s *Service) Verify(ctx context.Context) (Report, error) {
	for attempt := 0; ; attempt++ {
		rep, cp, err := s.verifyOnce(ctx)
		if err != nil || rep.OK() || attempt == 2 {
			return rep, err
		}
		now, err := s.latestCheckpoint(ctx)
		if err != nil {
			return rep, err
		}
		if now == nil || (cp != nil && now.Seq == cp.Seq) {
			return rep, nil
		}
	}
}

func (s *Service) latestCheckpoint(ctx context.Context) (*Checkpoint, error) {
	var cps []Checkpoint
	if err := s.db.WithContext(ctx).Order("seq DESC").Limit(1).Find(&cps).Error; err != nil {
		return nil, fmt.Errorf("audit: checkpoint: %w", err)
	}
	if len(cps) == 0 {
		return nil, nil
	}
	return &cps[0], nil
}

func (s *Service) verifyOnce(ctx context.Context) (Report, *Checkpoint, error) {
	var rep Report
	gdb := s.db.WithContext(ctx)
	// The checkpoint first: a purge only moves it to rows already sealed,
	// so it is never past the head read next.
	cp, err := s.latestCheckpoint(ctx)
	if err != nil {
		return rep, nil, err
	}
	var head ChainHead
	if err := gdb.Where("id = 1").Take(&head).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		rep.Break = &Break{Reason: "chain head row is missing"}
		return rep, cp, nil
	} else if err != nil {
		return rep, nil, fmt.Errorf("audit: chain head: %w", err)
	}
	var prevSeq uint64
	prevMAC := ""
	if cp != nil {
		rep.Checkpoint = cp
		want, err := s.chain.checkpointSeal(cp.KeyID, cp)
		if err != nil || want != cp.Seal {
			rep.Break = &Break{Seq: cp.Seq, Reason: "retention checkpoint is not authentic (edited or forged)"}
			return rep, rep.Checkpoint, nil
		}
		if cp.Cutoff.After(cp.PurgedAt.AddDate(0, 0, -MinRetentionDays)) {
			rep.Break = &Break{Seq: cp.Seq, Reason: fmt.Sprintf("retention checkpoint purged rows younger than %d days", MinRetentionDays)}
			return rep, rep.Checkpoint, nil
		}
		prevSeq, prevMAC = cp.Seq, cp.MAC
	}
	var early int64
	if err := gdb.Model(&Log{}).Where("seq IS NOT NULL AND seq <= ?", prevSeq).Count(&early).Error; err != nil {
		return rep, nil, fmt.Errorf("audit: verify: %w", err)
	}
	if early > 0 {
		rep.Break = &Break{Seq: prevSeq, Reason: fmt.Sprintf("%d rows carry a seq at or before the retention checkpoint", early)}
		return rep, rep.Checkpoint, nil
	}
	for prevSeq < head.Seq {
		var rows []Log
		if err := gdb.Where("seq > ? AND seq <= ?", prevSeq, head.Seq).Order("seq").Limit(verifyBatch).Find(&rows).Error; err != nil {
			return rep, nil, fmt.Errorf("audit: verify: %w", err)
		}
		for i := range rows {
			r := &rows[i]
			seq := *r.Seq
			if rep.FirstSeq == 0 {
				rep.FirstSeq = seq
			}
			if seq != prevSeq+1 {
				rep.Break = &Break{Seq: prevSeq + 1, RowID: r.ID, Reason: fmt.Sprintf("rows %d to %d are missing (deleted), or the row was renumbered", prevSeq+1, seq-1)}
				return rep, rep.Checkpoint, nil
			}
			mac, err := s.chain.mac(r.KeyID, prevMAC, seq, r)
			if err != nil || mac != r.MAC {
				rep.Break = &Break{Seq: seq, RowID: r.ID, Reason: "row was edited, moved or its link forged"}
				return rep, rep.Checkpoint, nil
			}
			rep.Checked++
			prevSeq, prevMAC = seq, r.MAC
		}
		if len(rows) == 0 {
			break
		}
	}
	rep.LastSeq = prevSeq
	if head.Seq != prevSeq || head.MAC != prevMAC {
		rep.Break = &Break{Seq: prevSeq + 1, Reason: fmt.Sprintf("chain head is at %d but the rows end at %d (rows cut from the end, or the head edited)", head.Seq, prevSeq)}
		return rep, rep.Checkpoint, nil
	}
	if err := gdb.Model(&Log{}).Where("seq IS NULL").Count(&rep.Unsealed).Error; err != nil {
		return rep, nil, fmt.Errorf("audit: verify: %w", err)
	}
	return rep, rep.Checkpoint, nil
}

// SealAndVerify seals what is pending, then verifies: what `college audit verify`
// runs.
func (s *Service) SealAndVerify(ctx context.Context) (Report, error) {
	if _, err := s.Seal(ctx); err != nil {
		return Report{}, err
	}
	return s.Verify(ctx)
}
