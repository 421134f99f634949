package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/tonnytray/tonnytray/backend/audio"
	"github.com/tonnytray/tonnytray/backend/daemon"
	"github.com/tonnytray/tonnytray/backend/doctor"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/logging"
	"github.com/tonnytray/tonnytray/backend/profile"
	"github.com/tonnytray/tonnytray/backend/secret"
	"github.com/tonnytray/tonnytray/backend/settings"
)

// startupWait bounds how long a UI call waits for the backend to finish starting.
const startupWait = 30 * time.Second

// App is the one Wails-bound facade: every exported method is frontend API. Methods wait for start-up,
// convert UI input, delegate to the daemon and leave error wording to formatError.
type App struct {
	opts     daemon.Options
	wlog     *wailsLogger
	started  time.Time // process start, for the start-up figure
	ctx      context.Context
	ready    chan struct{}
	d        *daemon.Daemon
	startErr error
	cancel   context.CancelFunc
	done     chan struct{}
	shutOnce sync.Once
	uiOnce   sync.Once
	// hidden keeps the window hidden at start (--start-hidden); general.start_hidden does too.
	hidden  bool
	desk    *desktop        // the tray; nil until started
	signals context.Context // done after SIGTERM/SIGINT; nil in tests
}

// NewApp returns a facade that starts the backend with opts when the window starts; hidden keeps the window
// in the tray at start.
func NewApp(opts daemon.Options, wlog *wailsLogger, started time.Time, hidden bool) *App {
	return &App{opts: opts, wlog: wlog, started: started, hidden: hidden, ready: make(chan struct{}), done: make(chan struct{})}
}

// domReady is Wails' OnDomReady: the page has loaded (not yet rendered its data; see UIReady).
func (a *App) domReady(ctx context.Context) {
	d, err := a.backend()
	if err != nil {
		runtime.WindowShow(ctx) // the window says why the backend did not start
		return
	}
	// The window starts hidden and is shown once its page is there: no empty frame, and no flash at all when
	// it should stay in the tray.
	if a.hidden || d.Settings().General.StartHidden {
		d.Logger("app").Info("started hidden", "tray", a.desk != nil && a.desk.tray != nil)
	} else {
		runtime.WindowShow(ctx)
	}
	d.Logger("app").Info("window ready", "since_start_ms", time.Since(a.started).Milliseconds())
}

// beforeClose is Wails' OnBeforeClose; see desktop.beforeClose.
func (a *App) beforeClose(ctx context.Context) bool {
	if a.desk == nil || a.signalled() {
		return false
	}
	return a.desk.beforeClose(ctx)
}

// signalled says whether a SIGTERM or SIGINT asked the app to quit. Wails turns the signal into the same Quit
// as the window's close button, from its own goroutine, so this waits a moment for the signal to be seen.
func (a *App) signalled() bool {
	if a.signals == nil {
		return false
	}
	select {
	case <-a.signals.Done():
		return true
	case <-time.After(50 * time.Millisecond):
		return false
	}
}

// UIReady is called by the UI once, when its first screen with real data is painted; the start-up benchmark
// reads this line.
func (a *App) UIReady() {
	a.uiOnce.Do(func() {
		if d, err := a.backend(); err == nil {
			d.Logger("app").Info("ui ready", "since_start_ms", time.Since(a.started).Milliseconds())
		}
	})
}

// startup is Wails' OnStartup: the backend starts here so binding generation never touches the database.
func (a *App) startup(ctx context.Context) {
	a.ctx = ctx
	defer close(a.ready)
	runCtx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	d, err := daemon.New(runCtx, a.opts)
	if err != nil {
		a.startErr = err
		close(a.done)
		runtime.LogErrorf(ctx, "start backend: %v", err)
		return
	}
	a.d = d
	a.wlog.use(d.Logger("wails"))
	a.desk = startDesktop(ctx, runCtx, d)
	d.HandleControl("show", func(context.Context, json.RawMessage) (any, error) {
		a.desk.show()
		return "shown", nil
	})
	go a.forwardEvents(runCtx, d.Bus())
	go func() {
		defer close(a.done)
		if err := d.Run(runCtx); err != nil {
			d.Logger("app").Error("backend stopped with an error", "err", err)
		}
	}()
}

// shutdown is Wails' OnShutdown: stop the backend and wait for its ordered, bounded shutdown.
func (a *App) shutdown(context.Context) {
	a.shutOnce.Do(func() {
		if a.cancel != nil {
			a.cancel()
		}
		select {
		case <-a.done:
		case <-time.After(10 * time.Second):
		}
	})
}

// forwardEvents sends backend events to the UI. Its queue is bounded: a busy webview drops, never blocks.
func (a *App) forwardEvents(ctx context.Context, bus *event.Bus) {
	sub := bus.Subscribe(512)
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-sub.C:
			if !ok {
				return
			}
			runtime.EventsEmit(a.ctx, string(ev.Name), ev.Payload)
		}
	}
}

func (a *App) backend() (*daemon.Daemon, error) {
	select {
	case <-a.ready:
	case <-time.After(startupWait):
		return nil, errStarting
	}
	if a.startErr != nil {
		return nil, a.startErr
	}
	return a.d, nil
}

// GetSnapshot returns the whole current state for the UI to render on mount.
func (a *App) GetSnapshot() (daemon.Snapshot, error) {
	d, err := a.backend()
	if err != nil {
		return daemon.Snapshot{}, err
	}
	return d.Snapshot(a.ctx)
}

// ValidateSettings checks settings without saving; each problem names its field.
func (a *App) ValidateSettings(s settings.Settings) ([]settings.FieldError, error) {
	d, err := a.backend()
	if err != nil {
		return nil, err
	}
	return d.ValidateSettings(s), nil
}

// SaveSettings validates and stores settings and says which parts need a restart.
func (a *App) SaveSettings(s settings.Settings) (daemon.SaveResult, error) {
	d, err := a.backend()
	if err != nil {
		return daemon.SaveResult{}, err
	}
	return d.SaveSettings(s)
}

// SetSecret stores an API key or password in the keychain. Secrets are write-only for the UI.
func (a *App) SetSecret(key, value string) error {
	d, err := a.backend()
	if err != nil {
		return err
	}
	return d.SetSecret(key, value)
}

// DeleteSecret removes a secret from the keychain.
func (a *App) DeleteSecret(key string) error {
	d, err := a.backend()
	if err != nil {
		return err
	}
	return d.DeleteSecret(key)
}

// ControlSpeechServer starts, stops or restarts the speech server ("start", "stop", "restart") and returns
// its state right after the request; progress follows as server:state events.
func (a *App) ControlSpeechServer(action string) (daemon.ServerState, error) {
	d, err := a.backend()
	if err != nil {
		return daemon.ServerState{}, err
	}
	if err := d.ControlSpeechServer(action); err != nil {
		return daemon.ServerState{}, err
	}
	return d.SpeechServer(), nil
}

// AudioDevices lists the audio devices for the Settings pickers.
func (a *App) AudioDevices() ([]audio.Device, error) {
	d, err := a.backend()
	if err != nil {
		return nil, err
	}
	return d.AudioDevices()
}

// TestMicrophone records from a device ("" = default) for a few seconds and reports its level.
func (a *App) TestMicrophone(device string, seconds float64) (daemon.MicTest, error) {
	d, err := a.backend()
	if err != nil {
		return daemon.MicTest{}, err
	}
	return d.TestMicrophone(a.ctx, device, seconds)
}

// ToggleListening starts an utterance, or ends the one in progress; text follows as transcript events.
func (a *App) ToggleListening() error {
	d, err := a.backend()
	if err != nil {
		return err
	}
	return d.ToggleListening()
}

// SendCommand queues a typed command for Tonny; its progress and the reply follow as command:state events.
func (a *App) SendCommand(text string) (daemon.CommandResult, error) {
	d, err := a.backend()
	if err != nil {
		return daemon.CommandResult{}, err
	}
	return d.SendCommand(a.ctx, text)
}

// TestN8N makes one round trip to Tonny's webhook and returns the verdict.
func (a *App) TestN8N() (daemon.N8NTest, error) {
	d, err := a.backend()
	if err != nil {
		return daemon.N8NTest{}, err
	}
	return d.TestN8N(a.ctx), nil
}

// Outbox lists the commands waiting for Tonny.
func (a *App) Outbox() (daemon.OutboxView, error) {
	d, err := a.backend()
	if err != nil {
		return daemon.OutboxView{}, err
	}
	return d.Outbox(a.ctx)
}

// RetryOutbox tries waiting commands now: id 0 = all, else that failed one.
func (a *App) RetryOutbox(id uint64) error {
	d, err := a.backend()
	if err != nil {
		return err
	}
	return d.RetryOutbox(a.ctx, id)
}

// DiscardOutbox drops one waiting command for good.
func (a *App) DiscardOutbox(id uint64) error {
	d, err := a.backend()
	if err != nil {
		return err
	}
	return d.DiscardOutbox(a.ctx, id)
}

// TypingStatus says which text-insertion methods work on this desktop session.
func (a *App) TypingStatus() (daemon.TypingStatus, error) {
	d, err := a.backend()
	if err != nil {
		return daemon.TypingStatus{}, err
	}
	return d.TypingStatus(a.ctx), nil
}

// TestTyping types a sample sentence into the focused window after delayMs (time to click into a text field).
func (a *App) TestTyping(delayMs int) (daemon.DictationResult, error) {
	d, err := a.backend()
	if err != nil {
		return daemon.DictationResult{}, err
	}
	if delayMs < 0 || delayMs > 30000 {
		return daemon.DictationResult{}, fmt.Errorf("delayMs must be between 0 and 30000 (got %d)", delayMs)
	}
	return d.TestTyping(a.ctx, time.Duration(delayMs)*time.Millisecond)
}

// Voices lists the ElevenLabs voices for the Settings picker.
func (a *App) Voices() ([]daemon.VoiceInfo, error) {
	d, err := a.backend()
	if err != nil {
		return nil, err
	}
	return d.VoiceList(a.ctx)
}

// PreviewVoice speaks a sample with voiceID ("" = the configured voice) and returns when it has played.
func (a *App) PreviewVoice(voiceID string) error {
	d, err := a.backend()
	if err != nil {
		return err
	}
	return d.PreviewVoice(a.ctx, voiceID)
}

// StopSpeaking stops Tonny's voice and drops what waits to be said.
func (a *App) StopSpeaking() error {
	d, err := a.backend()
	if err != nil {
		return err
	}
	d.StopSpeaking()
	return nil
}

// Pause pauses TonnyTray (nothing listens) or resumes it; it returns the state after.
func (a *App) Pause(paused bool) (daemon.AppStateInfo, error) {
	d, err := a.backend()
	if err != nil {
		return daemon.AppStateInfo{}, err
	}
	if paused {
		d.Pause()
	} else {
		d.Resume()
	}
	return d.AppState(), nil
}

// HotkeyStatus says which global shortcuts work on this session, and what to bind where they cannot.
func (a *App) HotkeyStatus() (daemon.HotkeyStatus, error) {
	d, err := a.backend()
	if err != nil {
		return daemon.HotkeyStatus{}, err
	}
	return d.HotkeyStatus(), nil
}

// Family lists the profiles with their usage for the family screen.
func (a *App) Family() (daemon.Family, error) {
	d, err := a.backend()
	if err != nil {
		return daemon.Family{}, err
	}
	return d.Family(a.ctx)
}

// SwitchProfile makes name the active profile; switching to a higher role needs the admin PIN ("" when
// switching down).
func (a *App) SwitchProfile(name, pin string) (daemon.AppStateInfo, error) {
	d, err := a.backend()
	if err != nil {
		return daemon.AppStateInfo{}, err
	}
	if err := d.SwitchProfile(a.ctx, name, pin); err != nil {
		return daemon.AppStateInfo{}, err
	}
	return d.AppState(), nil
}

// CreateProfile adds a family member (admin only).
func (a *App) CreateProfile(p profile.Profile) (profile.Profile, error) {
	d, err := a.backend()
	if err != nil {
		return profile.Profile{}, err
	}
	return d.CreateProfile(a.ctx, p)
}

// UpdateProfile saves an edited family member (admin only).
func (a *App) UpdateProfile(p profile.Profile) (profile.Profile, error) {
	d, err := a.backend()
	if err != nil {
		return profile.Profile{}, err
	}
	return d.UpdateProfile(a.ctx, p)
}

// DeleteProfile removes a family member (admin only; never the last admin).
func (a *App) DeleteProfile(name string) error {
	d, err := a.backend()
	if err != nil {
		return err
	}
	return d.DeleteProfile(a.ctx, name)
}

// SetAdminPIN sets an admin profile's PIN (admin only); oldPIN is its current PIN, "" when it has none.
func (a *App) SetAdminPIN(name, oldPIN, newPIN string) error {
	d, err := a.backend()
	if err != nil {
		return err
	}
	return d.SetAdminPIN(a.ctx, name, oldPIN, newPIN)
}

// RunQuickAction sends the active profile's quick action to Tonny, under the same permissions as a spoken
// command.
func (a *App) RunQuickAction(name string) (daemon.CommandResult, error) {
	d, err := a.backend()
	if err != nil {
		return daemon.CommandResult{}, err
	}
	return d.RunQuickAction(a.ctx, name)
}

// CheckAccess says whether the active profile may use an admin screen ("settings"); a refusal is the
// backend's friendly sentence, and is audited.
func (a *App) CheckAccess(screen string) error {
	d, err := a.backend()
	if err != nil {
		return err
	}
	return d.CheckAccess(screen)
}

// UnlockFileKeychain opens the encrypted-file keychain with the user's password.
func (a *App) UnlockFileKeychain(password string) error {
	d, err := a.backend()
	if err != nil {
		return err
	}
	return d.UnlockFileKeychain(password)
}

// LogFilter is the logs viewer's filter as the UI sends it.
type LogFilter struct {
	MinLevel  string `json:"minLevel"` // "" | debug | info | warn | error
	Component string `json:"component"`
	Since     string `json:"since"` // RFC 3339 or ""
	Until     string `json:"until"`
	Text      string `json:"text"`
	Before    uint64 `json:"before"`
	After     uint64 `json:"after"`
	Limit     int    `json:"limit"`
}

func (f LogFilter) toQuery() (logging.Filter, error) {
	q := logging.Filter{Component: f.Component, Text: f.Text, Before: f.Before, After: f.After, Limit: f.Limit}
	var fields settings.ValidationErrors
	if f.MinLevel != "" {
		var l slog.Level
		if err := l.UnmarshalText([]byte(strings.ToUpper(f.MinLevel))); err != nil {
			fields = append(fields, settings.FieldError{Field: "minLevel", Message: fmt.Sprintf("%q is not a log level (debug, info, warn, error)", f.MinLevel)})
		} else {
			lv := int(l)
			q.MinLevel = &lv
		}
	}
	for _, t := range []struct {
		name, val string
		dst       *time.Time
	}{{"since", f.Since, &q.Since}, {"until", f.Until, &q.Until}} {
		if t.val == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339, t.val)
		if err != nil {
			fields = append(fields, settings.FieldError{Field: t.name, Message: fmt.Sprintf("%q is not a date and time (RFC 3339)", t.val)})
			continue
		}
		*t.dst = v
	}
	if len(fields) > 0 {
		return q, fields
	}
	return q, nil
}

// QueryLogs returns one page of log records, newest first (or newer than After, for following live).
func (a *App) QueryLogs(f LogFilter) (logging.Page, error) {
	d, err := a.backend()
	if err != nil {
		return logging.Page{}, err
	}
	q, err := f.toQuery()
	if err != nil {
		return logging.Page{}, err
	}
	return d.QueryLogs(a.ctx, q)
}

// LogComponents lists the components that have written logs.
func (a *App) LogComponents() ([]string, error) {
	d, err := a.backend()
	if err != nil {
		return nil, err
	}
	return d.LogComponents(a.ctx)
}

// ExportLogs returns every record matching f as "json" or "csv" text for the UI to download.
func (a *App) ExportLogs(f LogFilter, format string) (string, error) {
	d, err := a.backend()
	if err != nil {
		return "", err
	}
	q, err := f.toQuery()
	if err != nil {
		return "", err
	}
	q.Before, q.After = 0, 0
	return d.ExportLogs(a.ctx, q, format)
}

// ExportSettings returns the settings as JSON; it never contains a secret.
func (a *App) ExportSettings() (string, error) {
	d, err := a.backend()
	if err != nil {
		return "", err
	}
	return d.ExportSettings()
}

// ImportSettings applies an exported settings file or the original config.json; keys in it go to the keychain.
func (a *App) ImportSettings(data string) (daemon.ImportResult, error) {
	d, err := a.backend()
	if err != nil {
		return daemon.ImportResult{}, err
	}
	return d.ImportSettings([]byte(data))
}

// BackupDatabase writes an online backup of the database and returns its path.
func (a *App) BackupDatabase() (string, error) {
	d, err := a.backend()
	if err != nil {
		return "", err
	}
	return d.BackupDatabase(a.ctx)
}

// ClearMyData deletes the history (utterances, conversations, logs, metrics, outbox).
func (a *App) ClearMyData() error {
	d, err := a.backend()
	if err != nil {
		return err
	}
	return d.ClearMyData(a.ctx)
}

// RunDoctor checks every dependency of the app on this machine.
func (a *App) RunDoctor() ([]doctor.Check, error) {
	d, err := a.backend()
	if err != nil {
		return nil, err
	}
	return d.Doctor(a.ctx), nil
}

// SaveTextFile asks the user where to save an export (a native dialog: WebKitGTK ignores browser downloads),
// writes text there readable only by the user, and returns the path, or "" when the user cancelled.
func (a *App) SaveTextFile(suggestedName, text string) (string, error) {
	if _, err := a.backend(); err != nil {
		return "", err
	}
	path, err := runtime.SaveFileDialog(a.ctx, runtime.SaveDialogOptions{
		Title: "Save " + suggestedName, DefaultFilename: filepath.Base(suggestedName), CanCreateDirectories: true,
	})
	if err != nil {
		return "", fmt.Errorf("save dialog: %w", err)
	}
	if path == "" {
		return "", nil
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}

// UIError is what a rejected call's promise receives in the UI: a code to branch on and a human sentence.
type UIError struct {
	Code    string                `json:"code"`
	Message string                `json:"message"`
	Fields  []settings.FieldError `json:"fields,omitempty"`
	// RetryAfterMs is how long until a PIN is checked again (codes wrong_pin and pin_wait); 0 = at once.
	RetryAfterMs int64 `json:"retryAfterMs,omitempty"`
}

var errStarting = errors.New("TonnyTray is still starting; try again in a moment")

// formatError is Wails' ErrorFormatter: it maps backend errors to coded UI errors. It returns the UIError as
// a JSON string because Wails v2's runtime rejects with `new Error(value)`, which would turn an object into
// "[object Object]"; src/api/errors.ts parses it back.
func formatError(err error) any {
	var ve settings.ValidationErrors
	var pve *profile.ValidationError
	var pe *profile.PINError
	var ue UIError
	switch {
	case errors.As(err, &ve):
		ue = UIError{Code: "validation", Message: "Some settings need fixing: " + ve.Error(), Fields: ve}
	case errors.As(err, &pve):
		ue = UIError{Code: "validation", Message: pve.Error(), Fields: []settings.FieldError{{Field: pve.Field, Message: pve.Message}}}
	case daemon.ProfileErrorCode(err) != "":
		ue = UIError{Code: daemon.ProfileErrorCode(err), Message: err.Error()}
		if errors.As(err, &pe) {
			ue.RetryAfterMs = pe.Wait.Milliseconds()
		}
	case errors.Is(err, errStarting):
		ue = UIError{Code: "starting", Message: err.Error()}
	case errors.Is(err, daemon.ErrKeychain), errors.Is(err, secret.ErrNoKeychain), errors.Is(err, secret.ErrLocked):
		ue = UIError{Code: "keychain_unavailable", Message: err.Error()}
	default:
		ue = UIError{Code: "error", Message: err.Error()}
	}
	b, mErr := json.Marshal(ue)
	if mErr != nil { // cannot happen for these types; keep the sentence rather than lose it
		return err.Error()
	}
	return string(b)
}
