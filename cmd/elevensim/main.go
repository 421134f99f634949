// Command elevensim runs the ElevenLabs simulator (package
// backend/elevensim) as a process, for manual runs and the fault suite: it
// prints the base URL on stdout and serves until SIGTERM or SIGINT. The API
// key comes from the environment (ELEVENSIM_API_KEY), never from a flag, so
// it does not show in process lists.
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

	"github.com/tonnytray/tonnytray/backend/elevensim"
	"github.com/tonnytray/tonnytray/backend/simcmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// parseFlags maps the command line and environment onto a simulator Config.
func parseFlags(args []string, stderr io.Writer, getenv func(string) string) (elevensim.Config, error) {
	var cfg elevensim.Config
	fs := flag.NewFlagSet("elevensim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:0", "listen address (loopback only; port 0: any free port)")
	fs.DurationVar(&cfg.TTFB, "ttfb", 0, "time to the first byte of a synthesis")
	fs.DurationVar(&cfg.ChunkEvery, "chunk-every", 0, "pause between audio chunks of 0.1 s (0 = as fast as possible)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	cfg.APIKey = getenv("ELEVENSIM_API_KEY")
	if cfg.APIKey == "" {
		return cfg, errors.New("set ELEVENSIM_API_KEY in the environment to the key clients must send")
	}
	return cfg, nil
}

// run serves until ctx ends; it returns the exit status (2 for usage errors).
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return simcmd.Run(ctx, "elevensim", func() (elevensim.Config, error) { return parseFlags(args, stderr, getenv) },
		func(c elevensim.Config) (simcmd.Server, error) { return elevensim.Start(c) }, stdout, stderr)
}
