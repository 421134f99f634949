//go:build !linux || !cgo

package hotkey

// Manager is a stand-in where global shortcuts are not implemented (only X11 on Linux with cgo is).
type Manager struct{ events chan Event }

// Start reports shortcuts unavailable on this platform.
func Start(bindings []Binding, getenv func(string) string) (*Manager, <-chan Event) {
	m := &Manager{events: make(chan Event)}
	return m, m.events
}

// Status reports shortcuts unavailable.
func (m *Manager) Status() Status {
	return Status{Reason: "global shortcuts are only implemented for X11 on Linux: bind `tonnytray toggle` in " +
		"your desktop's shortcut settings"}
}

// Rebind does nothing here.
func (m *Manager) Rebind(bindings []Binding) Status { return m.Status() }

// Stop closes the event channel.
func (m *Manager) Stop() {
	if m.events != nil {
		close(m.events)
		m.events = nil
	}
}
