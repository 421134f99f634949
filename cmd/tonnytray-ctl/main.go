// Command tonnytray-ctl sends one desktop trigger to the running TonnyTray and prints the state it answers:
//
//	tonnytray-ctl toggle|ptt-start|ptt-stop|pause|resume|profile NAME
//
// It is what to bind in a desktop's own shortcut settings where TonnyTray cannot grab keys (Wayland, no
// tray). `tonnytray toggle` does the same, but first loads the window's ~170 WebKit and GTK libraries; this
// static binary links none of them (a trigger takes a median 23 ms against 148 ms, in the desktop e2e).
// Exit codes: 0 ok, 1 refused or failed, 2 bad command line, 3 TonnyTray is not running.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/paths"
	"github.com/tonnytray/tonnytray/backend/trigger"
)

const usage = "usage: tonnytray-ctl toggle|ptt-start|ptt-stop|pause|resume|profile NAME"

func main() {
	os.Exit(run(os.Args[1:], trigger.Env{Socket: paths.ControlSocket(), Out: os.Stdout, Err: os.Stderr,
		ReadPIN: trigger.TerminalPIN(os.Stdin, os.Stderr)}))
}

func run(args []string, env trigger.Env) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintln(env.Out, usage)
		return trigger.ExitOK
	}
	if len(args) == 0 || !trigger.IsTrigger(args[0]) || (args[0] == trigger.Profile) != (len(args) > 1) {
		fmt.Fprintln(env.Err, usage)
		return trigger.ExitUsage
	}
	err := trigger.Send(context.Background(), args[0], strings.Join(args[1:], " "), env)
	if err == nil {
		return trigger.ExitOK
	}
	fmt.Fprintln(env.Err, "tonnytray-ctl:", err)
	if errors.Is(err, control.ErrNotRunning) {
		return trigger.ExitNotRunning
	}
	return trigger.ExitError
}
