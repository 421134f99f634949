// Package daemon is the running TonnyTray backend: it opens the store, settings, keychain and logging, owns
// every long-running service under one supervisor, and offers the operations the window (through app.go),
// headless mode and the control socket share. It never imports the Wails runtime.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/thejerf/suture/v4"

	"github.com/tonnytray/tonnytray/backend/autostart"
	"github.com/tonnytray/tonnytray/backend/bus"
	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/logging"
	"github.com/tonnytray/tonnytray/backend/paths"
	"github.com/tonnytray/tonnytray/backend/pipeline"
	"github.com/tonnytray/tonnytray/backend/profile"
	"github.com/tonnytray/tonnytray/backend/secret"
	"github.com/tonnytray/tonnytray/backend/settings"
	"github.com/tonnytray/tonnytray/backend/store"
	"github.com/tonnytray/tonnytray/backend/whisper"
)

// Options configure a Daemon.
type Options struct {
	Version  string
	DBPath   string            // the SQLite file; "" = paths.DatabaseFile()
	LogLevel string            // overrides the settings' level when set (from --log-level)
	Console  io.Writer         // console log output; nil = none
	LogFile  string            // "" = paths.LogFile()
	Instance *control.Instance // the single-instance lock, held by the caller; released by Run on exit
	Socket   string            // control socket path; "" = paths.ControlSocket()
	// FilePassword unlocks the encrypted-file keyring when the user chose it; nil = the file backend is locked.
	FilePassword func(prompt string) (string, error)
	// ElevenLabsURL replaces ElevenLabs' API address (tests and benchmarks use the simulator); "" = the real one.
	ElevenLabsURL string
}

// Daemon is the TonnyTray backend. Create it with New, then call Run.
type Daemon struct {
	opts     Options
	started  time.Time
	bus      *event.Bus
	store    *store.Store
	settings *settings.Service
	level    *slog.LevelVar
	redactor *logging.Redactor
	logging  *logging.Logging
	log      *slog.Logger
	control  *control.Server
	speech   *whisper.Server
	mic      *mic
	pipe     *pipeline.Pipeline
	liveMu   sync.Mutex
	live     event.TranscriptUpdatePayload // the utterance in progress, for `tonnytray listen`
	tonny    *tonny                        // commands to Tonny (n8n) through the outbox
	typist   typist
	policy   pipeline.Policy // the active profile's say on each route
	voice    *voice          // Tonny's voice: synthesis, cache and the player
	profiles *profile.Service
	pub      *bus.Publisher // events to RabbitMQ
	// busChanged restarts the announcements consumer after the broker settings or password changed.
	busChanged chan struct{}
	state      appState // paused, listening, speaking… for the tray and `status`
	keys       hotkeys  // the global shortcuts
	// pauseChanged wakes voice activation when the user pauses or resumes.
	pauseChanged chan struct{}
	secretsMu    sync.RWMutex
	secrets      *secret.Store // nil when no keychain could be opened; secretErr says why
	secretErr    error
	closeOnce    sync.Once
}

// New opens everything the backend needs. A failure here is fatal for the app and its message is meant for
// the user (a corrupt database names its file and how to recover).
func New(ctx context.Context, o Options) (*Daemon, error) {
	if o.DBPath == "" {
		o.DBPath = paths.DatabaseFile()
	}
	if o.LogFile == "" {
		o.LogFile = paths.LogFile()
	}
	if o.Socket == "" {
		o.Socket = paths.ControlSocket()
	}
	d := &Daemon{opts: o, started: time.Now(), bus: event.NewBus(), level: new(slog.LevelVar), redactor: logging.NewRedactor(),
		pauseChanged: make(chan struct{}, 1), keys: hotkeys{rebind: make(chan struct{}, 1)},
		busChanged: make(chan struct{}, 1)}

	st, err := store.Open(ctx, o.DBPath)
	if err != nil {
		return nil, err
	}
	d.store = st

	d.settings, err = settings.NewService(st.DB(), d.onSettingsChanged)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("load settings: %w", err)
	}
	cur := d.settings.Get()
	d.applyLevel(cur.General.LogLevel)

	if err := paths.EnsurePrivateDir(paths.StateDir()); err != nil {
		st.Close()
		return nil, err
	}
	d.logging, err = logging.New(logging.Options{
		Level:    d.level,
		Console:  o.Console,
		FilePath: o.LogFile,
		DB:       st.DB(),
		Redactor: d.redactor,
		OnEntry:  func(p event.LogAppendedPayload) { d.bus.Publish(p) },
	})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("start logging: %w", err)
	}
	d.log = d.logging.Logger()

	_ = d.openSecrets(cur.General.KeyringBackend, o.FilePassword) // a failure is shown, not fatal: the app works without keys

	d.control, err = control.Listen(o.Socket)
	if err != nil {
		d.logging.Close()
		st.Close()
		return nil, fmt.Errorf("open control socket: %w", err)
	}
	d.speech = d.newSpeechServer()
	d.pipe = d.newPipeline()
	d.tonny = d.newTonny()
	d.voice = d.newVoice()
	d.tonny.speaker = d
	if d.profiles, err = d.newProfiles(ctx); err != nil {
		d.control.Close()
		d.logging.Close()
		st.Close()
		return nil, err
	}
	d.policy = d.profiles.Policy()
	d.pub = d.newPublisher()
	active := d.profiles.Active()
	d.state.profile, d.state.role = active.Name, string(active.Role)
	d.registerControl()
	d.registerCommandControl()
	d.registerSpeechControl()
	d.registerTriggerControl()
	d.registerBusControl()
	d.registerServerControl()
	d.registerListenControl()
	d.component("app").Info("backend started", "version", o.Version, "database", st.Path(), "pid", os.Getpid())
	return d, nil
}

// Run runs every service until ctx is done, then shuts down in order within a bounded time.
func (d *Daemon) Run(ctx context.Context) error {
	sup := suture.New("tonnytray", suture.Spec{
		EventHook: func(e suture.Event) { d.component("supervisor").Warn("service event", "event", e.String()) },
		Timeout:   3 * time.Second,
	})
	sup.Add(serviceFunc{"logging", d.logging.Run})
	sup.Add(serviceFunc{"control", d.control.Serve})
	sup.Add(serviceFunc{whisper.Name, d.speech.Serve})
	sup.Add(serviceFunc{"voice", d.runVoice})
	sup.Add(serviceFunc{"n8n-outbox", d.tonny.queue.Serve})
	sup.Add(serviceFunc{"n8n-status", d.publishOutbox})
	sup.Add(serviceFunc{"player", d.voice.player.Serve})
	sup.Add(serviceFunc{"tts", d.runSpeech})
	sup.Add(serviceFunc{"tts-quota", d.runQuota})
	sup.Add(serviceFunc{"cues", d.runCues})
	sup.Add(serviceFunc{"state", d.runState})
	sup.Add(serviceFunc{"notifications", d.runNotifications})
	sup.Add(serviceFunc{"hotkeys", d.runHotkeys})
	sup.Add(serviceFunc{"bus", d.pub.Serve})
	sup.Add(serviceFunc{"bus-events", d.runBusEvents})
	sup.Add(serviceFunc{"announcements", d.runAnnouncements})
	sup.Add(serviceFunc{"retention", func(ctx context.Context) error {
		return d.store.RunRetention(ctx, func() int { return d.settings.Get().General.RetentionDays }, 6*time.Hour, time.Now)
	}})
	d.applyKeepWarm()
	if d.settings.Get().General.LaunchAtLogin {
		d.applyAutostart() // the entry follows the program if it moved
	}
	err := sup.Serve(ctx)
	d.component("app").Info("backend stopped")
	d.Close()
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	return err
}

// Close releases everything New opened: the control socket, the log file, the database and the instance
// lock. Run calls it on the way out; call it directly only when Run was never started.
func (d *Daemon) Close() {
	d.closeOnce.Do(func() {
		d.pipe.Cancel() // an utterance in progress is abandoned, its socket closed
		d.pipe.Wait()
		d.mic.close()
		d.control.Close()
		d.logging.Close()
		if err := d.store.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "tonnytray: close database: %v\n", err)
		}
		if d.opts.Instance != nil {
			d.opts.Instance.Release()
		}
	})
}

// Bus is the in-process event bus; the window forwards it to the UI.
func (d *Daemon) Bus() *event.Bus { return d.bus }

// Logger returns a logger tagged with component.
func (d *Daemon) Logger(component string) *slog.Logger { return d.component(component) }

// HandleControl registers an extra control-socket command (the window adds "show").
func (d *Daemon) HandleControl(cmd string, h control.HandlerFunc) { d.control.Handle(cmd, h) }

func (d *Daemon) component(name string) *slog.Logger { return logging.For(d.log, name) }

func (d *Daemon) applyLevel(name string) {
	if d.opts.LogLevel != "" {
		name = d.opts.LogLevel
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(name))); err == nil {
		d.level.Set(l)
	}
}

// onSettingsChanged runs after every saved change; it applies what can be applied live (log level, the
// keychain backend) and tells the UI what still needs a restart.
func (d *Daemon) onSettingsChanged(c settings.Change) {
	cur := d.settings.Get()
	d.applyLevel(cur.General.LogLevel)
	if slices.Contains(c.Changed, "audio.keep_warm") {
		d.applyKeepWarm()
	}
	if slices.ContainsFunc(c.Changed, func(f string) bool { return strings.HasPrefix(f, "n8n.") }) {
		d.resetN8N()
	}
	if slices.ContainsFunc(c.Changed, func(f string) bool { return strings.HasPrefix(f, "hotkeys.") }) {
		d.rebindHotkeys()
	}
	if slices.Contains(c.Changed, "general.launch_at_login") {
		d.applyAutostart()
	}
	if slices.Contains(c.Changed, "response.volume") {
		d.voice.player.SetVolume(cur.Response.Volume)
	}
	if slices.Contains(c.Changed, "response.mode") {
		d.refreshQuota()
	}
	restart := make([]string, 0, len(c.RestartNeeded))
	for _, part := range c.RestartNeeded {
		switch part {
		case settings.PartKeyring:
			_ = d.openSecrets(cur.General.KeyringBackend, d.opts.FilePassword) // a failure is published by openSecrets
		case settings.PartWhisperServer:
			d.speech.Restart() // the new command line takes effect now; an adopted server is re-probed
		case settings.PartBus:
			d.reconnectBus()
		case settings.PartHotkeys:
			// applied below, with the push-to-talk options that need no restart either
		default:
			restart = append(restart, part)
		}
	}
	d.bus.Publish(event.SettingsChangedPayload{Changed: c.Changed, RestartNeeded: restart})
}

// openSecrets (re)opens the keychain; the file backend needs password (nil = locked until the user unlocks).
func (d *Daemon) openSecrets(backend string, password func(prompt string) (string, error)) error {
	s, err := secret.Open(secret.Config{
		Backend:      secret.Backend(backend),
		FilePassword: password,
		OnSecret:     d.redactor.Add,
	})
	d.secretsMu.Lock()
	d.secrets, d.secretErr = s, err
	d.secretsMu.Unlock()
	if err != nil {
		d.component("keychain").Error("keychain unavailable", "err", err)
		d.bus.Publish(event.NoticePayload{Level: "error", Title: "Keychain unavailable", Message: err.Error()})
		d.bus.Publish(event.ServiceStatePayload{Service: "keychain", State: "down", Detail: err.Error()})
		return err
	}
	// Teach the redactor every stored secret so none can reach a log line.
	for k, ok := range s.Status() {
		if !ok {
			continue
		}
		if _, err := s.Get(k); err != nil {
			d.component("keychain").Warn("stored secret unreadable", "key", string(k), "err", err)
		}
	}
	if d.tonny != nil {
		d.resetN8N() // the n8n keys may be readable now
		d.resetTTS()
	}
	d.component("keychain").Info("keychain opened", "backend", string(s.Backend()))
	d.bus.Publish(event.ServiceStatePayload{Service: "keychain", State: "ok", Detail: s.Backend().Label()})
	return nil
}

// serviceFunc adapts a Run/Serve function to suture.Service with a readable name.
type serviceFunc struct {
	name string
	run  func(context.Context) error
}

func (s serviceFunc) Serve(ctx context.Context) error { return s.run(ctx) }
func (s serviceFunc) String() string                  { return s.name }

// applyAutostart writes or removes the login entry as general.launch_at_login says; a failure is shown.
func (d *Daemon) applyAutostart() {
	file := paths.AutostartFile()
	var err error
	if d.settings.Get().General.LaunchAtLogin {
		var exe string
		if exe, err = os.Executable(); err == nil {
			err = autostart.Enable(file, exe)
		}
	} else {
		err = autostart.Disable(file)
	}
	if err != nil {
		d.component("app").Error("launch at login not applied", "err", err)
		d.bus.Publish(event.NoticePayload{Level: "error", Title: "Launch at login", Message: err.Error()})
		return
	}
	d.component("app").Info("launch at login", "enabled", autostart.Enabled(file), "entry", file)
}
