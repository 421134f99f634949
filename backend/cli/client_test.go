package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/tonnytray/tonnytray/backend/cli/ptytest"
	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/daemon"
	"github.com/tonnytray/tonnytray/backend/event"
)

const rightPIN = "4321"

// fakeInstance answers `profile` like the daemon does (a PIN is needed to switch up, 4321 is right) and
// records every request it gets.
type fakeInstance struct {
	socket string
	mu     sync.Mutex
	calls  []map[string]any
}

func startInstance(t *testing.T) *fakeInstance {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "tt-cli")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	f := &fakeInstance{socket: filepath.Join(dir, "control.sock")}
	srv, err := control.Listen(f.socket)
	if err != nil {
		t.Fatal(err)
	}
	record := func(args json.RawMessage) map[string]any {
		var a map[string]any
		_ = json.Unmarshal(args, &a)
		f.mu.Lock()
		f.calls = append(f.calls, a)
		f.mu.Unlock()
		return a
	}
	srv.Handle("profile", func(_ context.Context, args json.RawMessage) (any, error) {
		a := record(args)
		switch a["pin"] {
		case nil, "":
			return nil, &control.RemoteError{Code: daemon.CodePINRequired, Message: "the admin PIN is needed to switch to this profile"}
		case rightPIN:
			return daemon.AppStateInfo{State: "idle", Profile: a["name"].(string), Role: "admin"}, nil
		}
		return nil, &control.RemoteError{Code: daemon.CodeWrongPIN, Message: "Wrong PIN"}
	})
	srv.Handle("send", func(_ context.Context, args json.RawMessage) (any, error) {
		a := record(args)
		if a["action"] == "Pizza" {
			return nil, &control.RemoteError{Code: daemon.CodeNotAllowed, Message: "Sorry, Mia, I can't do that one. Ask a grown-up."}
		}
		return event.CommandStatePayload{ID: "r1", Status: "delivered", Reply: "Lights are on."}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return f
}

func (f *fakeInstance) pins() []any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []any
	for _, c := range f.calls {
		out = append(out, c["pin"])
	}
	return out
}

func run(t *testing.T, f *fakeInstance, env ClientEnv, args ...string) (int, string, string) {
	t.Helper()
	cmd, err := Parse(args)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	env.Out, env.Err, env.Socket, env.Lock = &out, &errOut, f.socket, filepath.Join(filepath.Dir(f.socket), "lock")
	code := RunClient(context.Background(), cmd, env)
	return code, out.String(), errOut.String()
}

// TestProfileAsksForThePINOnATerminal: switching up asks for the PIN on a real terminal without echoing it,
// tells a wrong one and takes the right one.
func TestProfileAsksForThePINOnATerminal(t *testing.T) {
	f := startInstance(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	defer tty.Close()
	readPIN := TerminalPIN(tty, tty)
	if readPIN == nil {
		t.Fatal("a pty is not taken for a terminal")
	}

	// The user: waits for each prompt, then types a PIN; everything the terminal shows is kept.
	var screen bytes.Buffer
	typed := make(chan error, 1)
	go func() {
		r := bufio.NewReader(ptmx)
		for _, pin := range []string{"0000", rightPIN} {
			for !strings.HasSuffix(screen.String(), ": ") {
				b, err := r.ReadByte()
				if err != nil {
					typed <- err
					return
				}
				screen.WriteByte(b)
			}
			if err := ptytest.WaitEchoOff(ptmx); err != nil {
				typed <- err
				return
			}
			if _, err := ptmx.Write([]byte(pin + "\n")); err != nil {
				typed <- err
				return
			}
			// Wait for the newline TerminalPIN prints after the (unechoed) input, so the next prompt is new.
			for !strings.HasSuffix(screen.String(), "\n") {
				b, err := r.ReadByte()
				if err != nil {
					typed <- err
					return
				}
				screen.WriteByte(b)
			}
		}
		typed <- nil
	}()

	code, out, errOut := run(t, f, ClientEnv{ReadPIN: readPIN}, "profile", "Admin")
	select {
	case err := <-typed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the prompts never came")
	}
	if code != ExitOK || !strings.Contains(out, "profile Admin") {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
	if !strings.Contains(errOut, "Wrong PIN") {
		t.Errorf("the wrong PIN was not told: %q", errOut)
	}
	if got := strings.Count(screen.String(), "Admin PIN to switch to Admin: "); got != 2 {
		t.Errorf("prompts shown %d times, want 2: %q", got, screen.String())
	}
	if strings.Contains(screen.String(), rightPIN) || strings.Contains(screen.String(), "0000") {
		t.Errorf("the PIN was echoed: %q", screen.String())
	}
	if got := f.pins(); len(got) != 3 || got[0] != nil || got[1] != "0000" || got[2] != rightPIN {
		t.Errorf("requests' PINs = %v, want none, 0000, %s", got, rightPIN)
	}
}

// TestProfileRefusesWithoutATerminal: with stdin a pipe nobody is asked and nothing is guessed.
func TestProfileRefusesWithoutATerminal(t *testing.T) {
	f := startInstance(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if TerminalPIN(r, w) != nil {
		t.Fatal("a pipe is taken for a terminal")
	}
	code, _, errOut := run(t, f, ClientEnv{}, "profile", "Admin")
	if code != ExitError || !strings.Contains(errOut, "needs the admin PIN") || !strings.Contains(errOut, "terminal") {
		t.Fatalf("exit %d, %q: want 1 and how to switch", code, errOut)
	}
	if got := f.pins(); len(got) != 1 {
		t.Errorf("%d requests, want the one that learned a PIN is needed", len(got))
	}
}

// TestActionRunsAQuickAction: `action NAME` sends the name (the instance resolves and authorizes it) and
// prints the reply; a refusal is shown with exit 1.
func TestActionRunsAQuickAction(t *testing.T) {
	f := startInstance(t)
	code, out, errOut := run(t, f, ClientEnv{}, "action", "Lights", "on")
	if code != ExitOK || strings.TrimSpace(out) != "Lights are on." {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
	f.mu.Lock()
	got := f.calls[0]
	f.mu.Unlock()
	if got["action"] != "Lights on" || got["wait"] != true || got["text"] != nil {
		t.Errorf("request = %v", got)
	}
	code, _, errOut = run(t, f, ClientEnv{}, "action", "Pizza")
	if code != ExitError || !strings.Contains(errOut, "Ask a grown-up") {
		t.Errorf("refused action: exit %d %q", code, errOut)
	}
}
