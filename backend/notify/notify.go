// Package notify shows desktop notifications through the freedesktop Notifications service on the session bus
// (every Linux desktop has one; GNOME Shell, KDE Plasma, dunst, mako, xfce4-notifyd). Without one, Send says
// so and the caller still has the notice in the window and the log.
package notify

import (
	"errors"
	"fmt"
	"sync"

	"github.com/godbus/dbus/v5"
)

const (
	service = "org.freedesktop.Notifications"
	path    = "/org/freedesktop/Notifications"
	method  = service + ".Notify"
)

// Urgency levels of the specification.
const (
	Low      byte = 0
	Normal   byte = 1
	Critical byte = 2
)

// Notifier sends notifications; one replaces the previous of the same tag instead of stacking up.
type Notifier struct {
	app string
	mu  sync.Mutex
	bus *dbus.Conn
	ids map[string]uint32 // tag → the notification id to replace
}

// New makes a notifier for app (the name the desktop shows); the bus is connected on first use.
func New(app string) *Notifier { return &Notifier{app: app, ids: map[string]uint32{}} }

// ErrNoService is returned when no notification service runs on the session bus.
var ErrNoService = errors.New("no desktop notification service on the session bus")

// Send shows a notification. tag groups notifications that replace each other ("" = always a new one).
func (n *Notifier) Send(tag, summary, body string, urgency byte) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.bus == nil {
		conn, err := dbus.ConnectSessionBus()
		if err != nil {
			return fmt.Errorf("notify: session bus: %w", err)
		}
		n.bus = conn
	}
	var has bool
	if err := n.bus.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, service).Store(&has); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if !has {
		return ErrNoService
	}
	var id uint32
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(urgency)}
	timeout := int32(-1) // the server's default
	err := n.bus.Object(service, path).Call(method, 0, n.app, n.ids[tag], "tonnytray", summary, body, []string{}, hints, timeout).Store(&id)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if tag != "" {
		n.ids[tag] = id
	}
	return nil
}

// Close releases the bus connection.
func (n *Notifier) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.bus == nil {
		return nil
	}
	err := n.bus.Close()
	n.bus = nil
	return err
}
