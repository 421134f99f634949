package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"
)

// ErrNotRunning means no TonnyTray instance listens on the control socket.
var ErrNotRunning = errors.New("TonnyTray is not running")

// Call sends cmd with args (encoded as JSON; nil sends none) to the instance listening on socketPath and
// decodes the result into result (a pointer; nil discards it). When nobody listens the error wraps
// ErrNotRunning; when the instance answers with an error it is a *RemoteError. Call waits as long as ctx
// allows, so give it a deadline.
func Call(ctx context.Context, socketPath, cmd string, args any, result any) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", socketPath)
	if err != nil {
		// ENOENT: no socket file; ECONNREFUSED: a file left by a crashed instance.
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
			return fmt.Errorf("%w (no control socket at %s); start it with `tonnytray` or `tonnytray headless`",
				ErrNotRunning, socketPath)
		}
		return fmt.Errorf("connect to %s: %w", socketPath, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return fmt.Errorf("set deadline: %w", err)
		}
	}
	// Cancellation without a deadline: expire the deadline to unblock the read below.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	req := request{Cmd: cmd}
	if args != nil {
		if req.Args, err = json.Marshal(args); err != nil {
			return fmt.Errorf("encode %s arguments: %w", cmd, err)
		}
	}
	line, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("encode %s request: %w", cmd, err)
	}
	line = append(line, '\n')
	if len(line) > MaxRequestSize {
		return fmt.Errorf("%s request is %d bytes, more than the %d allowed", cmd, len(line), MaxRequestSize)
	}
	// A server that refuses us (another uid, too large) answers and hangs up without reading, so a failed
	// write may still have an answer waiting: read it before giving up.
	_, writeErr := conn.Write(line)
	respLine, err := bufio.NewReader(io.LimitReader(conn, maxResponseSize)).ReadBytes('\n')
	if err != nil && writeErr != nil {
		return ioError(ctx, "send "+cmd, writeErr)
	}
	if err != nil {
		if errors.Is(err, io.EOF) && ctx.Err() == nil {
			return fmt.Errorf("%s: the running TonnyTray closed the connection without answering", cmd)
		}
		return ioError(ctx, "read "+cmd+" response", err)
	}
	var resp response
	if err := json.Unmarshal(respLine, &resp); err != nil {
		return fmt.Errorf("decode %s response: %w", cmd, err)
	}
	if !resp.OK {
		return &RemoteError{Code: resp.Code, Message: resp.Error}
	}
	if result != nil && len(resp.Result) > 0 {
		if err := json.Unmarshal(resp.Result, result); err != nil {
			return fmt.Errorf("decode %s result: %w", cmd, err)
		}
	}
	return nil
}

// ioError prefers the context's reason over the deadline error it caused.
func ioError(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: %w", op, ctxErr)
	}
	return fmt.Errorf("%s: %w", op, err)
}
