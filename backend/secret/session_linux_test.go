package secret

// The test binary runs every test inside its own private D-Bus session, so the Secret Service tests use a
// real gnome-keyring-daemon without touching the user's keyring, and so that DBUS_SESSION_BUS_ADDRESS is
// set before 99designs/keyring initialises (it connects to the session bus in its init, launching a stray
// dbus-daemon through dbus-launch when the variable is unset). That ordering is why the binary re-executes
// itself: TestMain runs only after package initialisation.
//
// Needs: dbus (dbus-daemon), gnome-keyring, libsecret-tools (secret-tool), keyutils (keyctl).

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/99designs/keyring"
	"github.com/godbus/dbus"
)

// envSession holds the private session's root directory in the re-executed test binary.
const envSession = "TONNYTRAY_SECRET_TEST_SESSION"

func TestMain(m *testing.M) {
	if os.Getenv(envSession) != "" {
		os.Exit(m.Run())
	}
	stopLaunchedBus()
	code, err := runInPrivateSession()
	if err != nil {
		fmt.Fprintln(os.Stderr, "secret tests: private D-Bus session:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// runInPrivateSession starts a private dbus-daemon with no D-Bus activation (so nothing answers as
// org.freedesktop.secrets unless a test starts it), runs this test binary again on that bus with fresh
// HOME and XDG directories, and returns its exit code.
func runInPrivateSession() (int, error) {
	root, err := os.MkdirTemp("", "tt-secret-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(root)
	dirs := map[string]string{"HOME": "home", "XDG_DATA_HOME": "data", "XDG_CONFIG_HOME": "config",
		"XDG_STATE_HOME": "state", "XDG_CACHE_HOME": "cache", "XDG_RUNTIME_DIR": "run"}
	env := []string{envSession + "=" + root}
	for name, sub := range dirs {
		dir := filepath.Join(root, sub)
		if err := os.Mkdir(dir, 0o700); err != nil {
			return 0, err
		}
		env = append(env, name+"="+dir)
	}
	conf := filepath.Join(root, "bus.conf")
	if err := os.WriteFile(conf, []byte(busConfig(root)), 0o600); err != nil {
		return 0, err
	}

	var busLog bytes.Buffer
	bus := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--print-address=1")
	bus.Stderr = &busLog
	bus.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := bus.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := bus.Start(); err != nil {
		return 0, fmt.Errorf("start dbus-daemon (install the dbus package): %w", err)
	}
	defer func() {
		_ = bus.Process.Signal(syscall.SIGTERM)
		_ = bus.Wait()
	}()
	addr, err := firstLine(out, 20*time.Second)
	if err != nil {
		return 0, fmt.Errorf("dbus-daemon did not print its address: %w\n%s", err, busLog.String())
	}

	env = append(env, "DBUS_SESSION_BUS_ADDRESS="+addr)
	child := exec.Command(os.Args[0], os.Args[1:]...)
	child.Env = withEnv(os.Environ(), env, "DISPLAY", "WAYLAND_DISPLAY")
	child.Stdin, child.Stdout, child.Stderr = os.Stdin, os.Stdout, os.Stderr
	child.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err = child.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode(), nil
	}
	return 0, fmt.Errorf("test binary: %w", err)
}

// busConfig is a session bus listening in dir, with an allow-all policy and no service directories.
func busConfig(dir string) string {
	return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=` + dir + `</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`
}

// firstLine reads one line from r, giving up after timeout.
func firstLine(r io.Reader, timeout time.Duration) (string, error) {
	got := make(chan string, 1)
	failed := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		if err != nil {
			failed <- err
			return
		}
		got <- strings.TrimSpace(line)
	}()
	select {
	case line := <-got:
		return line, nil
	case err := <-failed:
		return "", err
	case <-time.After(timeout):
		return "", fmt.Errorf("nothing after %s", timeout)
	}
}

// withEnv returns base with the NAME=value entries of set replacing or adding to it, and drop removed.
func withEnv(base, set []string, drop ...string) []string {
	names := slices.Clone(drop)
	for _, kv := range set {
		name, _, _ := strings.Cut(kv, "=")
		names = append(names, name)
	}
	env := slices.DeleteFunc(slices.Clone(base), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(names, name)
	})
	return append(env, set...)
}

// stopLaunchedBus stops the session bus godbus launched with dbus-launch while 99designs/keyring
// initialised, which happens when `go test` runs with no DBUS_SESSION_BUS_ADDRESS. It stops only a bus
// that is certainly that one: the variable was absent from this process's initial environment, godbus
// found no per-user bus to use instead, and the daemon's command line is dbus-launch's.
func stopLaunchedBus() {
	initial, err := os.ReadFile("/proc/self/environ") // the environment at exec, before godbus set it
	if err != nil || bytes.Contains(initial, []byte("DBUS_SESSION_BUS_ADDRESS=")) {
		return
	}
	if !slices.Contains(keyring.AvailableBackends(), keyring.SecretServiceBackend) {
		return // no connection was made, so nothing was launched
	}
	for _, f := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join("/run/user", fmt.Sprint(os.Getuid()), f)); err == nil {
			return // godbus used the user's existing bus
		}
	}
	conn, err := dbus.SessionBus() // the cached connection to the launched bus
	if err != nil {
		return
	}
	var pid uint32
	if err := conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, "org.freedesktop.DBus").Store(&pid); err != nil {
		return
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return
	}
	args := strings.Split(string(cmdline), "\x00")
	if filepath.Base(args[0]) != "dbus-daemon" || !slices.Contains(args, "--fork") ||
		!slices.Contains(args, "--print-pid") || !slices.Contains(args, "--session") {
		return
	}
	_ = syscall.Kill(int(pid), syscall.SIGTERM)
}

// testBus is a private connection to the test session bus, separate from the one the package shares.
func testBus(t *testing.T) *dbus.Conn {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatal("DBUS_SESSION_BUS_ADDRESS is not set: the tests must run in the private session TestMain sets up")
	}
	conn, err := dbus.SessionBusPrivate()
	if err == nil {
		if err = conn.Auth(nil); err == nil {
			err = conn.Hello()
		}
	}
	if err != nil {
		t.Fatalf("connect to the test session bus: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// nameOwned reports whether name has an owner on the bus.
func nameOwned(t *testing.T, conn *dbus.Conn, name string) bool {
	t.Helper()
	var owned bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&owned); err != nil {
		t.Fatalf("NameHasOwner %s: %v", name, err)
	}
	return owned
}

// waitFor polls cond until it reports true, failing the test after timeout or on an error.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within %s", what, timeout)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer safe for the writes of exec's copying goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// gnomeKeyring is a gnome-keyring-daemon serving org.freedesktop.secrets on the test bus.
type gnomeKeyring struct {
	conn *dbus.Conn // private test connection
	cmd  *exec.Cmd
	done chan struct{} // closed when the daemon has exited
	log  *syncBuffer
	once sync.Once
}

// startGnomeKeyring runs gnome-keyring-daemon with a fresh, unlocked login collection, exactly as CI's
// desktop does (`printf pw | gnome-keyring-daemon --foreground --unlock --components=secrets`), and waits
// until the collection answers. The daemon is stopped when the test ends.
func startGnomeKeyring(t *testing.T) *gnomeKeyring {
	t.Helper()
	conn := testBus(t)
	if nameOwned(t, conn, secretsBusName) {
		t.Fatal("org.freedesktop.secrets is already owned on the test bus")
	}
	root := os.Getenv(envSession)
	dir, err := os.MkdirTemp(filepath.Join(root, "run"), "gk") // short: the daemon puts sockets here
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	g := &gnomeKeyring{conn: conn, done: make(chan struct{}), log: &syncBuffer{}}
	g.cmd = exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	g.cmd.Stdin = strings.NewReader("tonnytray-test-keyring")
	g.cmd.Stdout, g.cmd.Stderr = g.log, g.log
	g.cmd.Env = withEnv(os.Environ(), []string{"HOME=" + dir, "XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"XDG_RUNTIME_DIR=" + dir})
	g.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := g.cmd.Start(); err != nil {
		t.Fatalf("start gnome-keyring-daemon (install the gnome-keyring package): %v", err)
	}
	go func() {
		_ = g.cmd.Wait()
		close(g.done)
	}()
	t.Cleanup(func() { g.stop(t) })
	waitFor(t, 30*time.Second, "gnome-keyring's unlocked login collection", func() (bool, error) {
		select {
		case <-g.done:
			return false, fmt.Errorf("gnome-keyring-daemon exited: %s\n%s", g.cmd.ProcessState, g.log.String())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		locked, err := loginLocked(ctx, conn)
		return err == nil && !locked, nil // errors: not on the bus yet
	})
	return g
}

// stop ends the daemon and waits until its name has left the bus.
func (g *gnomeKeyring) stop(t *testing.T) {
	t.Helper()
	g.once.Do(func() {
		_ = g.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-g.done:
		case <-time.After(10 * time.Second):
			_ = g.cmd.Process.Kill()
			<-g.done
		}
		deadline := time.Now().Add(10 * time.Second)
		for nameOwned(t, g.conn, secretsBusName) {
			if time.Now().After(deadline) {
				t.Error("org.freedesktop.secrets still owned 10s after gnome-keyring-daemon exited")
				return
			}
			time.Sleep(25 * time.Millisecond)
		}
	})
}

// lockLogin locks the login collection through the Secret Service API (no prompt is needed to lock).
func (g *gnomeKeyring) lockLogin(t *testing.T) {
	t.Helper()
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	err := g.conn.Object(secretsBusName, "/org/freedesktop/secrets").
		Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{loginPath}).Store(&locked, &prompt)
	if err != nil {
		t.Fatalf("lock the login collection: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if l, err := loginLocked(ctx, g.conn); err != nil || !l {
		t.Fatalf("login collection not locked after Lock (locked=%v, err=%v, prompt=%s)", l, err, prompt)
	}
}
