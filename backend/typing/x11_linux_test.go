package typing

import (
	"context"
	"errors"
	"fmt"
	"github.com/tonnytray/tonnytray/backend/typing/xtest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// xErr is why the private X display could not start; the X tests fail with it (never skip).
var xErr error

// TestMain starts a private Xvfb: its own display number (-displayfd), no TCP, and DISPLAY set for this test
// binary and the tools it runs. The caller's display is never used.
func TestMain(m *testing.M) {
	stop, err := xtest.StartXvfb()
	xErr = err
	code := m.Run()
	if stop != nil {
		stop()
	}
	os.Exit(code)
}

// needX fails the test when the private display or a tool the test drives is missing.
func needX(t *testing.T, tools ...string) {
	t.Helper()
	if xErr != nil {
		t.Fatalf("this test needs a private X display: %v", xErr)
	}
	for _, tool := range append([]string{"xdotool", "xclip"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("this test needs %s (apt-get install %s): %v", tool, tool, err)
		}
	}
}

// xtermSink starts an xterm whose shell copies every byte typed or pasted into a file, focuses it, and
// returns the file's path. Echo is off so nothing else reaches the terminal; non-canonical mode hands cat a
// trailing line without its newline.
func xtermSink(t *testing.T) string {
	t.Helper()
	needX(t, "xterm")
	file := filepath.Join(t.TempDir(), "typed.txt")
	cmd := exec.Command("xterm", "-u8", "-title", "tonnytray-typing-test", "-e",
		"sh", "-c", `stty -echo -icanon && exec cat > "$1"`, "sh", file)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start xterm: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "xdotool", "search", "--sync", "--onlyvisible", "--pid", fmt.Sprint(cmd.Process.Pid)).Output()
	if err != nil || len(strings.Fields(string(out))) == 0 {
		t.Fatalf("xterm's window did not appear: %v", err)
	}
	win := strings.Fields(string(out))[0]
	// No window manager runs under bare Xvfb, so the input focus is set directly.
	if out, err := exec.CommandContext(ctx, "xdotool", "windowfocus", "--sync", win).CombinedOutput(); err != nil {
		t.Fatalf("focus xterm: %v: %s", err, out)
	}
	// cat creates the file once the shell has set the terminal up.
	waitFor(t, 20*time.Second, func() (bool, string) {
		_, err := os.Stat(file)
		return err == nil, "the xterm's shell never started cat"
	})
	return file
}

// waitFor polls cond until it holds or the deadline passes (a bound, not an assertion on speed).
func waitFor(t *testing.T, limit time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, msg := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", limit, msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func waitForFile(t *testing.T, file, want string) {
	t.Helper()
	waitFor(t, 15*time.Second, func() (bool, string) {
		got, _ := os.ReadFile(file)
		return string(got) == want, fmt.Sprintf("the terminal received %q, want %q", got, want)
	})
}

func readSelection(t *testing.T, sel selection) string {
	t.Helper()
	out, err := exec.Command("xclip", "-selection", string(sel), "-o").Output()
	if err != nil {
		t.Fatalf("read the %s selection: %v", sel, err)
	}
	return string(out)
}

func setSelection(t *testing.T, sel selection, text string) {
	t.Helper()
	if err := (clipboard{tool: "xclip", path: "xclip"}).set(context.Background(), sel, text); err != nil {
		t.Fatalf("set the %s selection: %v", sel, err)
	}
}

const dictated = "Hello, world! Grüße — café? 東京 ok\nsecond line"

func TestInsertX11(t *testing.T) {
	tests := []struct {
		name   string
		method Method
		want   Method
	}{
		{"paste", MethodAuto, MethodClipboard},
		{"xdotool typing", MethodXdotool, MethodXdotool},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := xtermSink(t)
			res, err := New(Options{Method: tt.method}).Insert(context.Background(), dictated)
			if err != nil {
				t.Fatalf("Insert: %v", err)
			}
			if res.Method != tt.want {
				t.Errorf("Method = %q, want %q", res.Method, tt.want)
			}
			waitForFile(t, file, dictated)
		})
	}
}

func TestInsertNoTypingToolLeavesClipboard(t *testing.T) {
	needX(t)
	setSelection(t, selClipboard, "before")
	hide := func(name string) (string, error) {
		if name == "xdotool" {
			return "", exec.ErrNotFound
		}
		return exec.LookPath(name)
	}
	_, err := New(Options{LookPath: hide, ClipboardRestore: time.Second}).Insert(context.Background(), dictated)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Insert error = %v, want *Error", err)
	}
	if !e.OnClipboard {
		t.Errorf("OnClipboard = false: %v", e)
	}
	msg := e.Message()
	for _, want := range []string{"xdotool is not installed", "It is on the clipboard"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Message %q does not mention %q", msg, want)
		}
	}
	if got := readSelection(t, selClipboard); got != dictated {
		t.Errorf("clipboard = %q, want the dictated text", got)
	}
}

func TestInsertRestoresClipboard(t *testing.T) {
	file := xtermSink(t)
	setSelection(t, selClipboard, "previous clipboard ✓")
	setSelection(t, selPrimary, "previous selection")
	res, err := New(Options{ClipboardRestore: 300 * time.Millisecond}).Insert(context.Background(), dictated)
	if err != nil {
		t.Fatalf("Insert: %v", err)
	}
	if res.Method != MethodClipboard {
		t.Fatalf("Method = %q, want clipboard", res.Method)
	}
	waitForFile(t, file, dictated)
	if got := readSelection(t, selClipboard); got != "previous clipboard ✓" {
		t.Errorf("clipboard after restore = %q", got)
	}
	if got := readSelection(t, selPrimary); got != "previous selection" {
		t.Errorf("primary selection after restore = %q", got)
	}
}

// A copy the user makes while the restore waits must survive it.
func TestInsertKeepsNewerClipboard(t *testing.T) {
	file := xtermSink(t)
	setSelection(t, selClipboard, "previous")
	done := make(chan error, 1)
	go func() {
		_, err := New(Options{ClipboardRestore: 2 * time.Second}).Insert(context.Background(), dictated)
		done <- err
	}()
	waitForFile(t, file, dictated)
	setSelection(t, selClipboard, "copied by the user")
	if err := <-done; err != nil {
		t.Fatalf("Insert: %v", err)
	}
	if got := readSelection(t, selClipboard); got != "copied by the user" {
		t.Errorf("clipboard = %q, want the user's newer copy", got)
	}
}

func TestCopyToClipboard(t *testing.T) {
	needX(t)
	if err := CopyToClipboard(context.Background(), Options{}, dictated); err != nil {
		t.Fatalf("CopyToClipboard: %v", err)
	}
	if got := readSelection(t, selClipboard); got != dictated {
		t.Errorf("clipboard = %q", got)
	}
}

func TestDetectX11(t *testing.T) {
	needX(t)
	d := Detect(context.Background(), Options{})
	if d.Session.Kind != KindX11 || d.Chosen != MethodClipboard || d.Clipboard != "xclip" {
		t.Errorf("Detect = %+v", d)
	}
}

func BenchmarkInsertPaste(b *testing.B) {
	if xErr != nil {
		b.Fatal(xErr)
	}
	in := New(Options{})
	for b.Loop() {
		if _, err := in.Insert(context.Background(), "benchmark text 東京"); err != nil {
			b.Fatal(err)
		}
	}
}
