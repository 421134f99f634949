// Package secret keeps TonnyTray's API keys and passwords in the OS keychain (Secret Service, KWallet or
// the kernel keyring) or, only when the user chooses it in Settings, in an encrypted file unlocked by a
// password.
//
// Values flow in (Set) and out only to backend services (Get). The UI learns whether a key is configured
// (Has, Status), never its value; settings, the database, exported JSON, logs and process arguments hold
// at most those "configured" flags. No value ever appears in an error message.
package secret

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"github.com/99designs/keyring"
)

// Key names one secret TonnyTray stores.
type Key string

// The secrets TonnyTray knows. ParseKey rejects anything else.
const (
	N8NAuth          Key = "n8n.auth"           // value of the n8n webhook auth header
	N8NHMAC          Key = "n8n.hmac"           // n8n HMAC signing secret
	ElevenLabsAPIKey Key = "elevenlabs.api_key" // ElevenLabs API key
	RabbitMQPassword Key = "rabbitmq.password"  // RabbitMQ password
	WhisperToken     Key = "whisper.api_token"  // WhisperLiveKit server API token
)

// KeyInfo describes a Key for the Settings UI.
type KeyInfo struct {
	Key   Key    `json:"key"`
	Label string `json:"label"` // human name, e.g. "ElevenLabs API key"
}

// keyTable is the constant list of known keys, in the order the Settings UI shows them.
var keyTable = [...]KeyInfo{
	{N8NAuth, "n8n webhook auth header"},
	{N8NHMAC, "n8n HMAC signing secret"},
	{ElevenLabsAPIKey, "ElevenLabs API key"},
	{RabbitMQPassword, "RabbitMQ password"},
	{WhisperToken, "Whisper server API token"},
}

// Label is the key's human name ("n8n webhook auth header"); an unknown key is its own label.
func (k Key) Label() string {
	for _, info := range keyTable {
		if info.Key == k {
			return info.Label
		}
	}
	return string(k)
}

// Keys lists every known key with its label, in display order.
func Keys() []KeyInfo { return slices.Clone(keyTable[:]) }

// ParseKey turns outside input (UI, CLI) into a Key, rejecting unknown names with ErrUnknownKey.
func ParseKey(s string) (Key, error) {
	for _, ki := range keyTable {
		if string(ki.Key) == s {
			return ki.Key, nil
		}
	}
	return "", fmt.Errorf("%w %q", ErrUnknownKey, s)
}

// check rejects a Key value that is not one of the constants (Key is a string type, so anything converts).
func (k Key) check() error {
	_, err := ParseKey(string(k))
	return err
}

// Errors callers tell apart with errors.Is. They are always wrapped with a sentence saying what happened.
var (
	// ErrNotFound: the key has no value stored.
	ErrNotFound = errors.New("secret not set")
	// ErrNoKeychain: no keychain backend can be used; the message says what is missing and that the
	// encrypted file fallback can be chosen in Settings.
	ErrNoKeychain = errors.New("no usable keychain")
	// ErrLocked: the keychain or encrypted file is locked, its password is wrong or was not given.
	ErrLocked = errors.New("keychain locked")
	// ErrUnknownKey: the name is not one of the known keys.
	ErrUnknownKey = errors.New("unknown secret key")
)

// Backend names where secrets are kept.
type Backend string

// The backends. BackendAuto never picks BackendFile: the file fallback is always the user's explicit choice.
const (
	BackendAuto          Backend = "auto"           // secret-service, then kwallet, then keyctl
	BackendSecretService Backend = "secret-service" // org.freedesktop.secrets, collection "login"
	BackendKWallet       Backend = "kwallet"        // org.kde.kwalletd5
	BackendKeyCtl        Backend = "keyctl"         // Linux kernel keyring, user scope
	BackendFile          Backend = "file"           // encrypted files unlocked by a user password
)

// ParseBackend turns a settings value into a Backend; "" means BackendAuto.
func ParseBackend(s string) (Backend, error) {
	switch b := Backend(s); b {
	case "":
		return BackendAuto, nil
	case BackendAuto, BackendSecretService, BackendKWallet, BackendKeyCtl, BackendFile:
		return b, nil
	}
	return "", fmt.Errorf("unknown keychain backend %q", s)
}

// Label is the human name of the backend, for the Dashboard ("Keychain: Secret Service (login)").
func (b Backend) Label() string {
	switch b {
	case BackendAuto:
		return "Automatic"
	case BackendSecretService:
		return "Secret Service (" + loginCollection + ")"
	case BackendKWallet:
		return "KWallet"
	case BackendKeyCtl:
		// Kernel keyrings live in memory only; say so where the user looks.
		return "Kernel keyring (cleared at reboot)"
	case BackendFile:
		return "Encrypted file"
	}
	return string(b)
}

// loginCollection is the Secret Service collection used: the only one that exists and is unlocked in a
// headless session (gnome-keyring-daemon --unlock), and the one desktops unlock at login.
const loginCollection = "login"

// Config chooses and configures the backend.
type Config struct {
	// Backend to use; "" means BackendAuto.
	Backend Backend
	// ServiceName namespaces TonnyTray's items in the keychain; default "tonnytray".
	ServiceName string
	// FileDir holds the encrypted files of BackendFile; default $XDG_DATA_HOME/tonnytray/keyring.
	FileDir string
	// FilePassword asks the user for the BackendFile password; it is called once, at Open. If nil,
	// BackendFile fails with ErrLocked.
	FilePassword func(prompt string) (string, error)
	// OnSecret, if set, is called with every value that is Set or Get and with the file password, so the
	// log redactor can learn them. It must not store them anywhere else.
	OnSecret func(value string)
}

// Store reads and writes secrets in one backend. It is safe for concurrent use.
type Store struct {
	// mu serialises backend calls: the 99designs/keyring backends keep per-call state (the Secret Service
	// backend reopens its session and collection on every call) and are not safe for concurrent use.
	mu      sync.Mutex
	ring    keyring.Keyring
	backend Backend
	prefix  string       // prepended to item names where the namespace is shared with other apps
	ready   func() error // checked before each call (Secret Service: the collection is still unlocked)
	// lookupEach: Has and Status look each key up instead of listing the backend. Listing the Secret
	// Service's shared login collection costs a D-Bus call per item of every application.
	lookupEach bool
	onSecret   func(string)
}

// Backend reports the backend in use (never BackendAuto).
func (s *Store) Backend() Backend { return s.backend }

// Set stores value under k, trimming surrounding whitespace and newlines (pasted keys carry them).
// An empty value is an error; use Delete to remove a key.
func (s *Store) Set(k Key, value string) error {
	if err := k.check(); err != nil {
		return err
	}
	value = strings.TrimSpace(value)
	if value == "" {
		return fmt.Errorf("set %s: the value is empty", k)
	}
	// Learn first so that the value is redacted even from logs about a failed Set.
	s.learn(value)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkReady(); err != nil {
		return fmt.Errorf("set %s: %w", k, err)
	}
	if err := s.ring.Set(keyring.Item{Key: s.item(k), Data: []byte(value), Label: "TonnyTray " + string(k)}); err != nil {
		return fmt.Errorf("set %s in %s: %w", k, s.backend.Label(), err)
	}
	return nil
}

// Has reports whether k has a value. The value is never returned or passed to OnSecret.
func (s *Store) Has(k Key) (bool, error) {
	if err := k.check(); err != nil {
		return false, err
	}
	present, err := s.present([]Key{k})
	if err != nil {
		return false, fmt.Errorf("has %s: %w", k, err)
	}
	return present[k], nil
}

// Status reports, for every known key, whether it has a value: the "configured" flags settings and the UI
// show. When the backend cannot be read every key reports false; Has returns the error.
func (s *Store) Status() map[Key]bool {
	keys := make([]Key, len(keyTable))
	for i, ki := range keyTable {
		keys[i] = ki.Key
	}
	present, err := s.present(keys)
	if err != nil {
		present = map[Key]bool{}
	}
	status := make(map[Key]bool, len(keys))
	for _, k := range keys {
		status[k] = present[k]
	}
	return status
}

// Delete removes k. Deleting a key that has no value is not an error.
func (s *Store) Delete(k Key) error {
	if err := k.check(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkReady(); err != nil {
		return fmt.Errorf("delete %s: %w", k, err)
	}
	err := s.ring.Remove(s.item(k))
	if err == nil || errors.Is(err, keyring.ErrKeyNotFound) || errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return fmt.Errorf("delete %s from %s: %w", k, s.backend.Label(), err)
}

// Get returns the value of k, or an error wrapping ErrNotFound.
//
// Get is for backend services (n8n client, TTS, message bus, Whisper) only. The app layer must never bind
// it, or anything that returns its result, to the UI: secrets are write-only from the UI's point of view.
func (s *Store) Get(k Key) (string, error) {
	if err := k.check(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkReady(); err != nil {
		return "", fmt.Errorf("get %s: %w", k, err)
	}
	it, err := s.ring.Get(s.item(k))
	if errors.Is(err, keyring.ErrKeyNotFound) || (err == nil && len(it.Data) == 0) {
		return "", fmt.Errorf("get %s: %w", k, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("get %s from %s: %w", k, s.backend.Label(), err)
	}
	value := string(it.Data)
	s.learn(value)
	return value, nil
}

// present reports which of keys have a value.
func (s *Store) present(keys []Key) (map[Key]bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkReady(); err != nil {
		return nil, err
	}
	found := make(map[Key]bool, len(keys))
	if s.lookupEach {
		for _, k := range keys {
			it, err := s.ring.Get(s.item(k))
			if err != nil && !errors.Is(err, keyring.ErrKeyNotFound) {
				return nil, fmt.Errorf("look up %s in %s: %w", k, s.backend.Label(), err)
			}
			found[k] = err == nil && len(it.Data) > 0
		}
		return found, nil
	}
	names, err := s.list()
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		found[k] = slices.Contains(names, s.item(k))
	}
	return found, nil
}

// list returns the item names in the backend; s.mu must be held.
func (s *Store) list() ([]string, error) {
	names, err := s.ring.Keys()
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", s.backend.Label(), err)
	}
	return names, nil
}

func (s *Store) item(k Key) string { return s.prefix + string(k) }

func (s *Store) checkReady() error {
	if s.ready == nil {
		return nil
	}
	return s.ready()
}

func (s *Store) learn(value string) {
	if s.onSecret != nil {
		s.onSecret(value)
	}
}
