package main

import (
	"college/app/college"
	"college/app/load"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"college/storage/db"
)

const usage = `干部网络学院 college server

usage: college [command] [flags]

commands:
  serve    start the server (default)
  migrate  apply database migrations and exit
  seed     create the demo city (orgs, cadres, one admin per role) and print the logins
  bench    load-test a running server (see: college bench -h)
  chaos    run the college on private MariaDB, Redis and MinIO servers under
           load, kill and freeze them, and check every acknowledged request
           against SQL (see: college chaos -h)
  audit verify   seal pending audit rows, check the whole chain, report the
                 first edited, deleted or reordered row (exit 1 if any)
  keys generate  write a new personal-data key file to <data_dir>/keys
  keys rotate    re-seal every sealed value with crypto.active_key and
                 recompute the look-up hashes, in batches, while serving
  version  print the version

flags (serve, migrate, seed, audit, keys):
  --config FILE   YAML config (default configs/college.yaml when present)
  --no-migrate    serve without applying migrations first
`

func run(args []string, environ []string) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	sub := ""
	switch cmd {
	case "serve", "migrate", "seed":
	case "audit", "keys":
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			fmt.Fprint(os.Stderr, usage)
			return fmt.Errorf("%s: which action? see the usage above", cmd)
		}
		sub, args = args[0], args[1:]
	case "bench":
		return load.Run(args, os.Stdout)
	case "chaos":
		return runChaos(args, os.Stdout)
	case "version":
		fmt.Println(college.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	default:
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	configPath := fs.String("config", "", "config file")
	noMigrate := fs.Bool("no-migrate", false, "do not migrate on start")
	batch := fs.Int("batch", 500, "rows per transaction (keys rotate)")
	if err := fs.Parse(args); err != nil {
		fmt.Fprint(os.Stderr, usage)
		return err
	}
	cfg, err := college.LoadConfig(*configPath, environ)
	if err != nil {
		return err
	}
	if *noMigrate {
		cfg.AutoMigrate = false
	}
	log := newLogger(cfg.LogLevel, os.Stdout)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	switch cmd {
	case "audit":
		return runAuditCommand(ctx, cfg, log, sub, os.Stdout)
	case "keys":
		return runKeysCommand(ctx, cfg, log, sub, *batch, os.Stdout)
	case "migrate":
		gdb, err := db.Open(cfg.Database(), log)
		if err != nil {
			return err
		}
		defer db.Close(gdb)
		applied, err := db.Migrate(ctx, gdb, college.Migrations())
		if err != nil {
			return err
		}
		log.Info("migrations applied", "count", len(applied), "ids", applied)
		return nil
	case "seed":
		cfg.AutoMigrate = true
		a, err := college.Open(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer a.Close()
		return college.Seed(ctx, a, os.Stdout)
	}
	a, err := college.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	err = a.Serve(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}
