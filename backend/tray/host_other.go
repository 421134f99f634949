//go:build !linux

package tray

// Elsewhere the tray is the system's own notification area: always there.
type hostLink struct{}

func openHostLink() (hostLink, error) { return hostLink{}, nil }

func (hostLink) close() {}

func (t *Tray) watchHost() {
	defer t.wg.Done()
	t.available.Store(true)
}
