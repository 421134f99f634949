package secret

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/99designs/keyring"

	"github.com/tonnytray/tonnytray/backend/paths"
)

// autoOrder is the constant order BackendAuto tries. The file backend is deliberately absent, and so is the
// kernel keyring: it lives in memory only, so keys kept there would vanish silently at the next reboot. Both
// can still be chosen explicitly in Settings.
var autoOrder = [...]Backend{BackendSecretService, BackendKWallet}

// fallbackHint ends every ErrNoKeychain message: the way out the user has.
const fallbackHint = " — you can choose the encrypted file fallback (or the kernel keyring, cleared at reboot) in Settings"

// Open opens the configured backend and probes it for real (a lookup or listing round trip), so a missing
// or dead keychain fails here with a clear message rather than on the first Set.
//
// BackendAuto tries the Secret Service, then KWallet. It moves on only
// when a backend is absent (no service on the session bus, no "login" collection); a keychain that is present but locked or failing stops the search with its error, so that
// secrets never end up split between two keychains. When every backend is absent the error wraps
// ErrNoKeychain and lists what is missing. The file backend is never chosen silently.
func Open(cfg Config) (*Store, error) {
	if cfg.ServiceName == "" {
		cfg.ServiceName = paths.AppName
	}
	if cfg.Backend == "" {
		cfg.Backend = BackendAuto
	}
	switch cfg.Backend {
	case BackendAuto:
		return openFirst(cfg, autoOrder[:])
	case BackendSecretService, BackendKWallet, BackendKeyCtl:
		s, u := openKeychain(cfg, cfg.Backend)
		if u != nil {
			return nil, fmt.Errorf("%w: %w"+fallbackHint, ErrNoKeychain, u)
		}
		return s, nil
	case BackendFile:
		return openFile(cfg)
	}
	return nil, fmt.Errorf("open keychain: unknown backend %q", cfg.Backend)
}

// openFirst opens the first usable backend of order (see Open).
func openFirst(cfg Config, order []Backend) (*Store, error) {
	var missing []any
	for _, b := range order {
		s, u := openKeychain(cfg, b)
		if u == nil {
			return s, nil
		}
		if !u.absent {
			return nil, fmt.Errorf("%w: %w"+fallbackHint, ErrNoKeychain, u)
		}
		missing = append(missing, u)
	}
	format := "%w: " + strings.TrimSuffix(strings.Repeat("%w; ", len(missing)), "; ") + fallbackHint
	return nil, fmt.Errorf(format, append([]any{ErrNoKeychain}, missing...)...)
}

// unavailable says, in words for the user, why one keychain backend cannot be used.
type unavailable struct {
	backend Backend
	reason  string
	absent  bool  // the keychain is not there at all: BackendAuto may move on to the next one
	locked  bool  // the keychain is there but locked: the error also matches ErrLocked
	cause   error // underlying error, if it adds anything; never carries a secret
}

func (u *unavailable) Error() string {
	msg := u.backend.Label() + ": " + u.reason
	if u.cause != nil {
		msg += " (" + u.cause.Error() + ")"
	}
	return msg
}

func (u *unavailable) Unwrap() []error {
	var errs []error
	if u.cause != nil {
		errs = append(errs, u.cause)
	}
	if u.locked {
		errs = append(errs, ErrLocked)
	}
	return errs
}

// openKeychain opens one OS keychain backend and probes it.
func openKeychain(cfg Config, b Backend) (*Store, *unavailable) {
	kc := keyring.Config{
		AllowedBackends: []keyring.BackendType{keyring.BackendType(b)},
		ServiceName:     cfg.ServiceName,
	}
	s := &Store{backend: b, onSecret: cfg.OnSecret}
	var u *unavailable
	switch b {
	case BackendSecretService:
		u = secretServicePreflight()
		kc.LibSecretCollectionName = loginCollection
		// The login collection is shared by every application: keep our item names apart.
		s.prefix = cfg.ServiceName + "/"
		// The library would answer a locked collection with an unlock prompt, and waits forever for a
		// prompt nobody can see in a headless session; check before each call instead.
		s.ready = secretServiceReady
		s.lookupEach = true
	case BackendKWallet:
		u = kwalletPreflight()
		kc.ServiceName = "kdewallet" // for KWallet, ServiceName is the wallet: use the user's default one
		kc.KWalletAppID = cfg.ServiceName
		kc.KWalletFolder = cfg.ServiceName
	case BackendKeyCtl:
		u = keyctlPreflight()
		kc.KeyCtlScope = "user"
		kc.KeyCtlPerm = keyctlPerm
	default:
		return nil, &unavailable{backend: b, reason: "not a keychain backend"}
	}
	if u != nil {
		return nil, u
	}
	ring, err := keyring.Open(kc)
	if err != nil {
		return nil, &unavailable{backend: b, reason: "could not be opened", cause: err}
	}
	s.ring = ring
	if _, err := s.present([]Key{N8NAuth}); err != nil { // a real round trip to the backend
		return nil, &unavailable{backend: b, reason: "listing the stored items failed", cause: err,
			locked: errors.Is(err, ErrLocked)}
	}
	return s, nil
}

// fileCheckItem is a known value stored with the file backend's password, so a wrong password is
// caught at Open and not by a later Get (the library would happily encrypt new items with any password).
const (
	fileCheckItem  = "tonnytray.password-check"
	fileCheckValue = "tonnytray"
)

// openFile opens the encrypted-file backend, asking cfg.FilePassword for the password once.
func openFile(cfg Config) (*Store, error) {
	if cfg.FilePassword == nil {
		return nil, fmt.Errorf("%w: the encrypted secrets file needs a password and none was asked for", ErrLocked)
	}
	dir := cfg.FileDir
	if dir == "" {
		dir = filepath.Join(paths.DataDir(), "keyring")
	}
	if err := paths.EnsurePrivateDir(dir); err != nil {
		return nil, fmt.Errorf("open encrypted secrets file: %w", err)
	}
	pw, err := cfg.FilePassword("Password for TonnyTray's encrypted secrets file (" + dir + ")")
	if err != nil {
		return nil, fmt.Errorf("%w: no password for the encrypted secrets file: %w", ErrLocked, err)
	}
	if pw == "" {
		return nil, fmt.Errorf("%w: the password for the encrypted secrets file is empty", ErrLocked)
	}
	if cfg.OnSecret != nil {
		cfg.OnSecret(pw)
	}
	ring, err := keyring.Open(keyring.Config{
		AllowedBackends:  []keyring.BackendType{keyring.FileBackend},
		ServiceName:      cfg.ServiceName,
		FileDir:          dir,
		FilePasswordFunc: keyring.FixedStringPrompt(pw),
	})
	if err != nil {
		return nil, fmt.Errorf("open encrypted secrets file: %w", err)
	}
	if err := checkFilePassword(ring, dir); err != nil {
		return nil, err
	}
	return &Store{ring: ring, backend: BackendFile, onSecret: cfg.OnSecret}, nil
}

// checkFilePassword verifies the password against the check item, or, on first use, against any item
// already there, and then records the check item.
func checkFilePassword(ring keyring.Keyring, dir string) error {
	wrong := func(err error) error {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("read encrypted secrets file: %w", err)
		}
		// The decryption error itself ("integrity check failed") tells the user nothing more.
		return fmt.Errorf("%w: wrong password for the encrypted secrets file in %s (or the file is damaged)", ErrLocked, dir)
	}
	it, err := ring.Get(fileCheckItem)
	switch {
	case err == nil && string(it.Data) == fileCheckValue:
		return nil
	case err == nil:
		return wrong(nil)
	case !errors.Is(err, keyring.ErrKeyNotFound):
		return wrong(err)
	}
	names, err := ring.Keys()
	if err != nil {
		return fmt.Errorf("list encrypted secrets file: %w", err)
	}
	if len(names) > 0 { // one item that decrypts proves the password
		if _, err := ring.Get(names[0]); err != nil {
			return wrong(err)
		}
	}
	if err := ring.Set(keyring.Item{Key: fileCheckItem, Data: []byte(fileCheckValue)}); err != nil {
		return fmt.Errorf("write encrypted secrets file: %w", err)
	}
	return nil
}
