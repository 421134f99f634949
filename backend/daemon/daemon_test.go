package daemon

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/audio/audiotest"
	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/logging"
	"github.com/tonnytray/tonnytray/backend/pipeline"
	"github.com/tonnytray/tonnytray/backend/secret"
	"github.com/tonnytray/tonnytray/backend/settings"
	"github.com/tonnytray/tonnytray/backend/store"
	"github.com/tonnytray/tonnytray/backend/supervisor"
	"github.com/tonnytray/tonnytray/backend/whisper"
)

// syncBuffer is a console the test can read while the daemon writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type harness struct {
	dir, db, logFile, socket string
	console                  *syncBuffer
	elevenLabs               string // the ElevenLabs simulator's URL, when a test uses one
}

// newHarness puts every file of the daemon in a temp dir and pre-selects the encrypted-file keychain, so the
// test does not depend on which keychain the machine has (the secret package tests the real ones).
func newHarness(t testing.TB) *harness {
	t.Helper()
	dir := t.TempDir()
	for _, v := range []string{"XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"} {
		t.Setenv(v, filepath.Join(dir, strings.ToLower(v)))
	}
	// The socket gets a short directory of its own: t.TempDir() under CI's temp dir can exceed the 107 bytes a
	// Unix socket path may have.
	sockDir, err := os.MkdirTemp("/tmp", "tt-sock")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	h := &harness{dir: dir, db: filepath.Join(dir, "data", "tonnytray.db"), logFile: filepath.Join(dir, "state", "tonnytray.log"),
		socket: filepath.Join(sockDir, "control.sock"), console: &syncBuffer{}}

	h.configure(t, func(s *settings.Settings) {
		s.General.KeyringBackend = string(secret.BackendFile)
		// Never start a real speech server a developer may have on PATH; TestSpeechServer… sets the simulator.
		s.Whisper.Command = filepath.Join(dir, "no-speech-server-here")
	})
	return h
}

// configure changes the stored settings before a daemon starts, as a user would in Settings.
func (h *harness) configure(t testing.TB, change func(*settings.Settings)) {
	t.Helper()
	st, err := store.Open(context.Background(), h.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := settings.NewService(st.DB(), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := svc.Get()
	change(&s)
	if _, err := svc.Update(s); err != nil {
		t.Fatal(err)
	}
}

// start runs a daemon until the test ends (or stop is called) and returns it with its stop function.
func (h *harness) start(t testing.TB) (*Daemon, func()) {
	t.Helper()
	return h.startWith(t, func(string) (string, error) { return "file-keyring-password", nil })
}

func (h *harness) startWith(t testing.TB, password func(string) (string, error)) (*Daemon, func()) {
	t.Helper()
	inst, err := control.AcquireInstance(filepath.Join(h.dir, "run", "instance.lock"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d, err := New(ctx, Options{
		Version: "test", DBPath: h.db, LogFile: h.logFile, Socket: h.socket, Console: h.console, Instance: inst,
		FilePassword: password, ElevenLabsURL: h.elevenLabs,
	})
	if err != nil {
		cancel()
		inst.Release()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Error("daemon did not stop within 20 s")
			}
		})
	}
	t.Cleanup(stop)
	return d, stop
}

// waitLog waits (bounded) until the log table has a record whose message contains text.
func waitLog(t *testing.T, d *Daemon, text string) logging.Page {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		p, err := d.QueryLogs(context.Background(), logging.Filter{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Entries) > 0 {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log record containing %q within 15 s", text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSecretsNeverLeaveTheKeychain(t *testing.T) {
	h := newHarness(t)
	d, stop := h.start(t)
	ctx := context.Background()

	values := map[string]string{}
	for _, k := range secret.Keys() {
		v := "sekr3t-" + strings.ReplaceAll(string(k.Key), ".", "-") + "-Zq81"
		values[string(k.Key)] = v
		if err := d.SetSecret(string(k.Key), v); err != nil {
			t.Fatalf("SetSecret %s: %v", k.Key, err)
		}
	}
	// Seed-shaped import carrying keys of its own: they must go to the keychain only.
	seed := `{"n8n_webhook_url": "http://localhost:5678/webhook/tonny", "n8n_api_key": "seed-n8n-key-Yx72",
	  "elevenlabs_api_key": "seed-eleven-key-Pq19", "rabbitmq_url": "amqp://tonny:seed-rabbit-pw-Lm44@localhost/",
	  "log_level": "INFO"}`
	res, err := d.ImportSettings([]byte(seed))
	if err != nil {
		t.Fatalf("import seed config: %v", err)
	}
	if len(res.SecretsImported) != 3 {
		t.Fatalf("secrets imported = %v, want the 3 keys of the seed file", res.SecretsImported)
	}
	values["seed-n8n"], values["seed-eleven"], values["seed-rabbit"] = "seed-n8n-key-Yx72", "seed-eleven-key-Pq19", "seed-rabbit-pw-Lm44"

	// Careless code logging a secret every way it could: message, attribute, URL.
	log := d.Logger("test")
	for _, v := range values {
		log.Info("calling with "+v, "api_key", v, "header", "Bearer "+v, "url", "amqp://user:"+v+"@host/")
	}
	// A settings value with a password in it is refused, and the refusal is logged.
	bad := d.Settings()
	bad.RabbitMQ.URL = "amqp://tonny:" + values[string(secret.RabbitMQPassword)] + "@localhost:5672/"
	if _, err := d.SaveSettings(bad); err == nil {
		t.Fatal("a RabbitMQ URL with a password was accepted")
	}
	waitLog(t, d, "settings rejected")
	waitLog(t, d, "calling with") // the leak attempts have reached the table

	exported, err := d.ExportSettings()
	if err != nil {
		t.Fatal(err)
	}
	logsJSON, err := d.ExportLogs(ctx, logging.Filter{}, "json")
	if err != nil {
		t.Fatal(err)
	}
	logsCSV, err := d.ExportLogs(ctx, logging.Filter{}, "csv")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := d.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snap.Secrets {
		if !s.Configured {
			t.Errorf("snapshot says %s is not configured", s.Key)
		}
	}
	stop() // flush logs, checkpoint and close the database before reading the files

	places := map[string][]byte{
		"exported settings": []byte(exported), "exported logs (json)": []byte(logsJSON),
		"exported logs (csv)": []byte(logsCSV), "console": []byte(h.console.String()),
	}
	for _, f := range []string{h.db, h.db + "-wal", h.logFile} {
		b, err := os.ReadFile(f)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		places[f] = b
	}
	if !bytes.Contains(places[h.logFile], []byte("calling with")) || !strings.Contains(logsJSON, "calling with") {
		t.Fatal("the leak attempts were not logged at all; the test would prove nothing")
	}
	for where, b := range places {
		for name, v := range values {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("secret %s appears in %s", name, where)
			}
		}
	}
}

func TestStatusOverControlSocketAndSingleInstance(t *testing.T) {
	h := newHarness(t)
	h.start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var st Status
	if err := control.Call(ctx, h.socket, "status", nil, &st); err != nil {
		t.Fatal(err)
	}
	if st.Version != "test" || st.PID != os.Getpid() || st.Database != h.db || !st.Keychain.OK {
		t.Fatalf("status = %+v", st)
	}
	found := map[string]string{}
	for _, s := range st.Services {
		found[s.Service] = s.State
	}
	if found["database"] != "ok" || found["whisper-server"] == "" || found["whisper-server"] == "unavailable" {
		t.Fatalf("services = %v", found)
	}
	if _, err := control.AcquireInstance(filepath.Join(h.dir, "run", "instance.lock")); !errors.Is(err, control.ErrAlreadyRunning) {
		t.Fatalf("second instance: %v, want ErrAlreadyRunning", err)
	}
}

func TestSettingsSurviveRestartAndValidationNamesField(t *testing.T) {
	h := newHarness(t)
	d, stop := h.start(t)
	s := d.Settings()
	s.Whisper.Port = 70000
	_, err := d.SaveSettings(s)
	var ve settings.ValidationErrors
	if !errors.As(err, &ve) || len(ve) != 1 || ve[0].Field != "whisper.port" {
		t.Fatalf("save with port 70000: %v, want one error on whisper.port", err)
	}
	if errs := d.ValidateSettings(s); len(errs) != 1 || errs[0].Field != "whisper.port" {
		t.Fatalf("ValidateSettings = %v", errs)
	}
	s.Whisper.Port = 8765
	res, err := d.SaveSettings(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.RestartNeeded) == 0 {
		t.Error("changing the speech server port reported no restart needed")
	}
	waitLog(t, d, "settings saved")
	stop()

	d2, _ := h.start(t)
	if got := d2.Settings().Whisper.Port; got != 8765 {
		t.Fatalf("port after restart = %d, want 8765", got)
	}
}

func TestBackupAndClearMyData(t *testing.T) {
	h := newHarness(t)
	d, _ := h.start(t)
	ctx := context.Background()
	d.Logger("test").Info("private words about dinner")
	waitLog(t, d, "private words")
	path, err := d.BackupDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.ClearMyData(ctx); err != nil {
		t.Fatal(err)
	}
	if p, err := d.QueryLogs(ctx, logging.Filter{Text: "private words"}); err != nil || len(p.Entries) != 0 {
		t.Fatalf("after ClearMyData: %d records, err %v", len(p.Entries), err)
	}
	b, err := store.Open(ctx, path)
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer b.Close()
	var n int64
	if err := b.DB().Model(&store.LogEntry{}).Where("message LIKE ?", "%private words%").Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("backup has %d matching records (err %v), want 1", n, err)
	}
}

func TestFileKeychainStartsLockedAndUnlocks(t *testing.T) {
	h := newHarness(t)
	d, _ := h.startWith(t, nil)
	ctx := context.Background()
	snap, err := d.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Keychain.OK || !snap.Keychain.Locked || snap.Keychain.Backend != "file" {
		t.Fatalf("keychain before unlock = %+v, want the file backend, locked", snap.Keychain)
	}
	if err := d.SetSecret(string(secret.ElevenLabsAPIKey), "xi-key-Ab12"); !errors.Is(err, ErrKeychain) {
		t.Fatalf("SetSecret while locked: %v, want ErrKeychain", err)
	}
	if err := d.UnlockFileKeychain(""); err == nil {
		t.Fatal("an empty password unlocked the keychain")
	}
	if err := d.UnlockFileKeychain("family-password"); err != nil {
		t.Fatal(err)
	}
	if err := d.SetSecret(string(secret.ElevenLabsAPIKey), "xi-key-Ab12"); err != nil {
		t.Fatalf("SetSecret after unlock: %v", err)
	}
	if snap, _ = d.Snapshot(ctx); !snap.Keychain.OK {
		t.Fatalf("keychain after unlock = %+v", snap.Keychain)
	}
}

// simulator builds the WhisperLiveKit simulator and picks a free port for it.
func simulator(t *testing.T) (path string, port int) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "wlksim")
	if out, err := exec.Command("go", "build", "-o", path, "github.com/tonnytray/tonnytray/cmd/wlksim").CombinedOutput(); err != nil {
		t.Fatalf("build the simulator: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return path, l.Addr().(*net.TCPAddr).Port
}

func TestSpeechServerIsSupervisedLoggedAndControlled(t *testing.T) {
	sim, port := simulator(t)
	h := newHarness(t)
	h.configure(t, func(s *settings.Settings) { s.Whisper.Command, s.Whisper.Port = sim, port })
	d, _ := h.start(t)
	events := d.Bus().Subscribe(256, event.ServerState)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var st event.ServerStatePayload
	for st.State != "running" {
		if err := control.Call(ctx, h.socket, "server", map[string]string{"action": "status"}, &st); err != nil {
			t.Fatal(err)
		}
		if ctx.Err() != nil {
			t.Fatalf("speech server not running within 30 s: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st.PID <= 0 || st.Model == "" || !strings.Contains(st.Address, strconv.Itoa(port)) {
		t.Fatalf("status = %+v", st)
	}
	p := waitLog(t, d, "Uvicorn running") // the simulator's stderr, like uvicorn's
	if p.Entries[0].Component != "whisper-server" {
		t.Fatalf("server output logged under %q, want whisper-server", p.Entries[0].Component)
	}
	if err := control.Call(ctx, h.socket, "server", map[string]string{"action": "stop"}, &st); err != nil {
		t.Fatal(err)
	}
	sawRunning, sawStopped := false, false
	for !sawStopped {
		select {
		case ev := <-events.C:
			s := ev.Payload.(event.ServerStatePayload)
			sawRunning = sawRunning || s.State == "running"
			sawStopped = sawStopped || s.State == "stopped" && sawRunning
		case <-ctx.Done():
			t.Fatalf("no server:state running → stopped events within 30 s")
		}
	}
	var n int64
	if err := d.store.DB().Model(&store.ServiceEvent{}).Where("service = ? AND state = ?", "whisper-server", "running").Count(&n).Error; err != nil || n == 0 {
		t.Fatalf("service_events has %d running rows (err %v)", n, err)
	}
	if err := control.Call(ctx, h.socket, "server", map[string]string{"action": "reboot"}, nil); err == nil {
		t.Fatal("an unknown action was accepted")
	}
}

// TestListeningThroughTheMicrophone is the whole path in the running backend: espeak-ng speech played into the
// virtual microphone, PortAudio capture, the pipeline, the supervised speech server (the simulator), the final
// text, and the utterance with its timings in the history.
func TestListeningThroughTheMicrophone(t *testing.T) {
	sim, port := simulator(t)
	h := newHarness(t)
	h.configure(t, func(s *settings.Settings) {
		s.Whisper.Command, s.Whisper.Port = sim, port
		s.Audio.KeepWarm = true // the first word must not wait for a new stream to start
	})
	d, _ := h.start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := d.speech.Wait(ctx, func(st whisper.ServerState) bool { return st.State == supervisor.Running }); err != nil {
		t.Fatalf("speech server: %v", err)
	}
	finals := d.Bus().Subscribe(4, event.TranscriptFinal)
	levels := d.Bus().Subscribe(64, event.AudioLevel)
	speech := audiotest.Speak(t, "turn on the kitchen lights please", 0.2)
	if err := d.StartListening("toggle", pipeline.RouteNone); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("paplay", "--device=micfeed", speech.WAV).CombinedOutput(); err != nil {
		t.Fatalf("paplay: %v %s", err, out)
	}
	if err := d.StopListening(); err != nil {
		t.Fatal(err)
	}
	var final event.TranscriptFinalPayload
	select {
	case ev := <-finals.C:
		final = ev.Payload.(event.TranscriptFinalPayload)
	case <-ctx.Done():
		t.Fatal("no final text within 60 s")
	}
	if final.Error != "" || final.Text == "" {
		t.Fatalf("final = %+v, want text heard from the microphone", final)
	}
	if final.Timings.FirstSampleMs < 0 || final.Timings.FinalMs <= 0 {
		t.Fatalf("timings = %+v", final.Timings)
	}
	loudest, n := -200.0, 0
	for drained := false; !drained; {
		select {
		case ev := <-levels.C:
			loudest, n = max(loudest, ev.Payload.(event.AudioLevelPayload).Peak), n+1
		default:
			drained = true
		}
	}
	if n == 0 || loudest < -40 {
		t.Fatalf("%d audio:level events, loudest peak %.1f dBFS: the speech did not show on the meter", n, loudest)
	}
	var row store.Transcription
	deadline := time.Now().Add(10 * time.Second)
	for d.store.DB().Order("id desc").First(&row).Error != nil {
		if time.Now().After(deadline) {
			t.Fatal("the utterance was not stored in the history")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if row.Text != final.Text || row.Mode != "toggle" || row.KeyDownAt == nil || row.FinalAt == nil {
		t.Fatalf("history row = %+v", row)
	}
}
