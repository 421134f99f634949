// Package autostart writes and removes the XDG autostart entry that launches TonnyTray at login (every
// freedesktop session reads ~/.config/autostart: GNOME, KDE, Xfce, LXQt, Cinnamon, MATE).
package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Enable writes the entry at file so the session starts exe with --start-hidden (into the tray).
func Enable(file, exe string) error {
	if !filepath.IsAbs(exe) {
		return fmt.Errorf("autostart: the program path %q is not absolute", exe)
	}
	// The Exec key quotes per the Desktop Entry spec: a path with spaces or quotes stays one argument.
	quoted := `"` + strings.NewReplacer(`\`, `\\\\`, `"`, `\\"`, "`", "\\\\`", "$", `\\$`).Replace(exe) + `"`
	entry := "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=TonnyTray\n" +
		"Comment=Family voice assistant (starts in the tray)\n" +
		"Exec=" + quoted + " --start-hidden\n" +
		"Icon=tonnytray\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n" +
		"X-GNOME-Autostart-Delay=3\n"
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(entry), 0o644); err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	if err := os.Rename(tmp, file); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}

// Disable removes the entry; a missing entry is not an error.
func Disable(file string) error {
	if err := os.Remove(file); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}

// Enabled says whether the entry exists.
func Enabled(file string) bool {
	_, err := os.Stat(file)
	return err == nil
}
