package secret

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/99designs/keyring"
	"github.com/godbus/dbus"
	"golang.org/x/sys/unix"
)

const (
	secretsBusName = "org.freedesktop.secrets"
	loginPath      = dbus.ObjectPath("/org/freedesktop/secrets/collection/" + loginCollection)
	kwalletBusName = "org.kde.kwalletd5" // the name 99designs/keyring v1.2.2 talks to
	// busTimeout bounds each preflight call; it covers D-Bus activation of a keyring daemon.
	busTimeout = 15 * time.Second
)

// keyctlPerm gives the possessor and the user every right on TonnyTray's kernel keys. The library default
// grants the user only "view", and a process does not "possess" keys in the user keyring unless its
// session keyring links it, so without this the app could not read back what it stored.
const keyctlPerm uint32 = keyring.KEYCTL_PERM_ALL<<keyring.KEYCTL_PERM_PROCESS | keyring.KEYCTL_PERM_ALL<<keyring.KEYCTL_PERM_USER

// sessionBus returns the shared session bus connection 99designs/keyring opened while initialising, or
// nil when there was no session bus then (the library registers its D-Bus backends only in that case).
// Never call dbus.SessionBus otherwise: after a failure it would try again and launch a stray
// dbus-daemon through dbus-launch.
func sessionBus(b keyring.BackendType) *dbus.Conn {
	if !slices.Contains(keyring.AvailableBackends(), b) {
		return nil
	}
	conn, err := dbus.SessionBus() // cached: no new connection, no launch
	if err != nil {
		return nil
	}
	return conn
}

// noBus is the reason given when the process has no session bus.
const noBus = "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS was unset or unreachable when TonnyTray started)"

// nameAvailable reports whether name is owned on the bus or can be started by D-Bus activation.
func nameAvailable(ctx context.Context, conn *dbus.Conn, name string) (bool, error) {
	bus := conn.BusObject()
	var owned bool
	if err := bus.CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, name).Store(&owned); err != nil {
		return false, err
	}
	if owned {
		return true, nil
	}
	var activatable []string
	if err := bus.CallWithContext(ctx, "org.freedesktop.DBus.ListActivatableNames", 0).Store(&activatable); err != nil {
		return false, err
	}
	return slices.Contains(activatable, name), nil
}

// loginLocked reads the Locked property of the login collection.
func loginLocked(ctx context.Context, conn *dbus.Conn) (bool, error) {
	var v dbus.Variant
	err := conn.Object(secretsBusName, loginPath).
		CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, "org.freedesktop.Secret.Collection", "Locked").
		Store(&v)
	if err != nil {
		return false, err
	}
	locked, ok := v.Value().(bool)
	if !ok {
		return false, fmt.Errorf("the Locked property is a %s, not a boolean", v.Signature())
	}
	return locked, nil
}

// noSuchObject reports whether err is the Secret Service saying the collection does not exist
// (gnome-keyring answers UnknownMethod "Object does not exist at path", others UnknownObject).
func noSuchObject(err error) bool {
	var de dbus.Error
	if !errors.As(err, &de) {
		return false
	}
	switch de.Name {
	case "org.freedesktop.DBus.Error.UnknownObject", "org.freedesktop.DBus.Error.UnknownMethod",
		"org.freedesktop.DBus.Error.UnknownInterface", "org.freedesktop.Secret.Error.NoSuchObject":
		return true
	}
	return false
}

// notStarted reports whether err is the bus saying the service is not there or failed to start by
// activation (org.freedesktop.DBus.Error.Spawn.*).
func notStarted(err error) bool {
	var de dbus.Error
	if !errors.As(err, &de) {
		return false
	}
	return de.Name == "org.freedesktop.DBus.Error.ServiceUnknown" || de.Name == "org.freedesktop.DBus.Error.NameHasNoOwner" ||
		strings.HasPrefix(de.Name, "org.freedesktop.DBus.Error.Spawn.")
}

// secretServicePreflight checks, without ever triggering an unlock prompt, that the Secret Service is on
// the bus and its login collection exists and is unlocked.
func secretServicePreflight() *unavailable {
	u := func(reason string, absent bool, cause error) *unavailable {
		return &unavailable{backend: BackendSecretService, reason: reason, absent: absent, cause: cause}
	}
	conn := sessionBus(keyring.SecretServiceBackend)
	if conn == nil {
		return u(noBus, true, nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), busTimeout)
	defer cancel()
	ok, err := nameAvailable(ctx, conn, secretsBusName)
	if err != nil {
		return u("the session bus did not answer", true, err)
	}
	if !ok {
		return u("no "+secretsBusName+" on the session bus (start gnome-keyring, or KeePassXC with its Secret Service integration)", true, nil)
	}
	locked, err := loginLocked(ctx, conn)
	switch {
	case notStarted(err):
		return u("no "+secretsBusName+" on the session bus: D-Bus could not start it", true, err)
	case noSuchObject(err):
		return u("the Secret Service has no \""+loginCollection+"\" collection (the desktop login keyring)", true, nil)
	case err != nil:
		return u("the Secret Service did not answer", false, err)
	case locked:
		v := u("the \""+loginCollection+"\" keyring is locked: unlock it (log in to the desktop session, or open Passwords and Keys)", false, nil)
		v.locked = true
		return v
	}
	return nil
}

// secretServiceReady fails with ErrLocked when the login collection was locked after Open.
func secretServiceReady() error {
	conn := sessionBus(keyring.SecretServiceBackend)
	if conn == nil {
		return errors.New("Secret Service: " + noBus)
	}
	ctx, cancel := context.WithTimeout(context.Background(), busTimeout)
	defer cancel()
	locked, err := loginLocked(ctx, conn)
	if err != nil {
		return fmt.Errorf("Secret Service %q collection: %w", loginCollection, err)
	}
	if locked {
		return fmt.Errorf("%w: the Secret Service %q keyring is locked; unlock it and try again", ErrLocked, loginCollection)
	}
	return nil
}

// kwalletPreflight checks that KWallet is on the session bus.
func kwalletPreflight() *unavailable {
	u := func(reason string, cause error) *unavailable {
		return &unavailable{backend: BackendKWallet, reason: reason, absent: true, cause: cause}
	}
	conn := sessionBus(keyring.KWalletBackend)
	if conn == nil {
		return u(noBus+" or DISABLE_KWALLET=1", nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), busTimeout)
	defer cancel()
	ok, err := nameAvailable(ctx, conn, kwalletBusName)
	if err != nil {
		return u("the session bus did not answer", err)
	}
	if !ok {
		return u("no "+kwalletBusName+" on the session bus", nil)
	}
	return nil
}

// keyctlPreflight checks that the kernel lets this process use its user keyring; container seccomp
// profiles (Docker's default among them) refuse the keyctl system calls.
func keyctlPreflight() *unavailable {
	if _, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_USER_KEYRING, true); err != nil {
		return &unavailable{backend: BackendKeyCtl, absent: true, cause: err,
			reason: "the kernel refused keyctl on the user keyring (containers often block it)"}
	}
	return nil
}
