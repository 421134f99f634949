package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/control/controltest"
	"github.com/tonnytray/tonnytray/backend/event"
)

// fakeInstance answers `send` like the daemon does for quick actions (Pizza is refused) and records every
// request it gets.
type fakeInstance struct {
	socket string
	calls  controltest.Calls
}

func startInstance(t *testing.T) *fakeInstance {
	f := &fakeInstance{}
	f.socket = controltest.Serve(t, map[string]control.HandlerFunc{
		"send": func(_ context.Context, args json.RawMessage) (any, error) {
			if f.calls.Record(args)["action"] == "Pizza" {
				return nil, &control.RemoteError{Code: control.CodeNotAllowed, Message: "Sorry, Mia, I can't do that one. Ask a grown-up."}
			}
			return event.CommandStatePayload{ID: "r1", Status: "delivered", Reply: "Lights are on."}, nil
		},
	})
	return f
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

// TestActionRunsAQuickAction: `action NAME` sends the name (the instance resolves and authorizes it) and
// prints the reply; a refusal is shown with exit 1.
func TestActionRunsAQuickAction(t *testing.T) {
	f := startInstance(t)
	code, out, errOut := run(t, f, ClientEnv{}, "action", "Lights", "on")
	if code != ExitOK || strings.TrimSpace(out) != "Lights are on." {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
	got := f.calls.All()[0]
	if got["action"] != "Lights on" || got["wait"] != true || got["text"] != nil {
		t.Errorf("request = %v", got)
	}
	code, _, errOut = run(t, f, ClientEnv{}, "action", "Pizza")
	if code != ExitError || !strings.Contains(errOut, "Ask a grown-up") {
		t.Errorf("refused action: exit %d %q", code, errOut)
	}
}
