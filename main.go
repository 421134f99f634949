// Command tonnytray is the TonnyTray desktop app and its command line. main only composes: it parses the
// command line, then runs the window, the headless backend, or a CLI command against the running instance.
package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"github.com/tonnytray/tonnytray/backend/cli"
	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/daemon"
	"github.com/tonnytray/tonnytray/backend/paths"
	"github.com/tonnytray/tonnytray/backend/trigger"
)

//go:embed all:frontend/dist
var assets embed.FS

//go:embed build/appicon.png
var icon []byte

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() { os.Exit(run(time.Now(), os.Args[1:])) }

func run(started time.Time, args []string) int {
	cmd, err := cli.Parse(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tonnytray:", err)
		return cli.ExitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := daemon.Options{Version: version, DBPath: cmd.DBPath, LogLevel: cmd.LogLevel, Console: os.Stderr}

	switch cmd.Name {
	case "gui":
		return runGUI(ctx, cmd, opts, started)
	case "headless":
		return runHeadless(ctx, opts)
	default:
		opts.Console = nil // CLI commands print their own output
		return cli.RunClient(ctx, cmd, cli.ClientEnv{Options: opts, Out: os.Stdout, Err: os.Stderr, In: os.Stdin, ReadPIN: trigger.TerminalPIN(os.Stdin, os.Stderr)})
	}
}

// acquire takes the single-instance lock; a second launch asks the first to show itself instead.
func acquire(ctx context.Context) (*control.Instance, int) {
	inst, err := control.AcquireInstance(paths.InstanceLock())
	if errors.Is(err, control.ErrAlreadyRunning) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if cerr := control.Call(ctx, paths.ControlSocket(), "show", nil, nil); cerr != nil {
			fmt.Fprintln(os.Stderr, "tonnytray: already running, and it did not answer:", cerr)
			return nil, cli.ExitAlreadyRunning
		}
		fmt.Fprintln(os.Stderr, "tonnytray: already running; showed its window")
		return nil, cli.ExitOK
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tonnytray:", err)
		return nil, cli.ExitError
	}
	return inst, cli.ExitOK
}

func runHeadless(ctx context.Context, opts daemon.Options) int {
	inst, code := acquire(ctx)
	if inst == nil {
		return code
	}
	opts.Instance = inst
	d, err := daemon.New(ctx, opts)
	if err != nil {
		inst.Release()
		fmt.Fprintln(os.Stderr, "tonnytray:", err)
		return cli.ExitError
	}
	d.HandleControl("show", func(context.Context, json.RawMessage) (any, error) {
		return nil, &control.RemoteError{Code: "headless", Message: "TonnyTray runs headless (no window); use `tonnytray status`"}
	})
	if err := d.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "tonnytray:", err)
		return cli.ExitError
	}
	return cli.ExitOK
}

// runGUI runs the window; signals is done once SIGTERM or SIGINT arrived (Wails then quits, and closing must
// not be turned into hiding).
func runGUI(signals context.Context, cmd cli.Command, opts daemon.Options, started time.Time) int {
	if !generatingBindings {
		inst, code := acquire(context.Background())
		if inst == nil {
			return code
		}
		opts.Instance = inst
	}
	wlog := newWailsLogger()
	app := NewApp(opts, wlog, started, cmd.StartHidden)
	app.signals = signals
	err := wails.Run(&options.App{
		Title:            "TonnyTray",
		Width:            1180,
		Height:           780,
		MinWidth:         760,
		MinHeight:        520,
		StartHidden:      true, // shown at DOM ready unless it should stay in the tray (App.domReady)
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 248, G: 249, B: 250, A: 255},
		OnStartup:        app.startup,
		OnDomReady:       app.domReady,
		OnShutdown:       app.shutdown,
		OnBeforeClose:    app.beforeClose,
		Bind:             []any{app},
		ErrorFormatter:   formatError,
		Logger:           wlog,
		Linux:            &linux.Options{Icon: icon, ProgramName: "tonnytray", WebviewGpuPolicy: linux.WebviewGpuPolicyOnDemand},
	})
	app.shutdown(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "tonnytray:", err)
		return cli.ExitError
	}
	return cli.ExitOK
}
