package settings

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/store"
)

// openDB opens (or reopens) a real SQLite file with the settings table. store.Open is not used so this
// package's tests do not depend on the migrations being written in parallel.
func openDB(t *testing.T, path string) *gorm.DB {
	t.Helper()
	db, err := gorm.Open(sqlite.Open(path+"?_busy_timeout=5000&_journal_mode=WAL"), &gorm.Config{
		Logger: logger.Discard,
	})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	if err := db.AutoMigrate(&store.Setting{}); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	t.Cleanup(func() { closeDB(t, db) })
	return db
}

func closeDB(t *testing.T, db *gorm.DB) {
	t.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	_ = sqlDB.Close() // closing twice (explicitly, then in Cleanup) is harmless
}

func rowCount(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&store.Setting{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestServiceStartsWithDefaults(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "tonny.db"))
	svc, err := NewService(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(svc.Get(), Defaults()) {
		t.Error("a fresh store does not give the defaults")
	}
	if rowCount(t, db) != 0 {
		t.Error("loading wrote to the store")
	}
	if len(svc.LoadWarnings()) != 0 {
		t.Errorf("warnings: %v", svc.LoadWarnings())
	}
	if _, err := NewService(nil, nil); err == nil {
		t.Error("NewService(nil) succeeded")
	}
}

func TestServiceUpdatePersistsAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tonny.db")
	db := openDB(t, path)
	var got []Change
	svc, err := NewService(db, func(c Change) { got = append(got, c) })
	if err != nil {
		t.Fatal(err)
	}
	next := customized()
	ch, err := svc.Update(next)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0], ch) {
		t.Fatalf("onChange got %+v, Update returned %+v", got, ch)
	}
	wantRestart := []string{PartWhisperServer, PartBus, PartHotkeys}
	if !reflect.DeepEqual(ch.RestartNeeded, wantRestart) {
		t.Errorf("RestartNeeded = %v, want %v", ch.RestartNeeded, wantRestart)
	}
	// A second identical update is neither stored nor reported.
	if ch, err := svc.Update(next); err != nil || len(ch.Changed) != 0 || len(got) != 1 {
		t.Errorf("no-op update: %+v, %v, %d reports", ch, err, len(got))
	}
	closeDB(t, db)

	db2 := openDB(t, path)
	if rowCount(t, db2) != 1 {
		t.Fatalf("rows = %d, want 1", rowCount(t, db2))
	}
	svc2, err := NewService(db2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(svc2.Get(), next) {
		t.Errorf("after reopen differs in %v", Diff(next, svc2.Get()).Changed)
	}
	// Update again after reopen: the row is replaced, not duplicated.
	next.Audio.Mode = AudioContinuous
	if _, err := svc2.Update(next); err != nil {
		t.Fatal(err)
	}
	var row store.Setting
	if err := db2.First(&row, "key = ?", "settings").Error; err != nil {
		t.Fatal(err)
	}
	if rowCount(t, db2) != 1 || !strings.Contains(row.Value, `"mode":"continuous"`) || row.UpdatedAt.IsZero() {
		t.Errorf("row after second update: %+v", row)
	}
	if strings.Contains(row.Value, "password") || !strings.Contains(row.Value, `"version":1`) {
		t.Errorf("stored document: %s", row.Value)
	}
}

func TestServiceRejectsInvalidAndStoresNothing(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "tonny.db"))
	called := false
	svc, err := NewService(db, func(Change) { called = true })
	if err != nil {
		t.Fatal(err)
	}
	bad := Defaults()
	bad.Whisper.Port = 0
	bad.Hotkeys.Pause = bad.Hotkeys.Toggle
	_, err = svc.Update(bad)
	verrs, ok := err.(ValidationErrors) // returned as is, not wrapped
	if !ok || len(verrs) != 2 {
		t.Fatalf("Update(bad) = %#v, want 2 ValidationErrors", err)
	}
	if called || rowCount(t, db) != 0 || !reflect.DeepEqual(svc.Get(), Defaults()) {
		t.Error("an invalid update changed something")
	}
}

func TestServiceGetReturnsACopy(t *testing.T) {
	svc, err := NewService(openDB(t, filepath.Join(t.TempDir(), "tonny.db")), nil)
	if err != nil {
		t.Fatal(err)
	}
	next := Defaults()
	next.Whisper.ExtraArgs = []string{"--no-vac"}
	if _, err := svc.Update(next); err != nil {
		t.Fatal(err)
	}
	next.Whisper.ExtraArgs[0] = "--changed-by-caller"
	got := svc.Get()
	got.Whisper.ExtraArgs[0] = "--changed-by-reader"
	if a := svc.Get().Whisper.ExtraArgs[0]; a != "--no-vac" {
		t.Errorf("service state changed through a copy: %q", a)
	}
}

func TestServiceMergesStoredDocumentWithDefaults(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "tonny.db"))
	// An older app stored fewer fields; a newer one might have stored fields we do not know.
	old := `{"version":1,"audio":{"mode":"continuous"},"whisper":{"model":"small"},"future":{"x":1}}`
	if err := db.Create(&store.Setting{Key: "settings", Value: old}).Error; err != nil {
		t.Fatal(err)
	}
	svc, err := NewService(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Defaults()
	want.Audio.Mode = AudioContinuous
	want.Whisper.Model = "small"
	if !reflect.DeepEqual(svc.Get(), want) {
		t.Errorf("differs in %v", Diff(want, svc.Get()).Changed)
	}
	if len(svc.LoadWarnings()) != 0 {
		t.Errorf("warnings: %v", svc.LoadWarnings())
	}
}

func TestServiceRepairsStoredSettings(t *testing.T) {
	cases := []struct {
		name, stored string
		check        func(Settings) bool
		warn         string
	}{
		{"invalid values reset", `{"version":1,"audio":{"mode":"hold","silence_ms":1200},"hotkeys":{"pause":"Ctrl+Shift+V"}}`,
			func(s Settings) bool {
				return s.Audio.Mode == AudioToggle && s.Audio.SilenceMs == 1200 && s.Hotkeys.Pause == "Ctrl+Shift+P"
			}, "audio.mode"},
		{"wrong type", `{"version":1,"audio":{"vad_aggressiveness":"x","silence_ms":1500}}`,
			func(s Settings) bool { return s.Audio.VADAggressiveness == 2 && s.Audio.SilenceMs == 1500 },
			"audio.vad_aggressiveness had the wrong type"},
		{"default in conflict", `{"version":1,"hotkeys":{"toggle":"Ctrl+Shift+P","pause":"Ctrl+Shift"}}`,
			func(s Settings) bool { return s.Hotkeys.Toggle == "Ctrl+Shift+P" && s.Hotkeys.Pause == "" },
			"hotkeys.pause"},
		{"garbage", `{not json`, func(s Settings) bool { return reflect.DeepEqual(s, Defaults()) }, "could not be read"},
		{"newer version", `{"version":7}`, func(s Settings) bool { return reflect.DeepEqual(s, Defaults()) }, "version 7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, filepath.Join(t.TempDir(), "tonny.db"))
			if err := db.Create(&store.Setting{Key: "settings", Value: tc.stored}).Error; err != nil {
				t.Fatal(err)
			}
			svc, err := NewService(db, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := svc.Get()
			if err := got.Validate(); err != nil {
				t.Fatalf("repaired settings do not validate: %v", err)
			}
			if !tc.check(got) {
				t.Errorf("repaired settings wrong: %+v %+v", got.Audio, got.Hotkeys)
			}
			if w := strings.Join(svc.LoadWarnings(), "\n"); !strings.Contains(w, tc.warn) {
				t.Errorf("warnings %q lack %q", w, tc.warn)
			}
		})
	}
}

func TestServiceConcurrentUse(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "tonny.db"))
	var mu sync.Mutex
	reports := 0
	svc, err := NewService(db, func(Change) { mu.Lock(); reports++; mu.Unlock() })
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 10 {
				s := svc.Get()
				s.Audio.SilenceMs = 100 + i*100 + j
				if _, err := svc.Update(s); err != nil {
					t.Error(err)
					return
				}
				_ = svc.Get().Validate()
			}
		})
	}
	wg.Wait()
	if reports == 0 || reports > 80 {
		t.Errorf("reports = %d", reports)
	}
	var row store.Setting
	if err := db.First(&row, "key = ?", "settings").Error; err != nil {
		t.Fatal(err)
	}
	var stored Settings
	if err := json.Unmarshal([]byte(row.Value), &stored); err != nil {
		t.Fatal(err)
	}
	if stored.Audio.SilenceMs != svc.Get().Audio.SilenceMs {
		t.Errorf("store has %d, memory %d", stored.Audio.SilenceMs, svc.Get().Audio.SilenceMs)
	}
}

func TestDiffRestartNeeded(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(*Settings)
		changed []string
		restart []string
	}{
		{"nothing", func(*Settings) {}, []string{}, []string{}},
		{"model", func(s *Settings) { s.Whisper.Model = "small" }, []string{"whisper.model"}, []string{PartWhisperServer}},
		{"language", func(s *Settings) { s.Whisper.Language = "de" }, []string{"whisper.language"}, []string{PartWhisperServer}},
		{"port and host", func(s *Settings) { s.Whisper.Port = 8001; s.Whisper.Host = "localhost" },
			[]string{"whisper.host", "whisper.port"}, []string{PartWhisperServer}},
		{"extra args", func(s *Settings) { s.Whisper.ExtraArgs = []string{"--no-vac"} }, []string{"whisper.extra_args"}, []string{PartWhisperServer}},
		{"extra args nil vs empty", func(s *Settings) { s.Whisper.ExtraArgs = nil }, []string{}, []string{}},
		{"startup timeout applies next start", func(s *Settings) { s.Whisper.StartupTimeoutS = 300 }, []string{"whisper.startup_timeout_s"}, []string{}},
		{"input device", func(s *Settings) { s.Audio.InputDevice = "USB Mic" }, []string{"audio.input_device"}, []string{PartAudio}},
		{"audio mode is live", func(s *Settings) { s.Audio.Mode = AudioContinuous }, []string{"audio.mode"}, []string{}},
		{"hotkey", func(s *Settings) { s.Hotkeys.Toggle = "Ctrl+Alt+V" }, []string{"hotkeys.toggle"}, []string{PartHotkeys}},
		{"double tap is live", func(s *Settings) { s.Hotkeys.DoubleTapLock = true }, []string{"hotkeys.double_tap_lock"}, []string{}},
		{"bus", func(s *Settings) { s.RabbitMQ.Enabled = true }, []string{"rabbitmq.enabled"}, []string{PartBus}},
		{"keyring", func(s *Settings) { s.General.KeyringBackend = "file" }, []string{"general.keyring_backend"}, []string{PartKeyring}},
		{"n8n is live", func(s *Settings) { s.N8N.WebhookURL = "https://x.example.com/w" }, []string{"n8n.webhook_url"}, []string{}},
		{"log level is live", func(s *Settings) { s.General.LogLevel = "debug" }, []string{"general.log_level"}, []string{}},
		{"several", func(s *Settings) {
			s.General.RetentionDays = 7
			s.Hotkeys.Pause = "Ctrl+Alt+P"
			s.Response.Volume = 0.5
			s.Whisper.Port = 9000
			s.Audio.OutputDevice = "HDMI"
		}, []string{"whisper.port", "audio.output_device", "response.volume", "hotkeys.pause", "general.retention_days"},
			[]string{PartWhisperServer, PartAudio, PartHotkeys}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			next := Defaults()
			tc.edit(&next)
			ch := Diff(Defaults(), next)
			if !reflect.DeepEqual(ch.Changed, tc.changed) || !reflect.DeepEqual(ch.RestartNeeded, tc.restart) {
				t.Errorf("Diff = %+v, want changed %v restart %v", ch, tc.changed, tc.restart)
			}
		})
	}
}

// Change is forwarded to the UI as the settings:changed event: the json shapes must match.
func TestChangeMatchesEventPayload(t *testing.T) {
	ch := Change{Changed: []string{"whisper.model"}, RestartNeeded: []string{PartWhisperServer}}
	a, _ := json.Marshal(ch)
	b, _ := json.Marshal(event.SettingsChangedPayload{Changed: ch.Changed, RestartNeeded: ch.RestartNeeded})
	if string(a) != string(b) {
		t.Errorf("Change %s != payload %s", a, b)
	}
}

func TestServiceSurfacesStoreErrors(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "tonny.db"))
	svc, err := NewService(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	closeDB(t, db)
	next := Defaults()
	next.Audio.Mode = AudioContinuous
	_, err = svc.Update(next)
	if err == nil || !strings.HasPrefix(err.Error(), "save settings: ") {
		t.Fatalf("Update on a closed db = %v", err)
	}
	var verrs ValidationErrors
	if errors.As(err, &verrs) {
		t.Error("a storage failure looks like a validation error")
	}
	if svc.Get().Audio.Mode != AudioToggle {
		t.Error("memory changed although saving failed")
	}
	if _, err := NewService(db, nil); err == nil || !strings.HasPrefix(err.Error(), "load settings: ") {
		t.Errorf("NewService on a closed db = %v", err)
	}
}
