package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tonnytray/tonnytray/backend/trigger"
)

// TestCommandLine: a bad command line is a usage error (2) naming the triggers; a trigger with no instance
// says so and exits 3. (Talking to an instance is tested in the trigger package and the desktop e2e.)
func TestCommandLine(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "control.sock")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{nil, trigger.ExitUsage, "toggle|ptt-start"},
		{[]string{"dance"}, trigger.ExitUsage, "usage"},
		{[]string{"profile"}, trigger.ExitUsage, "profile NAME"},
		{[]string{"toggle", "now"}, trigger.ExitUsage, "usage"},
		{[]string{"--help"}, trigger.ExitOK, "usage"},
		{[]string{"toggle"}, trigger.ExitNotRunning, "not running"},
		{[]string{"profile", "Mia", "Rose"}, trigger.ExitNotRunning, "not running"},
	} {
		var out, errOut bytes.Buffer
		code := run(c.args, trigger.Env{Socket: socket, Out: &out, Err: &errOut})
		if code != c.code || !strings.Contains(out.String()+errOut.String(), c.want) {
			t.Errorf("tonnytray-ctl %v: exit %d %q, want %d and %q", c.args, code, out.String()+errOut.String(), c.code, c.want)
		}
	}
}
