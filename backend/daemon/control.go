package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/tonnytray/tonnytray/backend/event"
	"os"
)

// Status is the answer to `tonnytray status`.
type Status struct {
	Version       string          `json:"version"`
	PID           int             `json:"pid"`
	UptimeSeconds int64           `json:"uptimeSeconds"`
	Database      string          `json:"database"`
	LogFile       string          `json:"logFile"`
	Keychain      KeychainStatus  `json:"keychain"`
	Services      []ServiceStatus `json:"services"`
	State         AppStateInfo    `json:"state"`
	Hotkeys       HotkeyStatus    `json:"hotkeys"`
}

// AppStateInfo is the app's state (idle, listening, …) with the active profile.
type AppStateInfo = event.AppStatePayload

// registerControl wires the control-socket commands that any running instance answers.
func (d *Daemon) registerControl() {
	d.control.Handle("status", func(ctx context.Context, _ json.RawMessage) (any, error) {
		snap, err := d.Snapshot(ctx)
		if err != nil {
			return nil, err
		}
		return Status{
			Version: snap.Version, PID: os.Getpid(), UptimeSeconds: snap.UptimeSeconds,
			Database: snap.Paths.Database, LogFile: snap.Paths.LogFile,
			Keychain: snap.Keychain, Services: snap.Services, State: d.AppState(), Hotkeys: d.HotkeyStatus(),
		}, nil
	})
	d.control.Handle("config-export", func(context.Context, json.RawMessage) (any, error) {
		return d.ExportSettings()
	})
	d.control.Handle("config-import", func(_ context.Context, args json.RawMessage) (any, error) {
		var a struct {
			Data string `json:"data"`
		}
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, fmt.Errorf("config-import: bad arguments: %w", err)
		}
		return d.ImportSettings([]byte(a.Data))
	})
	d.control.Handle("doctor", func(ctx context.Context, _ json.RawMessage) (any, error) {
		return d.Doctor(ctx), nil
	})
}
