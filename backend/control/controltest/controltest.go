// Package controltest runs a control-socket server for the tests of its clients.
package controltest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/tonnytray/tonnytray/backend/control"
)

// Serve answers the handlers on a fresh socket until the test ends and returns the socket's path. The
// directory is short and in /tmp: a socket path may have at most 107 bytes.
func Serve(t testing.TB, handlers map[string]control.HandlerFunc) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "tt-ctl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	socket := filepath.Join(dir, "control.sock")
	srv, err := control.Listen(socket)
	if err != nil {
		t.Fatal(err)
	}
	for name, h := range handlers {
		srv.Handle(name, h)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return socket
}

// Calls records the arguments fake handlers got. It is safe for concurrent use.
type Calls struct {
	mu   sync.Mutex
	list []map[string]any
}

// Record decodes args (a JSON object; anything else records as empty) and keeps them.
func (c *Calls) Record(args json.RawMessage) map[string]any {
	var a map[string]any
	_ = json.Unmarshal(args, &a)
	c.mu.Lock()
	c.list = append(c.list, a)
	c.mu.Unlock()
	return a
}

// All returns the recorded arguments, oldest first.
func (c *Calls) All() []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.list)
}
