// Command n8nsim runs the n8n webhook simulator (package backend/n8nsim) as
// a process, for manual runs and the fault suite: it prints the webhook URL
// on stdout and serves until SIGTERM or SIGINT. Secrets come from the
// environment, never from flags, so they do not show in process lists:
// N8NSIM_AUTH_VALUE (with -auth-header) and N8NSIM_SIGN_SECRET.
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

	"github.com/tonnytray/tonnytray/backend/n8nsim"
	"github.com/tonnytray/tonnytray/backend/simcmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// parseFlags maps the command line and environment onto a simulator Config.
func parseFlags(args []string, stderr io.Writer, getenv func(string) string) (n8nsim.Config, error) {
	var (
		cfg       n8nsim.Config
		behaviour string
	)
	fs := flag.NewFlagSet("n8nsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:0", "listen address (loopback only; port 0: any free port)")
	fs.StringVar(&cfg.Path, "path", n8nsim.DefaultPath, "webhook path")
	fs.StringVar(&behaviour, "behaviour", string(n8nsim.RespondJSON), fmt.Sprintf("how the workflow answers: one of %v", n8nsim.Behaviours()))
	fs.DurationVar(&cfg.Delay, "delay", 0, "hold each request this long (a slow workflow)")
	fs.StringVar(&cfg.AuthHeader, "auth-header", "", "require this header with the value of $N8NSIM_AUTH_VALUE (403 otherwise)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	cfg.Behaviour = n8nsim.Behaviour(behaviour)
	cfg.AuthValue = getenv("N8NSIM_AUTH_VALUE")
	cfg.SignSecret = getenv("N8NSIM_SIGN_SECRET")
	if cfg.AuthHeader != "" && cfg.AuthValue == "" {
		return cfg, errors.New("-auth-header needs N8NSIM_AUTH_VALUE in the environment")
	}
	return cfg, nil
}

// run serves until ctx ends; it returns the exit status (2 for usage errors).
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return simcmd.Run(ctx, "n8nsim", func() (n8nsim.Config, error) { return parseFlags(args, stderr, getenv) },
		func(c n8nsim.Config) (simcmd.Server, error) { return n8nsim.Start(c) }, stdout, stderr)
}
