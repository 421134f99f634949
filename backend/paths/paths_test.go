package paths

import (
	"os"
	"path/filepath"
	"testing"
)

func TestXDGLocations(t *testing.T) {
	t.Setenv("HOME", "/home/ann")
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("XDG_STATE_HOME", "relative/is/ignored") // the spec says relative paths are invalid
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
	t.Setenv("TONNYTRAY_DB", "")
	for _, c := range []struct{ got, want string }{
		{DatabaseFile(), "/home/ann/.local/share/tonnytray/tonnytray.db"},
		{LogFile(), "/home/ann/.local/state/tonnytray/tonnytray.log"},
		{ControlSocket(), "/run/user/1000/tonnytray/control.sock"},
		{InstanceLock(), "/run/user/1000/tonnytray/instance.lock"},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
	t.Setenv("TONNYTRAY_DB", "/data/family.db")
	t.Setenv("XDG_RUNTIME_DIR", "")
	if DatabaseFile() != "/data/family.db" {
		t.Errorf("TONNYTRAY_DB ignored: %s", DatabaseFile())
	}
	if filepath.Dir(RuntimeDir()) != filepath.Clean(os.TempDir()) {
		t.Errorf("runtime dir without XDG_RUNTIME_DIR = %s, want one under the temp dir", RuntimeDir())
	}
}

func TestEnsurePrivateDirTightensMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := EnsurePrivateDir(dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Fatalf("mode = %v, want 0700", fi.Mode().Perm())
	}
}
