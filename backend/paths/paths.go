// Package paths resolves where TonnyTray keeps its files, following the XDG base directory spec.
package paths

import (
	"fmt"
	"os"
	"path/filepath"
)

// AppName is the directory name used under every XDG base directory.
const AppName = "tonnytray"

// DataDir is $XDG_DATA_HOME/tonnytray (default ~/.local/share/tonnytray).
func DataDir() string { return filepath.Join(xdg("XDG_DATA_HOME", ".local/share"), AppName) }

// StateDir is $XDG_STATE_HOME/tonnytray (default ~/.local/state/tonnytray); it holds the log files.
func StateDir() string { return filepath.Join(xdg("XDG_STATE_HOME", ".local/state"), AppName) }

// ConfigDir is $XDG_CONFIG_HOME/tonnytray (default ~/.config/tonnytray).
func ConfigDir() string { return filepath.Join(xdg("XDG_CONFIG_HOME", ".config"), AppName) }

// AutostartFile is the XDG autostart entry that launches TonnyTray at login:
// $XDG_CONFIG_HOME/autostart/tonnytray.desktop.
func AutostartFile() string {
	return filepath.Join(xdg("XDG_CONFIG_HOME", ".config"), "autostart", AppName+".desktop")
}

// CacheDir is $XDG_CACHE_HOME/tonnytray (default ~/.cache/tonnytray).
func CacheDir() string { return filepath.Join(xdg("XDG_CACHE_HOME", ".cache"), AppName) }

// RuntimeDir is $XDG_RUNTIME_DIR/tonnytray, or a per-user directory under the temp dir when the session has
// no runtime dir (root shells, CI). It holds the control socket and the single-instance lock.
func RuntimeDir() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, AppName)
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("%s-%d", AppName, os.Getuid()))
}

// DatabaseFile is the SQLite file: $TONNYTRAY_DB when set, else DataDir()/tonnytray.db.
func DatabaseFile() string {
	if p := os.Getenv("TONNYTRAY_DB"); p != "" {
		return p
	}
	return filepath.Join(DataDir(), "tonnytray.db")
}

// LogFile is the rotating log file, StateDir()/tonnytray.log.
func LogFile() string { return filepath.Join(StateDir(), "tonnytray.log") }

// ControlSocket is the local control socket the CLI uses to reach the running instance.
func ControlSocket() string { return filepath.Join(RuntimeDir(), "control.sock") }

// InstanceLock is the lock file that keeps a single instance running per user.
func InstanceLock() string { return filepath.Join(RuntimeDir(), "instance.lock") }

// EnsurePrivateDir creates dir (and parents) readable only by the user.
func EnsurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	// MkdirAll leaves an existing directory's mode alone; tighten it.
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("chmod %s: %w", dir, err)
	}
	return nil
}

func xdg(env, fallback string) string {
	if d := os.Getenv(env); d != "" && filepath.IsAbs(d) {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		home = os.TempDir()
	}
	return filepath.Join(home, fallback)
}
