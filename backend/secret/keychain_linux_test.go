package secret

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/99designs/keyring"
	"github.com/godbus/dbus"
)

// secretToolLookup reads an item with libsecret's own CLI, independently of the code under test.
// ok is false when secret-tool finds nothing (exit status 1).
func secretToolLookup(t *testing.T, item string) (data []byte, ok bool) {
	t.Helper()
	out, err := exec.Command("secret-tool", "lookup", "profile", item).Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		return nil, false
	}
	if err != nil {
		t.Fatalf("secret-tool lookup (install libsecret-tools): %v", err)
	}
	var it struct{ Data []byte } // 99designs/keyring stores its Item as JSON
	if err := json.Unmarshal(out, &it); err != nil {
		t.Fatalf("secret-tool lookup %s: not a keyring item: %v", item, err)
	}
	return it.Data, true
}

// loginItems lists the login collection's items whose "profile" attribute is item, over D-Bus.
func loginItems(t *testing.T, conn *dbus.Conn, item string) []dbus.ObjectPath {
	t.Helper()
	var paths []dbus.ObjectPath
	err := conn.Object(secretsBusName, loginPath).Call("org.freedesktop.Secret.Collection.SearchItems", 0,
		map[string]string{"profile": item}).Store(&paths)
	if err != nil {
		t.Fatalf("SearchItems in the login collection: %v", err)
	}
	return paths
}

func TestSecretServiceRoundTrip(t *testing.T) {
	g := startGnomeKeyring(t)
	svc := testServiceName()
	var learned []string
	s, err := Open(Config{Backend: BackendSecretService, ServiceName: svc, OnSecret: func(v string) { learned = append(learned, v) }})
	if err != nil {
		t.Fatalf("Open secret-service: %v", err)
	}
	if s.Backend() != BackendSecretService || s.Backend().Label() != "Secret Service (login)" {
		t.Fatalf("Backend = %q (%q)", s.Backend(), s.Backend().Label())
	}
	if has, err := s.Has(N8NAuth); err != nil || has {
		t.Fatalf("Has before Set = %v, %v", has, err)
	}
	if _, err := s.Get(N8NAuth); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set: %v, want ErrNotFound", err)
	}

	const value = "n8n-header-value-7f3a"
	if err := s.Set(N8NAuth, "  "+value+"\n"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if !slices.Contains(learned, value) {
		t.Errorf("OnSecret did not learn the value on Set (learned %d values)", len(learned))
	}
	if has, err := s.Has(N8NAuth); err != nil || !has {
		t.Fatalf("Has after Set = %v, %v", has, err)
	}
	if st := s.Status(); !st[N8NAuth] || st[ElevenLabsAPIKey] || len(st) != len(Keys()) {
		t.Fatalf("Status = %v", st)
	}
	if got, err := s.Get(N8NAuth); err != nil || got != value {
		t.Fatalf("Get = %q, %v (want the trimmed value)", got, err)
	}

	// The item really is in gnome-keyring's login collection, under our namespaced name.
	item := svc + "/" + string(N8NAuth)
	if n := len(loginItems(t, g.conn, item)); n != 1 {
		t.Fatalf("login collection holds %d items named %s, want 1", n, item)
	}
	if data, ok := secretToolLookup(t, item); !ok || string(data) != value {
		t.Fatalf("secret-tool sees ok=%v and a different value", ok)
	}

	// A second Store (a restart of the app) sees it; auto prefers the Secret Service when it is there.
	s2, err := Open(Config{ServiceName: svc})
	if err != nil {
		t.Fatalf("Open auto: %v", err)
	}
	if s2.Backend() != BackendSecretService {
		t.Fatalf("auto picked %q with a Secret Service on the bus", s2.Backend())
	}
	if got, err := s2.Get(N8NAuth); err != nil || got != value {
		t.Fatalf("second store Get = %q, %v", got, err)
	}
	// Set replaces rather than adding a second item.
	if err := s2.Set(N8NAuth, value+"-2"); err != nil {
		t.Fatal(err)
	}
	if n := len(loginItems(t, g.conn, item)); n != 1 {
		t.Fatalf("after a second Set the login collection holds %d items named %s", n, item)
	}

	if err := s.Delete(N8NAuth); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := s.Delete(N8NAuth); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	if has, err := s.Has(N8NAuth); err != nil || has {
		t.Fatalf("Has after Delete = %v, %v", has, err)
	}
	if _, err := s.Get(N8NAuth); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
	}
	if _, ok := secretToolLookup(t, item); ok {
		t.Fatal("secret-tool still finds the item after Delete")
	}
}

func TestSecretServiceLocked(t *testing.T) {
	g := startGnomeKeyring(t)
	svc := testServiceName()
	s, err := Open(Config{Backend: BackendSecretService, ServiceName: svc})
	if err != nil {
		t.Fatal(err)
	}
	const value = "locked-away-91c2"
	if err := s.Set(ElevenLabsAPIKey, value); err != nil {
		t.Fatal(err)
	}
	g.lockLogin(t)

	// An open store reports the lock instead of waiting for an unlock prompt nobody can see.
	_, err = s.Get(ElevenLabsAPIKey)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), value) {
		t.Fatalf("Get on a locked collection: %v, want ErrLocked with a sentence and no value", err)
	}
	if err := s.Set(ElevenLabsAPIKey, value); !errors.Is(err, ErrLocked) {
		t.Fatalf("Set on a locked collection: %v, want ErrLocked", err)
	}
	if has, err := s.Has(ElevenLabsAPIKey); has || !errors.Is(err, ErrLocked) {
		t.Fatalf("Has on a locked collection = %v, %v", has, err)
	}

	// Opening fails at Open, and auto does not fall through to the kernel keyring (the secrets are here).
	for _, b := range []Backend{BackendSecretService, BackendAuto} {
		_, err := Open(Config{Backend: b, ServiceName: svc})
		if !errors.Is(err, ErrLocked) || !errors.Is(err, ErrNoKeychain) {
			t.Fatalf("Open %s on a locked collection: %v, want ErrLocked and ErrNoKeychain", b, err)
		}
		msg := err.Error()
		for _, want := range []string{"Secret Service (login)", `"login" keyring is locked`, "Settings"} {
			if !strings.Contains(msg, want) {
				t.Errorf("Open %s: message %q lacks %q", b, msg, want)
			}
		}
	}
}

func TestSecretServiceGoneAfterOpen(t *testing.T) {
	g := startGnomeKeyring(t)
	svc := testServiceName()
	s, err := Open(Config{Backend: BackendSecretService, ServiceName: svc})
	if err != nil {
		t.Fatal(err)
	}
	g.stop(t)

	if _, err := s.Get(WhisperToken); err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("Get with the daemon gone: %v, want a D-Bus error", err)
	}
	_, err = Open(Config{Backend: BackendSecretService, ServiceName: svc})
	if !errors.Is(err, ErrNoKeychain) || !strings.Contains(err.Error(), "no org.freedesktop.secrets on the session bus") {
		t.Fatalf("Open with the daemon gone: %v", err)
	}
}

// keyctlWorks asks keyutils' CLI, independently of the code under test, whether the kernel lets this
// process use its user keyring (container seccomp profiles may forbid keyctl).
func keyctlWorks(t *testing.T) bool {
	t.Helper()
	if _, err := exec.LookPath("keyctl"); err != nil {
		t.Fatal("keyctl not found: install the keyutils package")
	}
	return exec.Command("keyctl", "rdescribe", "@u").Run() == nil
}

// keyctlCLI runs keyctl and returns its trimmed output.
func keyctlCLI(args ...string) (string, error) {
	out, err := exec.Command("keyctl", args...).Output()
	return strings.TrimSpace(string(out)), err
}

// dropKeyctlRing unlinks the named keyring Open created under the user keyring.
func dropKeyctlRing(t *testing.T, svc string) {
	t.Helper()
	t.Cleanup(func() {
		if id, err := keyctlCLI("search", "@u", "keyring", svc); err == nil {
			_, _ = keyctlCLI("unlink", id, "@u")
		}
	})
}

func TestKeyctlRoundTrip(t *testing.T) {
	svc := testServiceName()
	dropKeyctlRing(t, svc)
	s, err := Open(Config{Backend: BackendKeyCtl, ServiceName: svc})
	if !keyctlWorks(t) {
		// This kernel (or container) refuses keyctl: Open must say so plainly.
		if !errors.Is(err, ErrNoKeychain) || !strings.Contains(err.Error(), "kernel refused keyctl") {
			t.Fatalf("Open keyctl where the kernel refuses it: %v", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Open keyctl: %v", err)
	}
	if s.Backend() != BackendKeyCtl || !strings.Contains(s.Backend().Label(), "reboot") {
		t.Fatalf("Backend = %q (%q)", s.Backend(), s.Backend().Label())
	}
	const value = "rabbit-pass-55d1"
	if err := s.Set(RabbitMQPassword, value+"\r\n"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if has, err := s.Has(RabbitMQPassword); err != nil || !has {
		t.Fatalf("Has = %v, %v", has, err)
	}
	if got, err := s.Get(RabbitMQPassword); err != nil || got != value {
		t.Fatalf("Get = %q, %v", got, err)
	}

	// The key is really in the kernel: keyutils finds it under a keyring named after the service in @u.
	ring, err := keyctlCLI("search", "@u", "keyring", svc)
	if err != nil {
		t.Fatalf("keyctl search @u keyring %s: %v", svc, err)
	}
	id, err := keyctlCLI("search", ring, "user", string(RabbitMQPassword))
	if err != nil {
		t.Fatalf("keyctl search %s user %s: %v", ring, RabbitMQPassword, err)
	}
	if got, err := keyctlCLI("pipe", id); err != nil || got != value {
		t.Fatalf("keyctl pipe: err %v, same value %v", err, got == value)
	}

	s2, err := Open(Config{Backend: BackendKeyCtl, ServiceName: svc})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s2.Get(RabbitMQPassword); err != nil || got != value {
		t.Fatalf("second store Get = %q, %v", got, err)
	}
	if err := s.Delete(RabbitMQPassword); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := s.Delete(RabbitMQPassword); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	if _, err := s2.Get(RabbitMQPassword); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
	}
}

// TestAutoWithoutSecretService runs on the test bus with nothing owning org.freedesktop.secrets or
// org.kde.kwalletd5 (and no D-Bus activation): auto never falls back to the memory-only kernel keyring; it
// explains what is missing.
func TestAutoWithoutSecretService(t *testing.T) {
	conn := testBus(t)
	for _, name := range []string{secretsBusName, kwalletBusName} {
		if nameOwned(t, conn, name) {
			t.Fatalf("%s is owned on the test bus", name)
		}
	}
	svc := testServiceName()
	dropKeyctlRing(t, svc)

	_, err := Open(Config{ServiceName: svc})
	if !errors.Is(err, ErrNoKeychain) || errors.Is(err, ErrLocked) {
		t.Fatalf("auto without a Secret Service: %v, want ErrNoKeychain only", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"no usable keychain",
		"Secret Service (login): no org.freedesktop.secrets on the session bus",
		"KWallet: no org.kde.kwalletd5 on the session bus",
		"choose the encrypted file fallback (or the kernel keyring, cleared at reboot) in Settings",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}

	_, err = Open(Config{Backend: BackendSecretService, ServiceName: svc})
	if !errors.Is(err, ErrNoKeychain) || !strings.Contains(err.Error(), "org.freedesktop.secrets") {
		t.Fatalf("Open secret-service without one: %v", err)
	}
	_, err = Open(Config{Backend: BackendKWallet, ServiceName: svc})
	if !errors.Is(err, ErrNoKeychain) || !strings.Contains(err.Error(), "org.kde.kwalletd5") {
		t.Fatalf("Open kwallet without one: %v", err)
	}
}

// envNoBus marks the run of TestOpenWithoutSessionBus in a process started without any session bus.
const envNoBus = "TONNYTRAY_SECRET_TEST_NO_BUS"

// TestOpenWithoutSessionBus checks the message when the process has no session bus at all. 99designs/keyring
// decides that at initialisation, so the test runs itself again in a process whose bus address leads
// nowhere (an address that is set but unreachable also keeps godbus from launching a bus).
func TestOpenWithoutSessionBus(t *testing.T) {
	if os.Getenv(envNoBus) == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestOpenWithoutSessionBus$", "-test.v", "-test.count=1")
		cmd.Env = withEnv(os.Environ(), []string{envNoBus + "=1",
			"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(t.TempDir(), "no-bus-here")})
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestOpenWithoutSessionBus") {
			t.Fatalf("run without a session bus: %v\n%s", err, out)
		}
		return
	}

	if slices.Contains(keyring.AvailableBackends(), keyring.SecretServiceBackend) {
		t.Fatal("99designs/keyring registered the Secret Service without a session bus")
	}
	svc := testServiceName()
	dropKeyctlRing(t, svc)
	for _, b := range []Backend{BackendSecretService, BackendKWallet} {
		_, err := Open(Config{Backend: b, ServiceName: svc})
		if !errors.Is(err, ErrNoKeychain) || !strings.Contains(err.Error(), "no D-Bus session bus") {
			t.Errorf("Open %s without a session bus: %v", b, err)
		}
	}
	if _, err := Open(Config{ServiceName: svc}); !errors.Is(err, ErrNoKeychain) {
		t.Fatalf("auto without a session bus: %v, want ErrNoKeychain", err)
	}
}
