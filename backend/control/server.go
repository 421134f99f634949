package control

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tonnytray/tonnytray/backend/paths"
)

// HandlerFunc answers one command. args is the raw "args" value of the request (nil when absent); the result
// is encoded as JSON. Return a *RemoteError to choose the error code the client sees; any other error is
// sent with code "failed". ctx ends when the server stops or the command takes too long.
type HandlerFunc func(ctx context.Context, args json.RawMessage) (any, error)

// Limits on one connection. They keep a stuck or malicious client from pinning a goroutine forever.
const (
	defaultReadTimeout    = 10 * time.Second // waiting for the next request line
	defaultWriteTimeout   = 10 * time.Second // writing one response line
	defaultHandlerTimeout = 2 * time.Minute  // one command (tests of n8n or TTS may take a while)
	defaultMaxConns       = 64               // connections served at once; more wait in the kernel backlog
)

// Server serves the control protocol on a unix socket. Create it with Listen, register handlers with Handle,
// then run Serve.
type Server struct {
	ln  *net.UnixListener
	uid int // only this user may talk to the server

	readTimeout    time.Duration
	writeTimeout   time.Duration
	handlerTimeout time.Duration
	sem            chan struct{} // one slot per connection being served

	mu       sync.RWMutex
	handlers map[string]HandlerFunc

	closeOnce sync.Once
	closeErr  error
}

// Listen creates the control socket at socketPath: its directory is made 0700 and the socket file 0600.
//
// A socket file left behind by a crashed instance is removed first, so the caller MUST hold the instance
// lock (AcquireInstance) before calling Listen; otherwise it could take the socket away from a live
// instance. A path that exists but is not a socket is never removed.
func Listen(socketPath string) (*Server, error) {
	// The kernel limits a socket path to sun_path (108 bytes with its NUL); bind only says "invalid argument".
	if len(socketPath) > maxSocketPath {
		return nil, fmt.Errorf("control socket path is %d bytes, longer than the %d a Unix socket allows: %s (set a shorter XDG_RUNTIME_DIR)", len(socketPath), maxSocketPath, socketPath)
	}
	if err := paths.EnsurePrivateDir(filepath.Dir(socketPath)); err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := removeStaleSocket(socketPath); err != nil {
		return nil, err
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: socketPath, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", socketPath, err)
	}
	// The private directory already shuts other users out between bind and chmod; the mode is the second lock.
	if err := os.Chmod(socketPath, 0o600); err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("chmod %s: %w", socketPath, err)
	}
	ln.SetUnlinkOnClose(true)
	return &Server{
		ln:             ln,
		uid:            os.Getuid(),
		readTimeout:    defaultReadTimeout,
		writeTimeout:   defaultWriteTimeout,
		handlerTimeout: defaultHandlerTimeout,
		sem:            make(chan struct{}, defaultMaxConns),
		handlers:       make(map[string]HandlerFunc),
	}, nil
}

// maxSocketPath is the longest path a Unix socket can be bound to (sun_path is 108 bytes on Linux and must
// end with a NUL; 104 on the BSDs, where a longer path fails at bind with its own error).
const maxSocketPath = 107

func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%s exists and is not a socket; refusing to remove it", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove stale socket %s: %w", path, err)
	}
	return nil
}

// Handle registers h for cmd, replacing any earlier handler. It is safe to call while Serve runs.
func (s *Server) Handle(cmd string, h HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[cmd] = h
}

// Serve accepts connections until ctx is done, then closes the listener (removing the socket file), closes
// the open connections, waits for their goroutines and returns nil. It returns early with nil if Close is
// called.
func (s *Server) Serve(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { _ = s.Close() })
	defer stop()

	var wg sync.WaitGroup
	s.acceptLoop(ctx, &wg)
	cancel() // closes the connections still open and cancels their handlers
	wg.Wait()
	return s.Close()
}

func (s *Server) acceptLoop(ctx context.Context, wg *sync.WaitGroup) {
	var backoff time.Duration
	for {
		select {
		case s.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		conn, err := s.ln.AcceptUnix()
		if err != nil {
			<-s.sem
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			// Transient failures (EMFILE, ECONNABORTED): back off like net/http instead of spinning.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
			continue
		}
		backoff = 0
		wg.Go(func() {
			defer func() { <-s.sem }()
			s.serveConn(ctx, conn)
		})
	}
}

// Close stops accepting connections and removes the socket file. Serve calls it on its way out; call it
// yourself only when Serve never runs. Calling it more than once is harmless.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if err := s.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			s.closeErr = fmt.Errorf("close control socket: %w", err)
		}
	})
	return s.closeErr
}

func (s *Server) serveConn(ctx context.Context, conn *net.UnixConn) {
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()

	if err := s.checkPeer(conn); err != nil {
		_ = s.reply(conn, failure(CodeForbidden, err.Error()))
		return
	}
	sc := bufio.NewScanner(conn)
	sc.Buffer(make([]byte, 0, 4096), MaxRequestSize)
	for {
		if err := conn.SetReadDeadline(time.Now().Add(s.readTimeout)); err != nil {
			return
		}
		if !sc.Scan() {
			if errors.Is(sc.Err(), bufio.ErrTooLong) {
				_ = s.reply(conn, failure(CodeTooLarge, fmt.Sprintf("request larger than %d bytes", MaxRequestSize)))
			}
			return // EOF, idle timeout or a closed connection
		}
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := s.reply(conn, s.dispatch(ctx, line)); err != nil {
			return
		}
	}
}

func (s *Server) checkPeer(conn *net.UnixConn) error {
	uid, err := peerUID(conn)
	if errors.Is(err, errPeerCredUnsupported) {
		return nil // the 0600 socket in a 0700 directory is the only guard on such platforms
	}
	if err != nil {
		return fmt.Errorf("read peer credentials: %w", err)
	}
	return allowPeer(uid, s.uid)
}

// allowPeer is the credential decision: only the user who runs the instance may control it. Root gets no
// exception; it can reach the app by other means anyway.
func allowPeer(peerUID, ownUID int) error {
	if peerUID != ownUID {
		return fmt.Errorf("connection from uid %d refused: this TonnyTray belongs to uid %d", peerUID, ownUID)
	}
	return nil
}

func (s *Server) dispatch(ctx context.Context, line []byte) (resp response) {
	var req request
	if err := json.Unmarshal(line, &req); err != nil {
		return failure(CodeBadRequest, "request is not valid JSON: "+err.Error())
	}
	if req.Cmd == "" {
		return failure(CodeBadRequest, `request has no "cmd"`)
	}
	s.mu.RLock()
	h := s.handlers[req.Cmd]
	s.mu.RUnlock()
	if h == nil {
		// Usually a CLI newer than the running app.
		return failure(CodeUnknownCommand, fmt.Sprintf("the running TonnyTray does not know the command %q", req.Cmd))
	}

	hctx, cancel := context.WithTimeout(ctx, s.handlerTimeout)
	defer cancel()
	// A bug in one command must not take the whole tray app down.
	defer func() {
		if r := recover(); r != nil {
			resp = failure(CodeInternal, fmt.Sprintf("command %q panicked: %v", req.Cmd, r))
		}
	}()
	result, err := h(hctx, req.Args)
	if err != nil {
		if re, ok := errors.AsType[*RemoteError](err); ok {
			return failure(re.Code, re.Message)
		}
		return failure(CodeFailed, err.Error())
	}
	if result == nil {
		return response{OK: true}
	}
	raw, err := json.Marshal(result)
	if err != nil {
		return failure(CodeInternal, fmt.Sprintf("encode result of %q: %v", req.Cmd, err))
	}
	return response{OK: true, Result: raw}
}

func failure(code, msg string) response {
	return response{OK: false, Code: code, Error: msg}
}

func (s *Server) reply(conn net.Conn, resp response) error {
	b, err := json.Marshal(resp)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	if err := conn.SetWriteDeadline(time.Now().Add(s.writeTimeout)); err != nil {
		return fmt.Errorf("set write deadline: %w", err)
	}
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write response: %w", err)
	}
	return nil
}
