package main

import (
	"college/app/college"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"

	"college/modules/audit"
	"college/modules/identity"
	"college/storage/db"
	"college/storage/keyring"

	"gorm.io/gorm"
)

// openForCommand opens the database (migrated, unless auto_migrate is off)
// and the server secret, for the maintenance commands.
func openForCommand(ctx context.Context, cfg college.Config, log *slog.Logger) (*gorm.DB, []byte, error) {
	gdb, err := db.Open(cfg.Database(), log)
	if err != nil {
		return nil, nil, err
	}
	if cfg.AutoMigrate {
		if _, err := db.Migrate(ctx, gdb, college.Migrations()); err != nil {
			_ = db.Close(gdb)
			return nil, nil, err
		}
	}
	secret, err := cfg.Secret()
	if err != nil {
		_ = db.Close(gdb)
		return nil, nil, err
	}
	return gdb, secret, nil
}

// runAuditCommand runs `college audit <sub>`.
func runAuditCommand(ctx context.Context, cfg college.Config, log *slog.Logger, sub string, out io.Writer) error {
	if sub != "verify" {
		return fmt.Errorf("audit: unknown action %q (want: verify)", sub)
	}
	gdb, secret, err := openForCommand(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close(gdb)
	svc, err := audit.New(audit.Deps{DB: gdb, Secret: secret, National: cfg.Crypto.National, Log: log})
	if err != nil {
		return err
	}
	return verifyAudit(ctx, svc, out)
}

// verifyAudit seals what is pending, verifies the chain and reports; a
// broken chain is an error (exit status 1).
func verifyAudit(ctx context.Context, svc *audit.Service, out io.Writer) error {
	rep, err := svc.SealAndVerify(ctx)
	if err != nil {
		return err
	}
	if cp := rep.Checkpoint; cp != nil {
		fmt.Fprintf(out, "retention checkpoint: rows up to seq %d purged (%d rows, before %s, on %s)\n",
			cp.Seq, cp.Rows, cp.Cutoff.Format("2006-01-02"), cp.PurgedAt.Format("2006-01-02 15:04"))
	}
	if b := rep.Break; b != nil {
		fmt.Fprintf(out, "audit chain BROKEN at seq %d", b.Seq)
		if b.RowID != 0 {
			fmt.Fprintf(out, " (row id %d)", b.RowID)
		}
		fmt.Fprintf(out, ": %s\n%d rows verified before it\n", b.Reason, rep.Checked)
		return fmt.Errorf("audit chain broken at seq %d: %s", b.Seq, b.Reason)
	}
	fmt.Fprintf(out, "audit chain OK: %d rows verified (seq %d to %d), %d written since\n", rep.Checked, rep.FirstSeq, rep.LastSeq, rep.Unsealed)
	return nil
}

// runKeysCommand runs `college keys <sub>`.
func runKeysCommand(ctx context.Context, cfg college.Config, log *slog.Logger, sub string, batch int, out io.Writer) error {
	switch sub {
	case "generate":
		taken, err := keyring.ParseSpec(cfg.Crypto.Keys)
		if err != nil {
			return err
		}
		files, err := keyring.LoadDir(cfg.DataDir)
		if err != nil {
			return err
		}
		id, err := keyring.Generate(cfg.DataDir, append(taken, files...))
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "wrote %s (key %d)\n", filepath.Join(cfg.DataDir, keyring.Dir, strconv.Itoa(id)+".key"), id)
		fmt.Fprintf(out, "next: give this key to every instance and restart them; then set crypto.active_key=%d (COLLEGE_CRYPTO_ACTIVE_KEY) and restart them again; then run: college keys rotate\n", id)
		return nil
	case "rotate":
		gdb, secret, err := openForCommand(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer db.Close(gdb)
		return rotateKeys(ctx, cfg, gdb, secret, batch, log, out)
	default:
		return fmt.Errorf("keys: unknown action %q (want: generate or rotate)", sub)
	}
}

// rotateKeys re-seals every sealed value with the active key and suite.
func rotateKeys(ctx context.Context, cfg college.Config, gdb *gorm.DB, secret []byte, batch int, log *slog.Logger, out io.Writer) error {
	ring, err := cfg.Keyring(secret)
	if err != nil {
		return err
	}
	res, err := identity.Reseal(ctx, gdb, identity.NewSealerWith(ring), batch, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "sealing with %s: %d rows read, %d re-sealed, %d edited meanwhile, %d unreadable\n", ring.Describe(), res.Checked, res.Resealed, res.Changed, res.Failed)
	if res.Failed > 0 {
		return errors.New("keys rotate: some values open with no configured key (see the log); add the missing key and run again")
	}
	if res.Changed > 0 {
		fmt.Fprintln(out, "some rows were edited during the rotation: run college keys rotate again")
	}
	return nil
}
