package trigger

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/control/controltest"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/trigger/ptytest"
)

const rightPIN = "4321"

// fakeInstance answers `profile` like the daemon does (a PIN is needed to switch up, 4321 is right) and
// records every request it gets.
type fakeInstance struct {
	socket string
	calls  controltest.Calls
}

func startInstance(t *testing.T) *fakeInstance {
	f := &fakeInstance{}
	f.socket = controltest.Serve(t, map[string]control.HandlerFunc{
		"profile": func(_ context.Context, args json.RawMessage) (any, error) {
			a := f.calls.Record(args)
			switch a["pin"] {
			case nil, "":
				return nil, &control.RemoteError{Code: control.CodePINRequired, Message: "the admin PIN is needed to switch to this profile"}
			case rightPIN:
				return event.AppStatePayload{State: "idle", Profile: a["name"].(string), Role: "admin"}, nil
			}
			return nil, &control.RemoteError{Code: control.CodeWrongPIN, Message: "Wrong PIN"}
		},
	})
	return f
}

func (f *fakeInstance) pins() []any {
	var out []any
	for _, c := range f.calls.All() {
		out = append(out, c["pin"])
	}
	return out
}

func run(t *testing.T, f *fakeInstance, env Env, name, profile string) (error, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env.Out, env.Err, env.Socket = &out, &errOut, f.socket
	err := Send(context.Background(), name, profile, env)
	return err, out.String(), errOut.String()
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

	err, out, errOut := run(t, f, Env{ReadPIN: readPIN}, Profile, "Admin")
	select {
	case err := <-typed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the prompts never came")
	}
	if err != nil || !strings.Contains(out, "profile Admin") {
		t.Fatalf("%v, out %q, err %q", err, out, errOut)
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
	err, _, _ = run(t, f, Env{}, Profile, "Admin")
	if err == nil || !strings.Contains(err.Error(), "needs the admin PIN") || !strings.Contains(err.Error(), "terminal") {
		t.Fatalf("%v: want a refusal saying how to switch", err)
	}
	if got := f.pins(); len(got) != 1 {
		t.Errorf("%d requests, want the one that learned a PIN is needed", len(got))
	}
}
