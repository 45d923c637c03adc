package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"college/app/chaos"
)

// runChaos is `college chaos`: the fault-injection run, as long as asked.
func runChaos(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("chaos", flag.ContinueOnError)
	fs.SetOutput(out)
	cycles := fs.Int("cycles", 5, "how many times every fault is played")
	hold := fs.Duration("hold", 20*time.Second, "load between two faults")
	dir := fs.String("dir", "", "where the run keeps its servers' data and logs (default: a new temporary directory, removed afterwards)")
	fs.Usage = func() {
		fmt.Fprintln(out, "usage: college chaos [--cycles N] [--hold 20s] [--dir DIR]")
		fmt.Fprintln(out, "\nStarts private MariaDB (mariadbd), Redis (redis-server) and MinIO (minio) servers and two")
		fmt.Fprintln(out, "college instances on loopback ports, runs learners, candidates and registrants against")
		fmt.Fprintln(out, "them, plays every fault (instance, Redis, MariaDB and MinIO killed; MariaDB frozen; a lease")
		fmt.Fprintln(out, "holder killed; Redis back without its data) --cycles times, then compares every")
		fmt.Fprintln(out, "acknowledged request with SQL. Exit status 1 when anything acknowledged was lost.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "college-chaos-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	logf := func(format string, a ...any) {
		fmt.Fprintf(out, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
	}
	rep, err := chaos.Execute(ctx, chaos.Config{Dir: *dir, Cycles: *cycles, Hold: *hold, Logf: logf,
		Launch: func(what string, env []string) (string, []string, []string) {
			full := append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
			return self, []string{what}, full
		}})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\nfaults:")
	for _, e := range rep.Events {
		fmt.Fprintf(out, "  %-42s longest learner pause %5.1f s · %s\n", e.Fault, e.Outage.Seconds(), e.Details)
	}
	fmt.Fprintln(out, "\nchecked against SQL:")
	for _, f := range rep.Figures {
		fmt.Fprintln(out, "  "+f)
	}
	fmt.Fprintf(out, "\nanswers: %s\nrun took %s\n", rep.Answers, rep.Duration.Round(time.Second))
	if len(rep.Failures) > 0 {
		fmt.Fprintln(out, "\nFAILED:")
		for _, f := range rep.Failures {
			fmt.Fprintln(out, "  "+f)
		}
		return fmt.Errorf("chaos: %d failures", len(rep.Failures))
	}
	fmt.Fprintln(out, "\nnothing acknowledged was lost, nothing credited twice")
	return nil
}
