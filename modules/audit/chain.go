package audit

import (
	"context"
	"crypto/hmac"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"college/storage/cache"
	"college/storage/db"
	"college/storage/keyring"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The chain keys: derived from the server secret with a label, never stored.
// A row names the key that sealed it, so the chain goes on across a switch
// to national cryptography.
const (
	KeySHA256 = "hs256-1" // HMAC-SHA256
	KeySM3    = "sm3-1"   // HMAC-SM3
)

const chainLabel = "college audit chain v1"

type chainKey struct {
	suite keyring.Suite
	key   []byte
}

type chainKeys struct {
	active string
	keys   map[string]chainKey
}

func newChainKeys(secret []byte, national bool) (*chainKeys, error) {
	if len(secret) < 16 {
		return nil, errors.New("audit: secret key too short")
	}
	ck := &chainKeys{active: KeySHA256, keys: map[string]chainKey{}}
	if national {
		ck.active = KeySM3
	}
	for id, suite := range map[string]keyring.Suite{KeySHA256: keyring.Standard, KeySM3: keyring.National} {
		k, err := keyring.Derive(suite, secret, chainLabel, 32)
		if err != nil {
			return nil, err
		}
		ck.keys[id] = chainKey{suite: suite, key: k}
	}
	return ck, nil
}

// mac is the link of one row: HMAC over the previous link and every stored
// field of the row, each length-prefixed so no two rows encode alike.
func (ck *chainKeys) mac(keyID, prev string, seq uint64, r *Log) (string, error) {
	k, ok := ck.keys[keyID]
	if !ok {
		return "", fmt.Errorf("audit: unknown chain key %q", keyID)
	}
	m := hmac.New(keyring.Hasher(k.suite), k.key)
	var buf []byte
	field := func(s string) {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	field("audit-row")
	field(prev)
	field(strconv.FormatUint(seq, 10))
	field(keyID)
	field(strconv.FormatUint(r.ID, 10))
	field(r.At.UTC().Format(time.RFC3339Nano))
	field(strconv.FormatUint(r.ActorID, 10))
	field(r.ActorName)
	field(r.IP)
	field(r.Action)
	field(r.Target)
	field(strconv.FormatUint(r.TargetID, 10))
	field(r.Detail)
	field(strconv.FormatBool(r.Success))
	m.Write(buf)
	return hex.EncodeToString(m.Sum(nil)), nil
}

// checkpointSeal authenticates a checkpoint, so that nobody without the key
// can forge one to hide deleted rows.
func (ck *chainKeys) checkpointSeal(keyID string, c *Checkpoint) (string, error) {
	k, ok := ck.keys[keyID]
	if !ok {
		return "", fmt.Errorf("audit: unknown chain key %q", keyID)
	}
	m := hmac.New(keyring.Hasher(k.suite), k.key)
	fmt.Fprintf(m, "audit-checkpoint\x00%d\x00%s\x00%d\x00%s\x00%s", c.Seq, c.MAC, c.Rows,
		c.Cutoff.UTC().Format(time.RFC3339Nano), c.PurgedAt.UTC().Format(time.RFC3339Nano))
	return hex.EncodeToString(m.Sum(nil)), nil
}

// sealBatch is how many rows one transaction seals.
const sealBatch = 500

// Seal chains every row written so far that is not chained yet, in (at, id)
// order, a batch per transaction, and returns how many it sealed. Any
// instance may run it at any time: sealers take turns on the chain head row,
// and the unique seq and the "seq IS NULL" condition keep one gap-free chain
// whatever happens.
func (s *Service) Seal(ctx context.Context) (int, error) {
	total, raced := 0, 0
	for {
		n, err := s.sealOnce(ctx)
		total += n
		if errors.Is(err, errRaced) {
			// Another sealer took those rows: go on after them. Races that
			// do not stop mean the head row disagrees with the rows.
			if raced++; raced > 10 {
				return total, fmt.Errorf("%w; run college audit verify", err)
			}
			continue
		}
		raced = 0
		if err != nil || n < sealBatch {
			return total, err
		}
	}
}

func (s *Service) sealOnce(ctx context.Context) (int, error) {
	n := 0
	err := db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		n = 0
		head, err := lockHead(tx)
		if err != nil {
			return err
		}
		var rows []Log
		if err := tx.Where("seq IS NULL").Order("at, id").Limit(sealBatch).Find(&rows).Error; err != nil {
			return fmt.Errorf("audit: unsealed rows: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		seq, prev := head.Seq, head.MAC
		keyID := s.chain.active
		for i := range rows {
			seq++
			mac, err := s.chain.mac(keyID, prev, seq, &rows[i])
			if err != nil {
				return err
			}
			res := tx.Model(&Log{}).Where("id = ? AND seq IS NULL", rows[i].ID).
				Updates(map[string]any{"seq": seq, "mac": mac, "key_id": keyID})
			if res.Error != nil {
				if db.IsDuplicate(res.Error) {
					return errRaced
				}
				return fmt.Errorf("audit: seal row %d: %w", rows[i].ID, res.Error)
			}
			if res.RowsAffected != 1 {
				return errRaced
			}
			prev = mac
		}
		res := tx.Model(&ChainHead{}).Where("id = 1 AND seq = ?", head.Seq).
			Updates(map[string]any{"seq": seq, "mac": prev, "updated_at": s.now().UTC()})
		if res.Error != nil {
			return fmt.Errorf("audit: move head: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return errRaced
		}
		n = len(rows)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// lockHead reads the chain head, locked until the transaction ends on
// MySQL (SQLite has a single writer anyway).
func lockHead(tx *gorm.DB) (ChainHead, error) {
	var head ChainHead
	q := tx
	if db.IsMySQL(tx) {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Where("id = 1").Take(&head).Error; err != nil {
		return head, fmt.Errorf("audit: chain head: %w", err)
	}
	return head, nil
}

// RunSealer seals new rows every interval until ctx ends; one instance at a
// time does it (Redis lease). Rows left unsealed at a stop are sealed by the
// next pass of any instance.
func (s *Service) RunSealer(ctx context.Context, every time.Duration) {
	cache.Every(ctx, s.log, "audit: seal", every, func(ctx context.Context) error {
		return s.cache.Leased(ctx, "audit-seal", 15*time.Second, s.sealAndLog)
	})
}

func (s *Service) sealAndLog(ctx context.Context) error {
	n, err := s.Seal(ctx)
	if n > 0 {
		var head ChainHead
		if herr := s.db.WithContext(ctx).Where("id = 1").Take(&head).Error; herr == nil {
			// The head in the log as well: a copy outside the database shows
			// rows cut from the end of the chain.
			s.log.Info("audit: sealed", "rows", n, "head_seq", head.Seq, "head_mac", head.MAC)
		}
	}
	return err
}
