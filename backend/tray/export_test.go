package tray

import "time"

// RaceBridge works around a data race inside fyne.io/systray v1.12.2 that
// -race reports in these tests: the first GetLayout reads the menu revision
// under the menu lock and starts a goroutine that bumps it ~150 ms later under
// the instance lock, with nothing ordering the two. Until stop is called,
// every 5 ms this takes the menu lock and then the instance lock in one
// goroutine (by showing the first item again: a visible no-op), which orders
// the read before the bump. A fixed fyne reads the revision under its
// instance lock and this can go.
func RaceBridge(t *Tray) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				t.mu.Lock()
				if !t.stopped {
					t.toggle.Show()
				}
				t.mu.Unlock()
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
