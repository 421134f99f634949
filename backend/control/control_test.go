package control_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/control"
)

// runDir returns a fresh directory for the lock and socket. It is short on purpose: unix socket paths are
// limited to ~107 bytes and t.TempDir() embeds the test name.
func runDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ctl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return filepath.Join(dir, "run")
}

// start acquires the instance lock, listens, registers handlers and serves until the test ends.
func start(t *testing.T, handlers map[string]control.HandlerFunc) string {
	t.Helper()
	dir := runDir(t)
	inst, err := control.AcquireInstance(filepath.Join(dir, "instance.lock"))
	if err != nil {
		t.Fatalf("AcquireInstance: %v", err)
	}
	sock := filepath.Join(dir, "control.sock")
	srv, err := control.Listen(sock)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	for cmd, h := range handlers {
		srv.Handle(cmd, h)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if err := inst.Release(); err != nil {
			t.Errorf("Release: %v", err)
		}
	})
	return sock
}

func callCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

type status struct {
	State   string `json:"state"`
	Profile string `json:"profile"`
}

func TestRoundTrip(t *testing.T) {
	var gotArgs json.RawMessage
	sock := start(t, map[string]control.HandlerFunc{
		"status": func(ctx context.Context, args json.RawMessage) (any, error) {
			gotArgs = args
			return status{State: "listening", Profile: "mum"}, nil
		},
		"echo": func(ctx context.Context, args json.RawMessage) (any, error) {
			var in map[string]string
			if err := json.Unmarshal(args, &in); err != nil {
				return nil, err
			}
			return in, nil
		},
		"noop": func(context.Context, json.RawMessage) (any, error) { return nil, nil },
	})
	ctx := callCtx(t)

	var st status
	if err := control.Call(ctx, sock, "status", nil, &st); err != nil {
		t.Fatalf("status: %v", err)
	}
	if st != (status{State: "listening", Profile: "mum"}) {
		t.Errorf("status = %+v", st)
	}
	if gotArgs != nil {
		t.Errorf("handler got args %q for a call without args", gotArgs)
	}

	var out map[string]string
	if err := control.Call(ctx, sock, "echo", map[string]string{"text": "héllo\nworld"}, &out); err != nil {
		t.Fatalf("echo: %v", err)
	}
	if out["text"] != "héllo\nworld" {
		t.Errorf("echo = %v", out)
	}

	// A nil result pointer discards the result; a nil result value is fine too.
	if err := control.Call(ctx, sock, "echo", map[string]string{"a": "b"}, nil); err != nil {
		t.Errorf("echo without result: %v", err)
	}
	if err := control.Call(ctx, sock, "noop", nil, &out); err != nil {
		t.Errorf("noop: %v", err)
	}
}

func TestErrorsComeBackAsRemoteError(t *testing.T) {
	sock := start(t, map[string]control.HandlerFunc{
		"plain": func(context.Context, json.RawMessage) (any, error) {
			return nil, errors.New("n8n answered 403")
		},
		"coded": func(context.Context, json.RawMessage) (any, error) {
			return nil, fmt.Errorf("toggle: %w", &control.RemoteError{Code: "busy", Message: "already speaking"})
		},
		"panics": func(context.Context, json.RawMessage) (any, error) { panic("boom") },
		"unencodable": func(context.Context, json.RawMessage) (any, error) {
			return map[string]any{"ch": make(chan int)}, nil
		},
	})
	tests := []struct {
		cmd, code, msg string
	}{
		{"nope", control.CodeUnknownCommand, `"nope"`},
		{"plain", control.CodeFailed, "n8n answered 403"},
		{"coded", "busy", "already speaking"},
		{"panics", control.CodeInternal, "boom"},
		{"unencodable", control.CodeInternal, "encode"},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			err := control.Call(callCtx(t), sock, tt.cmd, nil, nil)
			re, ok := errors.AsType[*control.RemoteError](err)
			if !ok {
				t.Fatalf("err = %v (%T), want *RemoteError", err, err)
			}
			if re.Code != tt.code || !strings.Contains(re.Message, tt.msg) {
				t.Errorf("got code %q message %q, want code %q message containing %q", re.Code, re.Message, tt.code, tt.msg)
			}
		})
	}
	// The server survived the panic.
	if err := control.Call(callCtx(t), sock, "plain", nil, nil); err == nil {
		t.Error("server stopped answering after a panic")
	}
}

func TestNotRunning(t *testing.T) {
	dir := runDir(t)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "control.sock")

	// A socket file nobody listens on, as a crashed instance leaves it.
	stale := filepath.Join(dir, "stale.sock")
	leaveStaleSocket(t, stale)

	for _, sock := range []string{missing, stale} {
		err := control.Call(callCtx(t), sock, "status", nil, nil)
		if !errors.Is(err, control.ErrNotRunning) {
			t.Fatalf("Call(%s) = %v, want ErrNotRunning", sock, err)
		}
		for _, want := range []string{"TonnyTray is not running", sock, "`tonnytray headless`"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
	}
}

func leaveStaleSocket(t *testing.T, path string) {
	t.Helper()
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("stale socket not left behind: %v", err)
	}
}

func TestSecondInstanceRefused(t *testing.T) {
	dir := runDir(t)
	lock := filepath.Join(dir, "instance.lock")
	first, err := control.AcquireInstance(lock)
	if err != nil {
		t.Fatalf("first AcquireInstance: %v", err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("lock dir mode = %v (%v), want 0700", fi.Mode().Perm(), err)
	}

	_, err = control.AcquireInstance(lock)
	if !errors.Is(err, control.ErrAlreadyRunning) {
		t.Fatalf("second AcquireInstance = %v, want ErrAlreadyRunning", err)
	}

	if err := first.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if err := first.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	again, err := control.AcquireInstance(lock)
	if err != nil {
		t.Fatalf("AcquireInstance after Release: %v", err)
	}
	if err := again.Release(); err != nil {
		t.Fatal(err)
	}
}

func TestStaleSocketReplaced(t *testing.T) {
	dir := runDir(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "control.sock")
	leaveStaleSocket(t, sock)

	srv, err := control.Listen(sock)
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	srv.Handle("ping", func(context.Context, json.RawMessage) (any, error) { return "pong", nil })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()

	if fi, err := os.Lstat(sock); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode = %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("socket dir mode = %v (%v), want 0700 (tightened from 0755)", fi.Mode().Perm(), err)
	}
	var got string
	if err := control.Call(callCtx(t), sock, "ping", nil, &got); err != nil || got != "pong" {
		t.Errorf("ping = %q, %v", got, err)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := os.Lstat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file still there after Serve returned: %v", err)
	}
	if err := control.Call(callCtx(t), sock, "ping", nil, nil); !errors.Is(err, control.ErrNotRunning) {
		t.Errorf("Call after shutdown = %v, want ErrNotRunning", err)
	}
}

func TestListenRefusesToRemoveNonSocket(t *testing.T) {
	dir := runDir(t)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "control.sock")
	if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if srv, err := control.Listen(path); err == nil {
		_ = srv.Close()
		t.Fatal("Listen replaced a regular file")
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "keep me" {
		t.Errorf("regular file changed: %q, %v", b, err)
	}
}

func TestListenExplainsOverlongPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), strings.Repeat("d", 120), "control.sock")
	_, err := control.Listen(path)
	if err == nil || !strings.Contains(err.Error(), "longer than the 107 a Unix socket allows") {
		t.Fatalf("Listen on a %d-byte path: %v, want the length explained", len(path), err)
	}
}

func TestManyConcurrentClients(t *testing.T) {
	sock := start(t, map[string]control.HandlerFunc{
		"echo": func(_ context.Context, args json.RawMessage) (any, error) { return args, nil },
	})
	const clients = 50
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		wg.Go(func() {
			var got int
			if err := control.Call(callCtx(t), sock, "echo", i, &got); err != nil {
				errs <- fmt.Errorf("client %d: %w", i, err)
				return
			}
			if got != i {
				errs <- fmt.Errorf("client %d got %d", i, got)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestCallHonoursContext(t *testing.T) {
	entered := make(chan struct{})
	sock := start(t, map[string]control.HandlerFunc{
		"slow": func(ctx context.Context, _ json.RawMessage) (any, error) {
			close(entered)
			<-ctx.Done() // released when the server shuts down at the end of the test
			return nil, ctx.Err()
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-entered
		cancel()
	}()
	if err := control.Call(ctx, sock, "slow", nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Call = %v, want context.Canceled", err)
	}
}

func TestOversizedRequestRejectedByClient(t *testing.T) {
	sock := start(t, nil)
	big := strings.Repeat("x", control.MaxRequestSize)
	err := control.Call(callCtx(t), sock, "echo", big, nil)
	if err == nil || !strings.Contains(err.Error(), "allowed") {
		t.Errorf("Call with a huge request = %v, want a size error", err)
	}
}
