package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tonnytray/tonnytray/backend/daemon"
	"github.com/tonnytray/tonnytray/backend/profile"
	"github.com/tonnytray/tonnytray/backend/secret"
	"github.com/tonnytray/tonnytray/backend/settings"
	"github.com/tonnytray/tonnytray/backend/store"
)

// adminOnly calls each bound method that changes settings, secrets, profiles or stored data. Every one must
// refuse a non-admin; TestEveryBoundMethodIsClassified keeps this list and openToAll complete.
var adminOnly = map[string]func(a *App) error{
	"SaveSettings": func(a *App) error {
		s := a.d.Settings()
		s.General.RetentionDays = 1
		_, err := a.SaveSettings(s)
		return err
	},
	"SetSecret":      func(a *App) error { return a.SetSecret(string(secret.N8NAuth), "x") },
	"DeleteSecret":   func(a *App) error { return a.DeleteSecret(string(secret.N8NAuth)) },
	"ImportSettings": func(a *App) error { _, err := a.ImportSettings(`{"general":{"retention_days":1}}`); return err },
	"BackupDatabase": func(a *App) error { _, err := a.BackupDatabase(); return err },
	"ClearMyData":    func(a *App) error { return a.ClearMyData() },
	"DiscardOutbox":  func(a *App) error { return a.DiscardOutbox(1) },
	"CreateProfile": func(a *App) error {
		_, err := a.CreateProfile(profile.Profile{Name: "Intruder", Role: profile.RoleAdmin})
		return err
	},
	"UpdateProfile": func(a *App) error {
		p := a.d.ActiveProfile()
		p.Role = profile.RoleAdmin
		_, err := a.UpdateProfile(p)
		return err
	},
	"DeleteProfile": func(a *App) error { return a.DeleteProfile("Dad") },
	"SetAdminPIN":   func(a *App) error { return a.SetAdminPIN("Admin", "", "9999") },
	"CheckAccess":   func(a *App) error { return a.CheckAccess("settings") },
}

// openToAll are the other bound methods, with why any profile may call them.
var openToAll = map[string]string{
	"GetSnapshot": "reads state; secrets are never in it", "ValidateSettings": "changes nothing",
	"ControlSpeechServer": "starts or stops a local service, changes no setting", "AudioDevices": "reads",
	"TestMicrophone": "reads the microphone", "ToggleListening": "what follows goes through the route policy",
	"SendCommand": "checked by the command policy (TestTypedCommandsObeyTheChildPolicy)", "TestN8N": "sends a fixed probe",
	"Outbox": "reads", "RetryOutbox": "retries what was already allowed", "TypingStatus": "reads",
	"TestTyping": "checked by the dictation policy", "Voices": "reads", "PreviewVoice": "speaks a sample",
	"StopSpeaking": "stops the voice", "Pause": "pausing listening is for everyone",
	"HotkeyStatus": "reads", "UnlockFileKeychain": "the keychain password is its own permission",
	"QueryLogs": "reads", "LogComponents": "reads", "ExportLogs": "reads", "ExportSettings": "no secrets in it",
	"RunDoctor": "reads", "SaveTextFile": "writes what the user chose to export", "UIReady": "a start-up mark",
	"Family": "reads", "SwitchProfile": "switching up needs the admin PIN (profile tests)",
	"RunQuickAction": "checked by the command policy",
}

func TestEveryBoundMethodIsClassified(t *testing.T) {
	typ := reflect.TypeOf(&App{})
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		_, admin := adminOnly[name]
		_, open := openToAll[name]
		if admin == open {
			t.Errorf("bound method %s: put it in adminOnly (with a call) or openToAll (with a reason)", name)
		}
	}
	for name := range adminOnly {
		if _, ok := typ.MethodByName(name); !ok {
			t.Errorf("adminOnly lists %s, which App does not have", name)
		}
	}
}

// newTestApp is the facade over a real backend (store, keychain file, profiles) without the Wails runtime.
func newTestApp(t *testing.T) *App {
	t.Helper()
	dir := t.TempDir()
	for _, v := range []string{"XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"} {
		t.Setenv(v, filepath.Join(dir, strings.ToLower(v)))
	}
	sockDir, err := os.MkdirTemp("/tmp", "tt-app")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	db := filepath.Join(dir, "tonnytray.db")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := settings.NewService(st.DB(), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := svc.Get()
	s.General.KeyringBackend = string(secret.BackendFile)
	if _, err := svc.Update(s); err != nil {
		t.Fatal(err)
	}
	st.Close()
	d, err := daemon.New(context.Background(), daemon.Options{Version: "test", DBPath: db, LogFile: filepath.Join(dir, "log"),
		Socket: filepath.Join(sockDir, "control.sock"), FilePassword: func(string) (string, error) { return "file-keyring-password", nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	ready := make(chan struct{})
	close(ready)
	return &App{ctx: context.Background(), ready: ready, d: d}
}

// TestEveryMutatingMethodRefusesANonAdmin: as a child, a guest or a user, every adminOnly method is refused
// with the friendly sentence, and nothing changed; as the admin the same calls get past the permission check.
func TestEveryMutatingMethodRefusesANonAdmin(t *testing.T) {
	a := newTestApp(t)
	if err := a.SetAdminPIN("Admin", "", "4321"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []profile.Profile{{Name: "Mia", Role: profile.RoleChild}, {Name: "Dad", Role: profile.RoleUser}} {
		if _, err := a.CreateProfile(p); err != nil {
			t.Fatal(err)
		}
	}
	before, err := a.Family()
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"Dad", "Guest", "Mia"} {
		if err := a.d.SwitchProfile(context.Background(), who, ""); err != nil {
			t.Fatal(err)
		}
		for name, call := range adminOnly {
			err := call(a)
			if !errors.Is(err, profile.ErrForbidden) || !strings.Contains(err.Error(), "admin") {
				t.Errorf("%s as %s: %v, want the admin-only refusal", name, who, err)
			}
		}
	}
	after, err := a.Family()
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Members) != len(before.Members) || a.d.Settings().General.RetentionDays == 1 {
		t.Fatalf("a refused call changed something: %d → %d profiles, retention %d", len(before.Members), len(after.Members), a.d.Settings().General.RetentionDays)
	}
	if _, err := a.SwitchProfile("Admin", "4321"); err != nil {
		t.Fatal(err)
	}
	for name, call := range adminOnly {
		if err := call(a); errors.Is(err, profile.ErrForbidden) {
			t.Errorf("%s as the admin: refused: %v", name, err)
		}
	}
}
