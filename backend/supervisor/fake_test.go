package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeClock is a Clock that moves only when the test advances it.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{at: c.now.Add(d), ch: ch})
	return ch
}

// Advance moves the clock and fires every timer that is due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			kept = append(kept, w)
			continue
		}
		w.ch <- c.now
	}
	c.waiters = kept
}

// AdvanceTo moves the clock to t (if t is later).
func (c *fakeClock) AdvanceTo(t time.Time) {
	if d := t.Sub(c.Now()); d > 0 {
		c.Advance(d)
	}
}

// fakeSpawner hands out fakeProcs; the test makes them print, exit or fail.
type fakeSpawner struct {
	mu      sync.Mutex
	nextPID int
	err     error // when set, Spawn fails with it
	spawned int
	procs   chan *fakeProc
}

func newFakeSpawner() *fakeSpawner {
	return &fakeSpawner{nextPID: 1000, procs: make(chan *fakeProc, 100)}
}

func (f *fakeSpawner) Spawn(_ context.Context, c Command) (Process, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.spawned++
	if f.err != nil {
		return nil, f.err
	}
	f.nextPID++
	p := &fakeProc{pid: f.nextPID, cmd: c, done: make(chan struct{})}
	p.outR, p.outW = io.Pipe()
	p.errR, p.errW = io.Pipe()
	f.procs <- p
	return p, nil
}

func (f *fakeSpawner) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.spawned
}

func (f *fakeSpawner) setErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

// fakeProc is a pretend process: it exits when told, or on SIGTERM/SIGKILL unless ignoreTerm.
type fakeProc struct {
	pid        int
	cmd        Command
	outR, errR *io.PipeReader
	outW, errW *io.PipeWriter

	mu         sync.Mutex
	signals    []syscall.Signal
	ignoreTerm bool
	once       sync.Once
	done       chan struct{}
	err        error
}

func (p *fakeProc) PID() int          { return p.pid }
func (p *fakeProc) Stdout() io.Reader { return p.outR }
func (p *fakeProc) Stderr() io.Reader { return p.errR }

func (p *fakeProc) Wait() error {
	<-p.done
	return p.err
}

func (p *fakeProc) Signal(sig syscall.Signal) error {
	p.mu.Lock()
	p.signals = append(p.signals, sig)
	ignore := p.ignoreTerm && sig == syscall.SIGTERM
	p.mu.Unlock()
	select {
	case <-p.done:
		return errors.New("process already finished")
	default:
	}
	if !ignore {
		p.exit(fmt.Errorf("signal: %s", sig))
	}
	return nil
}

func (p *fakeProc) gotSignals() []syscall.Signal {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]syscall.Signal(nil), p.signals...)
}

// stderr writes a line; it returns once the supervisor has read it.
func (p *fakeProc) stderr(line string) { _, _ = io.WriteString(p.errW, line+"\n") }

// exit ends the process with err (nil: status 0), closing its output first, as a real exit does.
func (p *fakeProc) exit(err error) {
	p.once.Do(func() {
		p.outW.Close()
		p.errW.Close()
		p.err = err
		close(p.done)
	})
}

// exitStatus is an error that reads like a real exit status.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// eventually polls cond every few milliseconds until it holds, failing the test after limit.
func eventually(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: still not %s", limit, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// serve runs sup.Serve until the test ends, then checks that it returns in time and without error.
func serve(t testing.TB, sup *Supervisor) context.CancelFunc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sup.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("Serve did not return 30s after cancel")
		}
	})
	return cancel
}

// waitState waits (bounded) until ok holds and returns that status.
func waitState(t testing.TB, sup *Supervisor, what string, ok func(Status) bool) Status {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := sup.Wait(ctx, ok)
	if err != nil {
		t.Fatalf("waiting for %s: %v; status %+v", what, err, st)
	}
	return st
}

func is(s State) func(Status) bool { return func(st Status) bool { return st.State == s } }

func runningPID(old int) func(Status) bool {
	return func(st Status) bool { return st.State == Running && st.PID != 0 && st.PID != old }
}
