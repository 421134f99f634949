// Package supervisor runs one child process as a service: it starts it, waits until it is ready, notices at
// once when it exits, restarts it with exponential backoff, gives up after a crash loop, and stops it
// gracefully (SIGTERM to its process group, SIGKILL after a grace period). It can also adopt a server that
// someone else already runs, watching it without ever signalling it.
//
// All state changes happen on the goroutine that runs Serve; the commands (Start, Stop, Restart) only record
// what is wanted and wake it, so they are safe from any goroutine and never block.
package supervisor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// State is where the supervised process is in its life.
type State string

// The states. Stopped and Failed are at rest; the others have a process, or are about to have one.
const (
	Stopped  State = "stopped"  // nothing runs, nothing will until Start
	Starting State = "starting" // spawned, waiting for the Ready probe
	Running  State = "running"  // ready (or an adopted external server that answers)
	Backoff  State = "backoff"  // crashed; the next try is at NextTry
	Stopping State = "stopping" // SIGTERM sent, waiting for the exit (SIGKILL after the grace period)
	Failed   State = "failed"   // gave up after a crash loop; Reason says why. Start tries again.
)

// Status is a snapshot of the supervisor, for the UI and the CLI.
type Status struct {
	State        State     `json:"state"`
	PID          int       `json:"pid"`          // 0 when no process of ours runs
	Since        time.Time `json:"since"`        // when this state was entered
	StartedAt    time.Time `json:"startedAt"`    // when the current process was spawned (or adopted)
	Restarts     int       `json:"restarts"`     // restarts in the current window, at most MaxRestarts
	LastError    string    `json:"lastError"`    // why the last run ended, with its last output lines
	NextTry      time.Time `json:"nextTry"`      // in Backoff: when the next start happens
	Reason       string    `json:"reason"`       // in Failed: why the supervisor gave up
	External     bool      `json:"external"`     // running, but adopted: not ours, never signalled
	LastLines    []string  `json:"lastLines"`    // the last output lines, both streams (each in order)
	DroppedLines uint64    `json:"droppedLines"` // lines OnLine did not keep up with, since New
}

// Command is one way to run the child. Secrets go in Env, never in Args: the arguments of every process
// are readable by every local user.
type Command struct {
	Path string   // the program; looked up in the app's PATH when it has no slash
	Args []string // the arguments after the program name
	Env  []string // the child's whole environment ("K=V"); nil means the app's own, as in os/exec
	Dir  string   // working directory; "" means the app's
}

// Spec describes the process and the policy. Zero durations and counts take the defaults noted.
type Spec struct {
	// Name names the process in errors and in Reason, e.g. "whisper-server". Default "process".
	Name string
	// Command builds the command line. It is called before every start, so settings changes apply on the
	// next start; an error counts as a crash (the supervisor retries with backoff).
	Command func(ctx context.Context) (Command, error)
	// Ready is the readiness probe, called every ReadyInterval until it returns nil; its ctx ends when the
	// supervisor stops waiting, and it should return soon after. Nil means ready as soon as spawned.
	Ready func(ctx context.Context) error
	// ReadyTimeout bounds the wait for Ready; 0 means no limit (a first start may download models for
	// minutes). Timing out counts as a crash: the process is stopped and retried with backoff.
	ReadyTimeout time.Duration
	// ReadyInterval is the pause between probes. Default 250ms.
	ReadyInterval time.Duration
	// Adopt, when set, is asked before every spawn whether a server already answers (one the user or an
	// earlier app started). If so the supervisor spawns nothing and reports Running with External and PID 0;
	// it never signals that server. It probes it with Ready (Adopt when Ready is nil) every HealthInterval,
	// and when a probe fails it goes Stopped and then starts its own process.
	Adopt func(ctx context.Context) bool
	// HealthInterval is the pause between probes of an adopted server; each probe gets this long to answer.
	// Default 2s.
	HealthInterval time.Duration
	// StopGrace is how long a process gets to exit after SIGTERM before SIGKILL. Default 5s.
	StopGrace time.Duration
	// MinUptime is how long a process must stay Running (counted from readiness) for its start to count as
	// a success: at that moment the crash history and the backoff are reset, so a later crash is restart 1
	// again, after the initial delay. A process that exits sooner, or never gets ready, adds a crash.
	// Default 10s.
	MinUptime time.Duration
	// MaxRestarts is how many restarts are allowed within RestartWindow: the crash after that many
	// restarts (crash MaxRestarts+1 inside the window) moves to Failed. Default 3; negative means never
	// restart (the first crash fails).
	MaxRestarts int
	// RestartWindow is the sliding window crashes are counted in; older crashes are forgotten. Default 5m.
	RestartWindow time.Duration
	// BackoffInitial and BackoffMax bound the delay before a restart: it doubles from BackoffInitial up to
	// BackoffMax, each delay jittered by ±20%. Defaults 1s and 32s.
	BackoffInitial, BackoffMax time.Duration
	// OnLine receives every output line of the child (stream is "stdout" or "stderr") on a goroutine of its
	// own. It never blocks the child: lines wait in a bounded buffer, and when OnLine falls behind the
	// newest lines are dropped and counted in Status.DroppedLines.
	OnLine func(stream, line string)
	// OnState is called with the new status on every change, in order, from the goroutine running Serve.
	// It must not block for long and must not wait for the supervisor.
	OnState func(Status)
	// AutoStart makes Serve start the process at once; otherwise it waits for Start.
	AutoStart bool
	// Clock is the time source for the policy (backoff, window, grace, timeouts). Nil means real time.
	Clock Clock
	// Spawner starts processes. Nil means ExecSpawner (os/exec, own process group, dies with the app).
	Spawner Spawner
}

// Defaults for the zero fields of Spec.
const (
	DefaultReadyInterval  = 250 * time.Millisecond
	DefaultHealthInterval = 2 * time.Second
	DefaultStopGrace      = 5 * time.Second
	DefaultMinUptime      = 10 * time.Second
	DefaultMaxRestarts    = 3
	DefaultRestartWindow  = 5 * time.Minute
	DefaultBackoffInitial = time.Second
	DefaultBackoffMax     = 32 * time.Second
)

const (
	// backoffJitter spreads each delay over ±20% of its nominal value.
	backoffJitter = 0.2
	// lastLinesKept is how many output lines Status.LastLines holds.
	lastLinesKept = 20
	// lastLinesInError is how many of them go into LastError and Reason, which are one line each.
	lastLinesInError = 5
	// lineBuffer is how many lines may wait for a slow OnLine before new ones are dropped.
	lineBuffer = 1024
	// maxLineBytes cuts absurdly long lines (a progress bar without newlines) so memory stays bounded.
	maxLineBytes = 8 << 10
	// drainTimeout bounds the wait for the last output after an exit: normally the pipes close with the
	// process group, but a descendant that escaped the group could hold them open.
	drainTimeout = time.Second
	// killTimeout bounds the wait after SIGKILL; only a process stuck in the kernel outlives it.
	killTimeout = 5 * time.Second
)

// command is what the last Start/Stop/Restart asked for; later ones overwrite earlier ones.
type command int

const (
	cmdNone command = iota
	cmdStart
	cmdStop
	cmdRestart
)

// phase is the Serve loop's next step.
type phase int

const (
	phIdle    phase = iota // Stopped or Failed: wait for a command
	phLaunch               // adopt or spawn
	phBackoff              // wait for the backoff timer
	phDone                 // ctx is done: return
)

// Supervisor runs one child process. Create it with New (the zero value is not usable) and run Serve.
type Supervisor struct {
	spec    Spec
	kick    chan struct{} // wakes Serve after a command; capacity 1, commands coalesce in pending
	serving atomic.Bool
	dropped atomic.Uint64

	mu      sync.Mutex
	st      Status
	changed chan struct{} // closed and replaced on every status change, for Wait
	pending command
	lines   []string // the last output lines of the current process
	lineGen uint64   // which process lines belong to; late lines of an earlier one are ignored

	// Owned by the goroutine running Serve.
	crashes []time.Time // crash times inside the window, oldest first
	bo      *backoff.ExponentialBackOff
	lastErr string
	timer   <-chan time.Time // the backoff timer
}

// New returns a stopped supervisor for spec, with defaults filled in.
func New(spec Spec) *Supervisor {
	if spec.Name == "" {
		spec.Name = "process"
	}
	spec.ReadyInterval = orDefault(spec.ReadyInterval, DefaultReadyInterval)
	spec.HealthInterval = orDefault(spec.HealthInterval, DefaultHealthInterval)
	spec.StopGrace = orDefault(spec.StopGrace, DefaultStopGrace)
	spec.MinUptime = orDefault(spec.MinUptime, DefaultMinUptime)
	spec.RestartWindow = orDefault(spec.RestartWindow, DefaultRestartWindow)
	spec.BackoffInitial = orDefault(spec.BackoffInitial, DefaultBackoffInitial)
	spec.BackoffMax = max(orDefault(spec.BackoffMax, DefaultBackoffMax), spec.BackoffInitial)
	switch {
	case spec.MaxRestarts == 0:
		spec.MaxRestarts = DefaultMaxRestarts
	case spec.MaxRestarts < 0:
		spec.MaxRestarts = 0
	}
	if spec.Clock == nil {
		spec.Clock = realClock{}
	}
	if spec.Spawner == nil {
		spec.Spawner = ExecSpawner{}
	}
	s := &Supervisor{
		spec:    spec,
		kick:    make(chan struct{}, 1),
		changed: make(chan struct{}),
		bo: &backoff.ExponentialBackOff{
			InitialInterval:     spec.BackoffInitial,
			RandomizationFactor: backoffJitter,
			Multiplier:          2,
			MaxInterval:         spec.BackoffMax,
		},
	}
	s.bo.Reset()
	s.st = Status{State: Stopped, Since: spec.Clock.Now()}
	return s
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Start asks for the process to run. From Stopped or Failed it starts afresh (the crash history is
// cleared); in Backoff it tries at once; otherwise it does nothing. It does not wait: use Wait.
func (s *Supervisor) Start() {
	s.post(func(prev command) command {
		if prev == cmdStop || prev == cmdRestart {
			return cmdRestart // Stop then Start before Serve noticed: the process must end and start again
		}
		return cmdStart
	})
}

// Stop asks for the process to stop gracefully and stay stopped (no restart). An adopted server is only
// let go, never signalled. It does not wait: use Wait.
func (s *Supervisor) Stop() { s.post(func(command) command { return cmdStop }) }

// Restart asks for the process to stop gracefully and start again with a fresh crash history, e.g. after
// its settings changed. From Stopped or Failed it simply starts. It does not wait: use Wait.
func (s *Supervisor) Restart() { s.post(func(command) command { return cmdRestart }) }

func (s *Supervisor) post(next func(prev command) command) {
	s.mu.Lock()
	s.pending = next(s.pending)
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default: // already woken; it will read pending
	}
}

func (s *Supervisor) take() command {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.pending
	s.pending = cmdNone
	return c
}

// Status returns the current status.
func (s *Supervisor) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshotLocked()
}

func (s *Supervisor) snapshotLocked() Status {
	st := s.st
	st.LastLines = append(make([]string, 0, len(s.lines)), s.lines...)
	st.DroppedLines = s.dropped.Load()
	return st
}

// Wait blocks until ok holds for the current status, or ctx ends. It looks at the latest status each time
// it changes, so a state that lasts only an instant may be missed; OnState sees every change.
func (s *Supervisor) Wait(ctx context.Context, ok func(Status) bool) (Status, error) {
	for {
		s.mu.Lock()
		st, ch := s.snapshotLocked(), s.changed
		s.mu.Unlock()
		if ok(st) {
			return st, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return st, fmt.Errorf("wait for %s (now %s): %w", s.spec.Name, st.State, ctx.Err())
		}
	}
}

// Serve runs the supervisor until ctx is done; then it stops the process gracefully (SIGTERM to its group,
// SIGKILL after StopGrace), leaves an adopted server alone, and returns. It returns an error only when the
// spec has no Command, when Serve already runs, or when the process survived SIGKILL. Serve may be called
// again after it returned.
func (s *Supervisor) Serve(ctx context.Context) error {
	if s.spec.Command == nil {
		return fmt.Errorf("supervisor %s: Spec.Command is nil", s.spec.Name)
	}
	if !s.serving.CompareAndSwap(false, true) {
		return fmt.Errorf("supervisor %s: Serve is already running", s.spec.Name)
	}
	defer s.serving.Store(false)

	if s.spec.AutoStart {
		s.post(func(prev command) command {
			if prev == cmdNone {
				return cmdStart
			}
			return prev
		})
	}
	next := phIdle
	var err error
	for next != phDone && err == nil {
		switch next {
		case phIdle:
			next = s.idle(ctx)
		case phLaunch:
			next, err = s.launch(ctx)
		case phBackoff:
			next = s.waitBackoff(ctx)
		}
	}
	if st := s.Status().State; st != Stopped && st != Failed {
		s.enter(Status{State: Stopped})
	}
	return err
}

// idle waits in Stopped or Failed for Start or Restart.
func (s *Supervisor) idle(ctx context.Context) phase {
	for {
		select {
		case <-ctx.Done():
			return phDone
		case <-s.kick:
			switch s.take() {
			case cmdStart, cmdRestart:
				s.resetHistory()
				return phLaunch
			case cmdStop:
				if s.Status().State == Failed {
					s.enter(Status{State: Stopped}) // acknowledged: the reason is no longer current
				}
			}
		}
	}
}

// waitBackoff waits out the delay set by crashed; Start skips it, Stop cancels the restart.
func (s *Supervisor) waitBackoff(ctx context.Context) phase {
	for {
		select {
		case <-ctx.Done():
			return phDone
		case <-s.timer:
			return phLaunch
		case <-s.kick:
			switch s.take() {
			case cmdStart:
				return phLaunch
			case cmdRestart:
				s.resetHistory()
				return phLaunch
			case cmdStop:
				s.enter(Status{State: Stopped})
				return phIdle
			}
		}
	}
}

// launch adopts a running server or spawns a process, and stays with it until it ends, is stopped, or
// ctx is done.
func (s *Supervisor) launch(ctx context.Context) (phase, error) {
	if s.spec.Adopt != nil && s.spec.Adopt(ctx) {
		return s.adopted(ctx), nil
	}
	if ctx.Err() != nil {
		return phDone, nil
	}
	c, err := s.spec.Command(ctx)
	if err != nil {
		return s.crashed(fmt.Sprintf("build the command: %v", err)), nil
	}
	gen := s.resetLines()
	p, err := s.spec.Spawner.Spawn(ctx, c)
	if err != nil {
		return s.crashed(fmt.Sprintf("spawn: %v", err)), nil
	}
	r := s.watch(p, gen)
	r.startedAt = s.clock().Now()

	next, ready, err := s.starting(ctx, r)
	if !ready {
		return next, err
	}
	return s.running(ctx, r)
}

// starting waits for the Ready probe while watching for an early exit. ready reports whether the process
// became ready; if not, next and err say what to do.
func (s *Supervisor) starting(ctx context.Context, r *proc) (next phase, ready bool, err error) {
	var readyCh <-chan struct{}
	var lastProbe atomic.Pointer[error]
	if s.spec.Ready == nil {
		c := make(chan struct{})
		close(c)
		readyCh = c
	} else {
		pctx, cancel := context.WithCancel(ctx)
		defer cancel() // ends the probe goroutine however we leave
		readyCh = s.probe(pctx, &lastProbe)
	}
	var timeout <-chan time.Time
	if s.spec.ReadyTimeout > 0 {
		timeout = s.clock().After(s.spec.ReadyTimeout)
	}
	s.enter(Status{State: Starting, PID: r.pid, StartedAt: r.startedAt})
	for {
		select {
		case res := <-r.exited:
			r.drain()
			return s.crashed(s.withOutput("exited before it was ready: " + exitText(res))), false, nil
		case <-readyCh:
			return 0, true, nil
		case <-timeout:
			msg := fmt.Sprintf("not ready after %s", s.spec.ReadyTimeout)
			if e := lastProbe.Load(); e != nil {
				msg += "; last probe: " + (*e).Error()
			}
			if err := s.stop(r); err != nil {
				return s.fail(err), false, nil
			}
			return s.crashed(s.withOutput(msg)), false, nil
		case <-s.kick:
			if next, done, err := s.command(r); done {
				return next, false, err
			}
		case <-ctx.Done():
			return phDone, false, s.stop(r)
		}
	}
}

// running watches a ready process until it exits, is stopped, or ctx is done.
func (s *Supervisor) running(ctx context.Context, r *proc) (phase, error) {
	upTimer := s.clock().After(s.spec.MinUptime) // armed before the status shows Running, for fake clocks
	s.enter(Status{State: Running, PID: r.pid, StartedAt: r.startedAt})
	for {
		select {
		case res := <-r.exited:
			r.drain()
			return s.crashed(s.withOutput(exitText(res))), nil
		case <-upTimer:
			upTimer = nil
			s.crashes, s.lastErr = nil, ""
			s.bo.Reset()
			s.update(func(st *Status) { st.Restarts, st.LastError = 0, "" })
		case <-s.kick:
			if next, done, err := s.command(r); done {
				return next, err
			}
		case <-ctx.Done():
			return phDone, s.stop(r)
		}
	}
}

// command handles Start/Stop/Restart while a process of ours runs; done reports that it ended the process.
func (s *Supervisor) command(r *proc) (next phase, done bool, err error) {
	switch s.take() {
	case cmdStop:
		if err := s.stop(r); err != nil {
			return s.fail(err), true, nil
		}
		s.enter(Status{State: Stopped})
		return phIdle, true, nil
	case cmdRestart:
		if err := s.stop(r); err != nil {
			return s.fail(err), true, nil
		}
		s.resetHistory()
		return phLaunch, true, nil
	}
	return 0, false, nil
}

// adopted watches a server someone else started. It never signals it.
func (s *Supervisor) adopted(ctx context.Context) phase {
	tick := s.clock().After(s.spec.HealthInterval)
	s.enter(Status{State: Running, External: true, StartedAt: s.clock().Now()})
	for {
		select {
		case <-ctx.Done():
			return phDone
		case <-s.kick:
			switch s.take() {
			case cmdStop:
				s.enter(Status{State: Stopped})
				return phIdle
			case cmdRestart:
				// Not ours to restart: let it go and decide afresh (adopt it again if it still answers).
				s.resetHistory()
				s.enter(Status{State: Stopped})
				return phLaunch
			}
		case <-tick:
			if err := s.health(ctx); err != nil {
				if ctx.Err() != nil {
					return phDone
				}
				s.lastErr = "the adopted server stopped answering: " + err.Error()
				s.enter(Status{State: Stopped})
				return phLaunch
			}
			tick = s.clock().After(s.spec.HealthInterval)
		}
	}
}

// health probes an adopted server once, giving it HealthInterval to answer.
func (s *Supervisor) health(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.spec.HealthInterval)
	defer cancel()
	if s.spec.Ready != nil {
		return s.spec.Ready(ctx)
	}
	if !s.spec.Adopt(ctx) {
		return errors.New("no answer")
	}
	return nil
}

// probe calls Ready every ReadyInterval until it succeeds (closing the returned channel) or ctx ends.
func (s *Supervisor) probe(ctx context.Context, last *atomic.Pointer[error]) <-chan struct{} {
	ready := make(chan struct{})
	go func() {
		for {
			err := s.spec.Ready(ctx)
			if err == nil {
				close(ready)
				return
			}
			last.Store(&err)
			select {
			case <-ctx.Done():
				return
			case <-s.clock().After(s.spec.ReadyInterval):
			}
		}
	}()
	return ready
}

// stop ends the process: SIGTERM to its group, SIGKILL when it is still there after StopGrace. It returns
// once the process has exited, or an error if it outlived SIGKILL.
func (s *Supervisor) stop(r *proc) error {
	grace := s.clock().After(s.spec.StopGrace) // armed before the status shows Stopping, for fake clocks
	s.enter(Status{State: Stopping, PID: r.pid, StartedAt: r.startedAt})
	_ = r.p.Signal(syscall.SIGTERM) // an error means it is already gone; the exit is on its way
	select {
	case <-r.exited:
	case <-grace:
		_ = r.p.Signal(syscall.SIGKILL)
		t := time.NewTimer(killTimeout) // real time: this is about the kernel, not the policy
		defer t.Stop()
		select {
		case <-r.exited:
		case <-t.C:
			return fmt.Errorf("stop %s: pid %d still there %s after SIGKILL", s.spec.Name, r.pid, killTimeout)
		}
	}
	r.drain()
	return nil
}

// fail moves to Failed because the process could not be stopped.
func (s *Supervisor) fail(err error) phase {
	s.lastErr = err.Error()
	s.enter(Status{State: Failed, Reason: err.Error()})
	return phIdle
}

// crashed records an unexpected end (an exit, a failed spawn, a readiness timeout) and moves to Backoff
// with the next delay, or to Failed when this crash exceeds MaxRestarts within RestartWindow.
func (s *Supervisor) crashed(msg string) phase {
	now := s.clock().Now()
	s.lastErr = msg
	s.prune(now)
	s.crashes = append(s.crashes, now)
	if len(s.crashes) > s.spec.MaxRestarts {
		reason := fmt.Sprintf("%s crashed %d times in %s; last error: %s",
			s.spec.Name, len(s.crashes), s.spec.RestartWindow, msg)
		s.enter(Status{State: Failed, Reason: reason})
		return phIdle
	}
	d := s.bo.NextBackOff()
	s.timer = s.clock().After(d) // armed before the status shows Backoff, for fake clocks
	s.enter(Status{State: Backoff, NextTry: now.Add(d)})
	return phBackoff
}

// prune forgets crashes that left the window; with none left, the backoff starts over.
func (s *Supervisor) prune(now time.Time) {
	cut := now.Add(-s.spec.RestartWindow)
	i := 0
	for i < len(s.crashes) && !s.crashes[i].After(cut) {
		i++
	}
	s.crashes = s.crashes[i:]
	if len(s.crashes) == 0 {
		s.bo.Reset()
	}
}

func (s *Supervisor) resetHistory() {
	s.crashes, s.lastErr = nil, ""
	s.bo.Reset()
}

// enter publishes a new state. It fills in Since, Restarts and LastError; the caller sets the rest.
func (s *Supervisor) enter(st Status) {
	now := s.clock().Now()
	s.prune(now)
	st.Since = now
	st.Restarts = min(len(s.crashes), s.spec.MaxRestarts)
	st.LastError = s.lastErr
	s.update(func(cur *Status) { *cur = st })
}

// update changes the status in place, wakes Wait and calls OnState.
func (s *Supervisor) update(change func(*Status)) {
	s.mu.Lock()
	change(&s.st)
	snap := s.snapshotLocked()
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	if s.spec.OnState != nil {
		s.spec.OnState(snap)
	}
}

func (s *Supervisor) clock() Clock { return s.spec.Clock }

// withOutput appends the last output lines to msg, so a crash explains itself.
func (s *Supervisor) withOutput(msg string) string {
	s.mu.Lock()
	last := s.lines[max(0, len(s.lines)-lastLinesInError):]
	out := strings.Join(last, " | ")
	s.mu.Unlock()
	if out == "" {
		return msg
	}
	return msg + "; last output: " + out
}

// exitText describes a process's exit.
func exitText(err error) string {
	if err == nil {
		return "exited with status 0"
	}
	return err.Error() // e.g. "exit status 1", "signal: killed"
}
