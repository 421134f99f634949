// Package simcmd holds what the test simulators (n8n, ElevenLabs) share: listening on loopback only, and
// running as a command (parse the flags, start, print the URL for the caller to read, serve until asked to
// stop).
package simcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
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

// ListenLoopback listens on addr, which must be a loopback address: simulators never face the network.
func ListenLoopback(name, addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%s: address %q: %w", name, addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("%s: address %q is not loopback", name, addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: listen on %s: %w", name, addr, err)
	}
	return ln, nil
}
