package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tonnytray/tonnytray/backend/audio"
	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/daemon"
	"github.com/tonnytray/tonnytray/backend/doctor"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/paths"
	"github.com/tonnytray/tonnytray/backend/trigger"
)

// Exit codes of the tonnytray binary.
const (
	ExitOK             = trigger.ExitOK
	ExitError          = trigger.ExitError
	ExitUsage          = trigger.ExitUsage
	ExitNotRunning     = trigger.ExitNotRunning // the command needs a running instance and there is none
	ExitAlreadyRunning = 4                      // another instance holds the lock and could not be reached
	ExitQueued         = 5                      // send: the command waits in the outbox, not delivered yet
)

// callTimeout bounds every request to the running instance; doctor probes the network, so it gets more.
const callTimeout = 30 * time.Second

// ClientEnv is what the subcommands need from the process.
type ClientEnv struct {
	Options daemon.Options // used when no instance runs and the backend starts in-process
	Out     io.Writer
	Err     io.Writer
	In      io.Reader
	// ReadPIN asks the user for the admin PIN without echoing it; nil when there is no terminal to ask on
	// (then switching up is refused: a PIN never travels in an argument or a pipe).
	ReadPIN func(prompt string) (string, error)
	Socket  string // "" = paths.ControlSocket()
	Lock    string // "" = paths.InstanceLock()
}

// RunClient runs a subcommand (anything but gui and headless) and returns the process exit code.
func RunClient(ctx context.Context, cmd Command, env ClientEnv) int {
	if env.Socket == "" {
		env.Socket = paths.ControlSocket()
	}
	if env.Lock == "" {
		env.Lock = paths.InstanceLock()
	}
	var err error
	switch cmd.Name {
	case CmdHelp:
		Usage(env.Out)
		return ExitOK
	case CmdVersion:
		fmt.Fprintln(env.Out, "tonnytray", env.Options.Version)
		return ExitOK
	case CmdStatus:
		err = status(ctx, cmd, env)
	case CmdDoctor:
		var failed bool
		if failed, err = runDoctor(ctx, env); err == nil && failed {
			return ExitError
		}
	case CmdServer:
		err = server(ctx, cmd, env)
	case CmdListen:
		err = listen(ctx, cmd, env)
	case CmdDevices:
		err = devices(cmd, env)
	case CmdConfigExport:
		err = configExport(ctx, cmd, env)
	case CmdConfigImport:
		err = configImport(ctx, cmd, env)
	case CmdSend, CmdAction:
		err = send(ctx, cmd, env)
	case CmdTest:
		var ok bool
		if ok, err = testService(ctx, cmd, env); err == nil && !ok {
			return ExitError
		}
	case CmdPublish:
		err = publish(ctx, cmd, env)
	case CmdOutbox:
		err = outbox(ctx, cmd, env)
	case CmdTTS:
		err = speak(ctx, cmd, env)
	case CmdToggle, CmdPTTStart, CmdPTTStop, CmdPause, CmdResume, CmdProfile:
		err = trigger.Send(ctx, cmd.Name, cmd.Text, trigger.Env{Socket: env.Socket, Out: env.Out, Err: env.Err, ReadPIN: env.ReadPIN})
	default:
		err = fmt.Errorf("%w: %q is not a client command", ErrUsage, cmd.Name)
	}
	var queued errQueued
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &queued):
		fmt.Fprintln(env.Err, "tonnytray:", err)
		return ExitQueued
	case errors.Is(err, ErrUsage):
		fmt.Fprintln(env.Err, "tonnytray:", err)
		return ExitUsage
	case errors.Is(err, control.ErrNotRunning):
		fmt.Fprintln(env.Err, "tonnytray:", err)
		return ExitNotRunning
	default:
		fmt.Fprintln(env.Err, "tonnytray:", err)
		return ExitError
	}
}

func status(ctx context.Context, cmd Command, env ClientEnv) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	var st daemon.Status
	if err := control.Call(ctx, env.Socket, "status", nil, &st); err != nil {
		return err
	}
	if cmd.JSON {
		return printJSON(env.Out, st)
	}
	fmt.Fprintf(env.Out, "TonnyTray %s running (pid %d, up %s)\n", st.Version, st.PID, time.Duration(st.UptimeSeconds)*time.Second)
	fmt.Fprintf(env.Out, "  database  %s\n  log file  %s\n", st.Database, st.LogFile)
	fmt.Fprintf(env.Out, "  state     %s", st.State.State)
	if st.State.Profile != "" {
		fmt.Fprintf(env.Out, " (profile %s)", st.State.Profile)
	}
	fmt.Fprintln(env.Out)
	for _, s := range st.Services {
		fmt.Fprintf(env.Out, "  %-15s %-11s %s\n", s.Service, s.State, s.Detail)
	}
	if !st.Hotkeys.Available {
		fmt.Fprintf(env.Out, "  shortcuts: %s\n", st.Hotkeys.Reason)
	}
	return nil
}

// server asks the running instance to start, stop or restart its speech server, and prints its state.
func server(ctx context.Context, cmd Command, env ClientEnv) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	var st event.ServerStatePayload
	if err := control.Call(ctx, env.Socket, "server", map[string]string{"action": cmd.Action}, &st); err != nil {
		return err
	}
	if cmd.JSON {
		return printJSON(env.Out, st)
	}
	if cmd.Action != "status" {
		fmt.Fprintf(env.Out, "%s requested\n", cmd.Action)
	}
	fmt.Fprintf(env.Out, "speech server: %s", st.State)
	switch {
	case st.External:
		fmt.Fprintf(env.Out, " (external, at %s)", st.Address)
	case st.PID > 0:
		fmt.Fprintf(env.Out, " (pid %d, %s, model %s)", st.PID, st.Address, st.Model)
	}
	fmt.Fprintln(env.Out)
	if st.Restarts > 0 {
		fmt.Fprintf(env.Out, "  restarts: %d\n", st.Restarts)
	}
	for _, msg := range []string{st.LastError, st.Reason} {
		if msg != "" {
			fmt.Fprintf(env.Out, "  %s\n", msg)
		}
	}
	for _, w := range st.Warnings {
		fmt.Fprintf(env.Out, "  warning: %s\n", w)
	}
	return nil
}

// listen has the running instance listen for a while and prints the final text.
func listen(ctx context.Context, cmd Command, env ClientEnv) error {
	secs := cmd.Seconds
	if secs == 0 {
		secs = 5
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(secs*float64(time.Second))+callTimeout+30*time.Second)
	defer cancel()
	fmt.Fprintf(env.Err, "listening for %g s…\n", secs)
	followCtx, stopFollow := context.WithCancel(ctx)
	followed := make(chan struct{})
	go func() { defer close(followed); followLive(followCtx, env) }()
	var res event.TranscriptFinalPayload
	err := control.Call(ctx, env.Socket, "listen", map[string]float64{"seconds": secs}, &res)
	stopFollow()
	<-followed
	if err != nil {
		return err
	}
	if cmd.JSON {
		return printJSON(env.Out, res)
	}
	fmt.Fprintln(env.Out, res.Text)
	if res.Error != "" {
		return errors.New(res.Error)
	}
	return nil
}

// followLive prints the live transcript on stderr while listen runs (stdout gets only the final text): each
// time it changes, the settled text and, in brackets, the part that may still change.
func followLive(ctx context.Context, env ClientEnv) {
	var last event.TranscriptUpdatePayload
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var cur event.TranscriptUpdatePayload
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := control.Call(cctx, env.Socket, "live", nil, &cur)
		cancel()
		same := cur.Committed == last.Committed && cur.Volatile == last.Volatile // the lag alone changes often
		if err != nil || same || cur.Committed+cur.Volatile == "" {
			continue
		}
		last = cur
		line := cur.Committed
		if cur.Volatile != "" {
			line = strings.TrimSpace(line + " [" + cur.Volatile + "]")
		}
		fmt.Fprintln(env.Err, "…", line)
	}
}

// devices lists the audio devices PortAudio sees (no running instance needed).
func devices(cmd Command, env ClientEnv) error {
	list, err := audio.Devices()
	if err != nil {
		return err
	}
	if cmd.JSON {
		return printJSON(env.Out, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(env.Out, "no audio devices (is a sound server running? see `tonnytray doctor`)")
	}
	for _, d := range list {
		mark := " "
		if d.DefaultInput {
			mark = "*"
		}
		fmt.Fprintf(env.Out, "%s %-32s in %d, out %d, %d Hz (%s)\n", mark, d.Name, d.InputChannels, d.OutputChannels, d.DefaultRate, d.HostAPI)
	}
	return nil
}

func runDoctor(ctx context.Context, env ClientEnv) (failed bool, err error) {
	var checks []doctor.Check
	err = withBackend(ctx, env, "doctor", nil, &checks, func(d *daemon.Daemon) (any, error) {
		return d.Doctor(ctx), nil
	})
	if err != nil {
		return false, err
	}
	doctor.Format(env.Out, checks)
	return doctor.Failed(checks), nil
}

func configExport(ctx context.Context, cmd Command, env ClientEnv) error {
	var data string
	err := withBackend(ctx, env, "config-export", nil, &data, func(d *daemon.Daemon) (any, error) {
		return d.ExportSettings()
	})
	if err != nil {
		return err
	}
	if cmd.File == "" || cmd.File == "-" {
		_, err = io.WriteString(env.Out, data)
		return err
	}
	// 0600: settings say which services the family uses and where they live.
	if err := os.WriteFile(cmd.File, []byte(data), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", cmd.File, err)
	}
	fmt.Fprintf(env.Err, "settings exported to %s (no secrets included)\n", cmd.File)
	return nil
}

func configImport(ctx context.Context, cmd Command, env ClientEnv) error {
	var (
		data []byte
		err  error
	)
	if cmd.File == "-" {
		data, err = io.ReadAll(io.LimitReader(env.In, 1<<20))
	} else {
		data, err = os.ReadFile(cmd.File)
	}
	if err != nil {
		return fmt.Errorf("read settings file: %w", err)
	}
	var res daemon.ImportResult
	err = withBackend(ctx, env, "config-import", map[string]string{"data": string(data)}, &res, func(d *daemon.Daemon) (any, error) {
		return d.ImportSettings(data)
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Out, "settings imported")
	for _, k := range res.SecretsImported {
		fmt.Fprintf(env.Out, "  moved %s into the keychain\n", k)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(env.Out, "  note: %s\n", w)
	}
	if len(res.RestartNeeded) > 0 {
		fmt.Fprintf(env.Out, "  restart needed for: %v\n", res.RestartNeeded)
	}
	return nil
}

// withBackend asks the running instance to do cmd; when none runs it starts the backend in-process (taking
// the single-instance lock, so nothing else writes meanwhile), runs local, and shuts it down again.
func withBackend(ctx context.Context, env ClientEnv, cmd string, args, result any, local func(*daemon.Daemon) (any, error)) error {
	callCtx, cancel := context.WithTimeout(ctx, callTimeout)
	err := control.Call(callCtx, env.Socket, cmd, args, result)
	cancel()
	if !errors.Is(err, control.ErrNotRunning) {
		return err
	}
	inst, err := control.AcquireInstance(env.Lock)
	if err != nil {
		return err
	}
	opts := env.Options
	opts.Instance, opts.Console, opts.Socket = inst, nil, env.Socket
	d, err := daemon.New(ctx, opts)
	if err != nil {
		inst.Release()
		return err
	}
	defer d.Close()
	v, err := local(d)
	if err != nil {
		return err
	}
	// Round-trip through JSON so both paths fill result the same way.
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s result: %w", cmd, err)
	}
	return json.Unmarshal(b, result)
}

// printJSON writes v as indented JSON, for --json.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
