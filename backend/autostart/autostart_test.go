package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnableWritesAnEntryAndDisableRemovesIt(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config", "autostart", "tonnytray.desktop")
	if Enabled(file) {
		t.Fatal("enabled before Enable")
	}
	if err := Enable(file, `/opt/Tonny Tray/tonny"tray`); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[Desktop Entry]\n", "Type=Application\n", `Exec="/opt/Tonny Tray/tonny\\"tray" --start-hidden` + "\n", "Terminal=false\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("entry lacks %q:\n%s", want, b)
		}
	}
	if !Enabled(file) {
		t.Fatal("not enabled after Enable")
	}
	if err := Enable(file, "/usr/bin/tonnytray"); err != nil { // again: replaced, not appended
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file); strings.Count(string(b), "Exec=") != 1 || !strings.Contains(string(b), `Exec="/usr/bin/tonnytray" --start-hidden`) {
		t.Errorf("entry after a second Enable:\n%s", b)
	}
	if err := Disable(file); err != nil || Enabled(file) {
		t.Fatalf("Disable: %v, still enabled %v", err, Enabled(file))
	}
	if err := Disable(file); err != nil {
		t.Fatalf("Disable of a missing entry: %v", err)
	}
	if err := Enable(file, "tonnytray"); err == nil {
		t.Fatal("a relative program path was accepted")
	}
}
