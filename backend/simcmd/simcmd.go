// Package simcmd runs a test simulator (n8n, ElevenLabs) as a command: parse the flags, start it on loopback,
// print its URL for the caller to read, and serve until asked to stop.
package simcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// Server is a started simulator.
type Server interface {
	URL() string
	Close() error
}

// Run starts the simulator parsed configures and serves until ctx ends. It returns the exit status: 0, 1 when
// the simulator fails, 2 for a bad command line (flag.ErrHelp is 0: the usage was printed).
func Run[C any](ctx context.Context, name string, parse func() (C, error), start func(C) (Server, error), stdout, stderr io.Writer) int {
	cfg, err := parse()
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	}
	sim, err := start(cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintln(stdout, sim.URL())
	<-ctx.Done()
	if err := sim.Close(); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
