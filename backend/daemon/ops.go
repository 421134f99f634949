package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/tonnytray/tonnytray/backend/doctor"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/logging"
	"github.com/tonnytray/tonnytray/backend/paths"
	"github.com/tonnytray/tonnytray/backend/profile"
	"github.com/tonnytray/tonnytray/backend/secret"
	"github.com/tonnytray/tonnytray/backend/settings"
)

// ErrKeychain wraps every secret operation that failed because no keychain is open.
var ErrKeychain = errors.New("keychain unavailable")

// Snapshot is everything the UI needs to render after it mounts (events sent before it subscribed are lost).
type Snapshot struct {
	Version       string            `json:"version"`
	Settings      settings.Settings `json:"settings"`
	Secrets       []SecretStatus    `json:"secrets"`
	Keychain      KeychainStatus    `json:"keychain"`
	Services      []ServiceStatus   `json:"services"`
	Store         StoreStatus       `json:"store"`
	Paths         Paths             `json:"paths"`
	Server        ServerState       `json:"server"`
	Outbox        OutboxState       `json:"outbox"`
	LastCommand   CommandState      `json:"lastCommand"` // ID "" = none since start
	Speech        SpeechState       `json:"speech"`
	State         AppStateInfo      `json:"state"`
	EventsDropped uint64            `json:"eventsDropped"`
	LogsDropped   uint64            `json:"logsDropped"`
	UptimeSeconds int64             `json:"uptimeSeconds"`
	StartedAt     string            `json:"startedAt"`
}

// SecretStatus says whether one secret is stored; the value is never read back to the UI.
type SecretStatus struct {
	Key        string `json:"key"`
	Label      string `json:"label"`
	Configured bool   `json:"configured"`
}

// KeychainStatus is the keychain backend in use, or why none is. Locked means the encrypted file waits for
// its password (the UI then offers to unlock it).
type KeychainStatus struct {
	Backend string `json:"backend"`
	OK      bool   `json:"ok"`
	Locked  bool   `json:"locked"`
	Detail  string `json:"detail"`
}

// OutboxState is the n8n outbox at a glance.
type OutboxState = event.OutboxStatePayload

// SpeechState says whether Tonny is speaking.
type SpeechState = event.SpeechStatePayload

// CommandState is one command to Tonny and where it is.
type CommandState = event.CommandStatePayload

// DictationResult is how one text insertion went.
type DictationResult = event.DictationPayload

// ServiceStatus is one Dashboard health card.
type ServiceStatus = event.ServiceStatePayload

// ServerState is the speech server's card on the Dashboard.
type ServerState = event.ServerStatePayload

// StoreStatus describes the database file.
type StoreStatus struct {
	Path      string           `json:"path"`
	SizeBytes int64            `json:"sizeBytes"`
	Rows      map[string]int64 `json:"rows"`
}

// Paths tells the user where TonnyTray keeps its files.
type Paths struct {
	Database string `json:"database"`
	LogFile  string `json:"logFile"`
	Socket   string `json:"socket"`
}

// ImportResult reports what a settings import did.
type ImportResult struct {
	Warnings        []string `json:"warnings"`
	SecretsImported []string `json:"secretsImported"`
	RestartNeeded   []string `json:"restartNeeded"`
}

// SaveResult reports what a settings save needs.
type SaveResult struct {
	RestartNeeded []string `json:"restartNeeded"`
}

// Snapshot gathers the current state.
func (d *Daemon) Snapshot(ctx context.Context) (Snapshot, error) {
	st, err := d.store.Stats(ctx)
	if err != nil {
		return Snapshot{}, fmt.Errorf("read database stats: %w", err)
	}
	kc := d.keychainStatus()
	server := d.SpeechServer()
	ob, err := d.outboxPayload(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	services := []ServiceStatus{
		{Service: "database", State: "ok", Detail: fmt.Sprintf("%s (%d KiB)", st.Path, (st.FileBytes+st.WALBytes)/1024)},
		{Service: "keychain", State: stateOf(kc.OK), Detail: kc.Detail},
		{Service: "logging", State: "ok", Detail: fmt.Sprintf("%d records dropped", d.logging.Dropped())},
		{Service: "control", State: "ok", Detail: d.opts.Socket},
		serverService(server),
		d.mic.service(),
		d.n8nService(ob),
		d.elevenLabsService(),
		busService(d.pub.State()),
	}
	return Snapshot{
		Version:       d.opts.Version,
		Settings:      d.settings.Get(),
		Secrets:       d.secretStatus(),
		Keychain:      kc,
		Services:      services,
		Store:         StoreStatus{Path: st.Path, SizeBytes: st.FileBytes + st.WALBytes, Rows: st.Rows},
		Paths:         Paths{Database: d.store.Path(), LogFile: d.opts.LogFile, Socket: d.opts.Socket},
		Server:        server,
		Outbox:        ob,
		LastCommand:   d.LastCommand(),
		Speech:        d.SpeechState(),
		State:         d.AppState(),
		EventsDropped: d.bus.Dropped(),
		LogsDropped:   d.logging.Dropped(),
		UptimeSeconds: int64(time.Since(d.started).Seconds()),
		StartedAt:     d.started.UTC().Format(time.RFC3339),
	}, nil
}

func stateOf(ok bool) string {
	if ok {
		return "ok"
	}
	return "down"
}

// Settings returns the current settings.
func (d *Daemon) Settings() settings.Settings { return d.settings.Get() }

// ValidateSettings checks s without saving it; an empty result means valid.
func (d *Daemon) ValidateSettings(s settings.Settings) []settings.FieldError {
	var ve settings.ValidationErrors
	if err := s.Validate(); errors.As(err, &ve) {
		return ve
	}
	return []settings.FieldError{}
}

// SaveSettings validates and stores s. Validation failures come back as settings.ValidationErrors.
func (d *Daemon) SaveSettings(s settings.Settings) (SaveResult, error) {
	if err := d.authorize(profile.ActionSettings); err != nil {
		return SaveResult{}, err
	}
	c, err := d.settings.Update(s)
	if err != nil {
		d.component("settings").Warn("settings rejected", "err", err)
		return SaveResult{}, err
	}
	d.component("settings").Info("settings saved", "changed", fmt.Sprint(c.Changed), "restart_needed", fmt.Sprint(c.RestartNeeded))
	return SaveResult{RestartNeeded: nonNil(c.RestartNeeded)}, nil
}

// SetSecret stores a secret in the keychain.
func (d *Daemon) SetSecret(key, value string) error {
	if err := d.authorize(profile.ActionSecrets); err != nil {
		return err
	}
	k, err := secret.ParseKey(key)
	if err != nil {
		return err
	}
	s, err := d.secretStore()
	if err != nil {
		return err
	}
	if err := s.Set(k, value); err != nil {
		return fmt.Errorf("store %s: %w", k, err)
	}
	d.component("keychain").Info("secret stored", "key", string(k))
	d.secretChanged(k)
	d.bus.Publish(event.SecretChangedPayload{Key: string(k), Configured: true})
	return nil
}

// DeleteSecret removes a secret from the keychain.
func (d *Daemon) DeleteSecret(key string) error {
	if err := d.authorize(profile.ActionSecrets); err != nil {
		return err
	}
	k, err := secret.ParseKey(key)
	if err != nil {
		return err
	}
	s, err := d.secretStore()
	if err != nil {
		return err
	}
	if err := s.Delete(k); err != nil {
		return fmt.Errorf("delete %s: %w", k, err)
	}
	d.component("keychain").Info("secret deleted", "key", string(k))
	d.secretChanged(k)
	d.bus.Publish(event.SecretChangedPayload{Key: string(k), Configured: false})
	return nil
}

// UnlockFileKeychain opens the encrypted-file keychain with the user's password (the first unlock sets it).
// It is only for the file backend chosen in Settings; the password is kept for this run only, in memory.
func (d *Daemon) UnlockFileKeychain(password string) error {
	if b := d.settings.Get().General.KeyringBackend; b != string(secret.BackendFile) {
		return fmt.Errorf("the keychain in use is %q, not the encrypted file; choose the file in Settings first", b)
	}
	if password == "" {
		return errors.New("enter the keychain file's password")
	}
	return d.openSecrets(string(secret.BackendFile), func(string) (string, error) { return password, nil })
}

// secretChanged applies a new or deleted secret to whatever uses it.
func (d *Daemon) secretChanged(k secret.Key) {
	switch k {
	case secret.N8NAuth, secret.N8NHMAC:
		d.resetN8N()
	case secret.ElevenLabsAPIKey:
		d.resetTTS()
	case secret.RabbitMQPassword:
		d.reconnectBus()
	}
}

func (d *Daemon) secretStore() (*secret.Store, error) {
	d.secretsMu.RLock()
	defer d.secretsMu.RUnlock()
	if d.secrets == nil {
		return nil, fmt.Errorf("%w: %w", ErrKeychain, d.secretErr)
	}
	return d.secrets, nil
}

func (d *Daemon) secretStatus() []SecretStatus {
	s, _ := d.secretStore()
	out := make([]SecretStatus, 0, len(secret.Keys()))
	for _, k := range secret.Keys() {
		ok := false
		if s != nil {
			var err error
			if ok, err = s.Has(k.Key); err != nil {
				d.component("keychain").Warn("cannot tell whether a secret is stored", "key", string(k.Key), "err", err)
			}
		}
		out = append(out, SecretStatus{Key: string(k.Key), Label: k.Label, Configured: ok})
	}
	return out
}

func (d *Daemon) keychainStatus() KeychainStatus {
	s, err := d.secretStore()
	if err != nil {
		return KeychainStatus{Backend: d.settings.Get().General.KeyringBackend, Locked: errors.Is(err, secret.ErrLocked), Detail: err.Error()}
	}
	return KeychainStatus{Backend: string(s.Backend()), OK: true, Detail: s.Backend().Label()}
}

// QueryLogs pages through the log table for the logs viewer.
func (d *Daemon) QueryLogs(ctx context.Context, f logging.Filter) (logging.Page, error) {
	p, err := logging.Query(ctx, d.store.DB(), f)
	if err != nil {
		return logging.Page{}, fmt.Errorf("query logs: %w", err)
	}
	return p, nil
}

// LogComponents lists the components that have logged, for the viewer's filter.
func (d *Daemon) LogComponents(ctx context.Context) ([]string, error) {
	return logging.Components(ctx, d.store.DB())
}

// ExportLogs renders every record matching f as "json" or "csv".
func (d *Daemon) ExportLogs(ctx context.Context, f logging.Filter, format string) (string, error) {
	var buf bytes.Buffer
	if err := logging.Export(ctx, d.store.DB(), f, &buf, format); err != nil {
		return "", fmt.Errorf("export logs: %w", err)
	}
	return buf.String(), nil
}

// ExportSettings renders the settings as JSON without any secret.
func (d *Daemon) ExportSettings() (string, error) {
	b, err := settings.Export(d.settings.Get())
	if err != nil {
		return "", fmt.Errorf("export settings: %w", err)
	}
	return string(b), nil
}

// ImportSettings applies an exported settings file or the seed's config.json. Secrets found in it go to the
// keychain; if there is no keychain the import is refused before anything changes, so nothing is lost.
func (d *Daemon) ImportSettings(data []byte) (ImportResult, error) {
	if err := d.authorize(profile.ActionSettings); err != nil {
		return ImportResult{}, err
	}
	res, err := settings.Import(data)
	if err != nil {
		return ImportResult{}, err
	}
	// The keychain stays as it is: the keys already stored live there, and switching would strand them.
	cur := d.settings.Get().General.KeyringBackend
	if res.Settings.General.KeyringBackend != cur {
		res.Warnings = append(res.Warnings, fmt.Sprintf("general.keyring_backend: kept %q (the file asked for %q); change it in Settings if you mean to", cur, res.Settings.General.KeyringBackend))
		res.Settings.General.KeyringBackend = cur
	}
	var ss *secret.Store
	if len(res.Secrets) > 0 {
		if ss, err = d.secretStore(); err != nil {
			return ImportResult{}, fmt.Errorf("the file holds %d API key(s) but they cannot be stored safely: %w", len(res.Secrets), err)
		}
	}
	c, err := d.settings.Update(res.Settings)
	if err != nil {
		return ImportResult{}, err
	}
	out := ImportResult{Warnings: nonNil(res.Warnings), SecretsImported: []string{}, RestartNeeded: nonNil(c.RestartNeeded)}
	for name, v := range res.Secrets {
		k, err := secret.ParseKey(name)
		if err != nil {
			return out, err
		}
		if err := ss.Set(k, v); err != nil {
			return out, fmt.Errorf("store %s: %w", k, err)
		}
		out.SecretsImported = append(out.SecretsImported, name)
		d.bus.Publish(event.SecretChangedPayload{Key: name, Configured: true})
	}
	d.component("settings").Info("settings imported", "secrets_moved_to_keychain", len(out.SecretsImported), "warnings", len(out.Warnings))
	return out, nil
}

// BackupDatabase writes an online backup next to the database and returns its path. It copies everyone's
// history, so only an admin may.
func (d *Daemon) BackupDatabase(ctx context.Context) (string, error) {
	if err := d.authorize(profile.ActionSettings); err != nil {
		return "", err
	}
	dir := filepath.Join(filepath.Dir(d.store.Path()), "backups")
	if err := paths.EnsurePrivateDir(dir); err != nil {
		return "", err
	}
	dest := filepath.Join(dir, "tonnytray-"+time.Now().UTC().Format("20060102-150405")+".db")
	if err := d.store.Backup(ctx, dest); err != nil {
		return "", fmt.Errorf("back up database: %w", err)
	}
	d.component("store").Info("database backed up", "path", dest)
	return dest, nil
}

// ClearMyData deletes the history (utterances, conversations, logs, metrics, outbox) and keeps settings,
// profiles and secrets.
func (d *Daemon) ClearMyData(ctx context.Context) error {
	if err := d.authorize(profile.ActionSettings); err != nil {
		return err
	}
	if err := d.store.ClearUserData(ctx); err != nil {
		return fmt.Errorf("clear data: %w", err)
	}
	d.component("store").Info("user data cleared")
	return nil
}

// Doctor checks every dependency of the app on this machine.
func (d *Daemon) Doctor(ctx context.Context) []doctor.Check {
	s := d.settings.Get()
	env := doctor.DefaultEnv()
	env.WhisperCommand = s.Whisper.Command
	env.RabbitEnabled = s.RabbitMQ.Enabled
	env.RabbitURL = s.RabbitMQ.URL
	env.KeychainProbe = func() (string, error) {
		ss, err := d.secretStore()
		if err != nil {
			return "", err
		}
		return string(ss.Backend()), nil
	}
	return doctor.Run(ctx, env)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
