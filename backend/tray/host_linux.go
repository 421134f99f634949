//go:build linux

package tray

import (
	"context"
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	watcherName = "org.kde.StatusNotifierWatcher"
	watcherPath = "/StatusNotifierWatcher"
	// itemPath is where fyne.io/systray exports the item; it registers it by
	// path, so the watcher pairs it with the sender's unique name.
	itemPath    = "/StatusNotifierItem"
	callTimeout = 5 * time.Second
)

// hostLink is how the tray follows the StatusNotifierWatcher. fyne.io/systray
// registers once at start and again on NameOwnerChanged, but reports nothing,
// has a window between its first attempt and its subscription, and shares its
// signal channel with everything else on dbus.SessionBus(). So the tray
// watches on a private connection and registers again itself, through fyne's
// connection, so the watcher sees the same item (it ignores the duplicate).
type hostLink struct {
	own *dbus.Conn // private: our subscriptions stay off fyne's connection
}

func openHostLink() (hostLink, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return hostLink{}, fmt.Errorf("session bus: %w", err)
	}
	return hostLink{own: conn}, nil
}

func (l hostLink) close() {
	if l.own != nil {
		_ = l.own.Close()
	}
}

// watchHost registers whenever a watcher appears and clears Available when
// it goes.
func (t *Tray) watchHost() {
	defer t.wg.Done()
	conn := t.hostLink.own
	sigs := make(chan *dbus.Signal, 16)
	conn.Signal(sigs)
	if err := conn.AddMatchSignal(
		dbus.WithMatchSender("org.freedesktop.DBus"),
		dbus.WithMatchObjectPath("/org/freedesktop/DBus"),
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, watcherName),
	); err != nil {
		t.log.Warn("cannot follow the tray host; a host that starts later will only be found by fyne", "err", err)
	}
	t.register() // a host already running (subscribed first, so none is missed)
	for {
		select {
		case sig, ok := <-sigs:
			if !ok || sig == nil {
				return
			}
			if sig.Name != "org.freedesktop.DBus.NameOwnerChanged" || len(sig.Body) < 3 {
				continue
			}
			if name, _ := sig.Body[0].(string); name != watcherName {
				continue
			}
			if owner, _ := sig.Body[2].(string); owner == "" {
				t.setAvailable(false, "the tray host left the bus")
			} else {
				t.register()
			}
		case <-t.done:
			return
		}
	}
}

func (t *Tray) register() {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	var owner string
	err := t.hostLink.own.BusObject().CallWithContext(ctx,
		"org.freedesktop.DBus.GetNameOwner", 0, watcherName).Store(&owner)
	if err != nil {
		t.setAvailable(false, "no tray host (StatusNotifierWatcher) on the session bus")
		return
	}
	shared, err := dbus.SessionBus() // fyne's connection, which exports the item
	if err == nil {
		err = shared.Object(watcherName, watcherPath).CallWithContext(ctx,
			watcherName+".RegisterStatusNotifierItem", 0, itemPath).Err
	}
	if err != nil {
		t.log.Warn("tray host refused the item", "host", owner, "err", err)
		t.setAvailable(false, "registration failed")
		return
	}
	t.setAvailable(true, "registered with the tray host")
}

func (t *Tray) setAvailable(on bool, why string) {
	if t.available.Swap(on) != on || t.reported.CompareAndSwap(false, true) {
		t.log.Info("tray availability", "available", on, "why", why)
	}
}
