// Package trigger sends the desktop triggers — toggle, ptt-start, ptt-stop, pause, resume and profile NAME —
// to the running instance over its control socket and prints the state it answers. It is small on purpose:
// the lean tonnytray-ctl binary (cmd/tonnytray-ctl) is built from it alone, so a shortcut bound to a trigger
// starts in a few milliseconds instead of loading the window's WebKit libraries.
package trigger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/event"
)

// Exit codes shared by tonnytray and tonnytray-ctl.
const (
	ExitOK         = 0
	ExitError      = 1
	ExitUsage      = 2
	ExitNotRunning = 3 // the command needs a running instance and there is none
)

// Profile is the trigger that switches the active profile; it takes the profile's name.
const Profile = "profile"

// Names are the triggers, in help order.
var Names = []string{"toggle", "ptt-start", "ptt-stop", "pause", "resume", Profile}

// IsTrigger reports whether name is one of Names.
func IsTrigger(name string) bool { return slices.Contains(Names, name) }

// Env is where a trigger goes and what it may use.
type Env struct {
	Socket string // the control socket
	Out    io.Writer
	Err    io.Writer
	// ReadPIN asks the user for the admin PIN without echoing it; nil when there is no terminal to ask on
	// (then switching up is refused: a PIN never travels in an argument or a pipe).
	ReadPIN func(prompt string) (string, error)
}

// timeout bounds a trigger: each answers at once (the work goes on in the instance).
const timeout = 5 * time.Second

// pinTries is how many PINs `profile` asks for before giving up (the instance's rate limit still applies
// across runs).
const pinTries = 3

// Send sends trigger name (for Profile, switching to profile; switching up asks for the PIN through
// env.ReadPIN) and prints the state the instance answers.
func Send(ctx context.Context, name, profile string, env Env) error {
	callCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var args any
	if name == Profile {
		args = map[string]string{"name": profile}
	}
	var st event.AppStatePayload
	err := control.Call(callCtx, env.Socket, name, args, &st)
	if name == Profile && RemoteCode(err) == control.CodePINRequired {
		err = switchWithPIN(ctx, profile, env, &st)
	}
	if err != nil {
		return err
	}
	line := st.State
	if st.Profile != "" {
		line += " (profile " + st.Profile + ")"
	}
	fmt.Fprintln(env.Out, line)
	return nil
}

// switchWithPIN asks for the admin PIN on the terminal and switches up to name with it.
func switchWithPIN(ctx context.Context, name string, env Env, st *event.AppStatePayload) error {
	if env.ReadPIN == nil {
		return fmt.Errorf("switching up to %s needs the admin PIN: run `tonnytray profile %s` in a terminal, or switch on the Profiles screen", name, name)
	}
	var err error
	for range pinTries {
		var pin string
		if pin, err = env.ReadPIN(fmt.Sprintf("Admin PIN to switch to %s: ", name)); err != nil {
			return fmt.Errorf("read the PIN: %w", err)
		}
		// Each attempt gets its own deadline: typing the PIN takes as long as it takes.
		callCtx, cancel := context.WithTimeout(ctx, timeout)
		err = control.Call(callCtx, env.Socket, Profile, map[string]string{"name": name, "pin": pin}, st)
		cancel()
		if RemoteCode(err) != control.CodeWrongPIN {
			return err
		}
		fmt.Fprintln(env.Err, "tonnytray:", remoteMessage(err))
	}
	return err
}

// RemoteCode is the instance's error code, or "" for other errors.
func RemoteCode(err error) string {
	var re *control.RemoteError
	if errors.As(err, &re) {
		return re.Code
	}
	return ""
}

func remoteMessage(err error) string {
	var re *control.RemoteError
	if errors.As(err, &re) {
		return re.Message
	}
	return err.Error()
}
