package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestAllowPeer(t *testing.T) {
	tests := []struct {
		name      string
		peer, own int
		ok        bool
	}{
		{"same user", 1000, 1000, true},
		{"root owner, root peer", 0, 0, true},
		{"other user", 1001, 1000, false},
		{"root peer gets no exception", 0, 1000, false},
		{"user peer to root instance", 1000, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := allowPeer(tt.peer, tt.own)
			if (err == nil) != tt.ok {
				t.Errorf("allowPeer(%d, %d) = %v, want ok=%v", tt.peer, tt.own, err, tt.ok)
			}
		})
	}
}

func TestPeerUIDIsOurs(t *testing.T) {
	srv, sock := listen(t)
	c := rawConn(t, sock)
	conn, err := srv.ln.AcceptUnix()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	uid, err := peerUID(conn)
	if err != nil || uid != os.Getuid() {
		t.Errorf("peerUID = %d, %v; want %d", uid, err, os.Getuid())
	}
	_ = c.Close()
}

// listen returns a Server that is not serving yet, so tests can adjust its limits first.
func listen(t *testing.T) (*Server, string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "ctl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	sock := filepath.Join(dir, "run", "control.sock")
	srv, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, sock
}

func serve(t *testing.T, srv *Server) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestOtherUIDRefused(t *testing.T) {
	srv, sock := listen(t)
	srv.uid = os.Getuid() + 1 // pretend the instance belongs to someone else
	var called atomic.Bool
	srv.Handle("status", func(context.Context, json.RawMessage) (any, error) { called.Store(true); return "x", nil })
	serve(t, srv)

	err := Call(testCtx(t), sock, "status", nil, nil)
	re, ok := errors.AsType[*RemoteError](err)
	if !ok || re.Code != CodeForbidden {
		t.Fatalf("Call = %v, want a %q RemoteError", err, CodeForbidden)
	}
	if called.Load() {
		t.Error("handler ran for a foreign peer")
	}
}

// rawConn dials the socket with a generous deadline so a broken server fails the test instead of hanging it.
func rawConn(t *testing.T, sock string) net.Conn {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestStuckClientIsDropped(t *testing.T) {
	srv, sock := listen(t)
	srv.readTimeout = 50 * time.Millisecond
	serve(t, srv)

	c := rawConn(t, sock)
	// Send nothing: the server must hang up on its own (EOF), well before our 30 s deadline.
	n, err := c.Read(make([]byte, 1))
	if n != 0 || !errors.Is(err, io.EOF) {
		t.Errorf("Read = %d, %v; want EOF from a server that dropped the idle connection", n, err)
	}
}

func TestServeReturnsWithClientConnected(t *testing.T) {
	srv, sock := listen(t) // default 10 s read timeout: shutdown must not wait for it
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()

	c := rawConn(t, sock)
	// One exchange proves the connection is being served before we shut down.
	if _, err := c.Write([]byte(`{"cmd":"nope"}` + "\n")); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	if _, err := r.ReadBytes('\n'); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("connection still open after Serve returned: %v", err)
	}
}

func TestProtocolOnTheWire(t *testing.T) {
	srv, sock := listen(t)
	srv.Handle("add", func(_ context.Context, args json.RawMessage) (any, error) {
		var in struct{ A, B int }
		if err := json.Unmarshal(args, &in); err != nil {
			return nil, err
		}
		return in.A + in.B, nil
	})
	serve(t, srv)

	c := rawConn(t, sock)
	r := bufio.NewReader(c)
	exchange := []struct{ send, want string }{
		{`{"cmd":"add","args":{"a":2,"b":3}}`, `{"ok":true,"result":5}`},
		{`not json`, `"code":"bad_request"`},
		{`{"args":{}}`, `"code":"bad_request"`},
		{`{"cmd":"status"}`, `{"ok":false,"error":"the running TonnyTray does not know the command \"status\"","code":"unknown_command"}`},
		{`{"cmd":"add","args":{"a":1,"b":1}}`, `{"ok":true,"result":2}`}, // same connection keeps working
	}
	for _, ex := range exchange {
		if _, err := c.Write([]byte(ex.send + "\n\n")); err != nil { // blank lines are skipped
			t.Fatal(err)
		}
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("after %s: %v", ex.send, err)
		}
		if !strings.Contains(line, ex.want) {
			t.Errorf("%s → %s, want %s", ex.send, strings.TrimSpace(line), ex.want)
		}
	}
}

func TestOversizedRequestRejectedByServer(t *testing.T) {
	srv, sock := listen(t)
	serve(t, srv)

	c := rawConn(t, sock)
	big := `{"cmd":"x","args":"` + strings.Repeat("a", MaxRequestSize) + `"}` + "\n"
	go func() { _, _ = c.Write([]byte(big)) }() // may fail once the server hangs up; the reply is what counts
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(line, `"code":"request_too_large"`) {
		t.Errorf("reply = %s", line)
	}
}

func TestConnectionsAreBounded(t *testing.T) {
	srv, sock := listen(t)
	const limit, clients = 2, 8
	srv.sem = make(chan struct{}, limit)
	var active, peak atomic.Int32
	entered := make(chan struct{}, clients)
	release := make(chan struct{})
	srv.Handle("hold", func(context.Context, json.RawMessage) (any, error) {
		n := active.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		entered <- struct{}{}
		<-release
		active.Add(-1)
		return nil, nil
	})
	serve(t, srv)

	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			if err := Call(testCtx(t), sock, "hold", nil, nil); err != nil {
				t.Error(err)
			}
		})
	}
	for range limit {
		<-entered // the first connections get in ...
	}
	close(release) // ... and once they finish, the rest follow
	wg.Wait()
	if p := peak.Load(); p > limit {
		t.Errorf("%d handlers ran at once, limit is %d", p, limit)
	}
}
