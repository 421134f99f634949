//go:build linux && cgo

package hotkey

/*
#cgo LDFLAGS: -lX11
#include <stdlib.h>
#include "x11_linux.h"
*/
import "C"

import (
	"fmt"
	"slices"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/tonnytray/tonnytray/backend/settings"
)

// X core modifier masks (X.h) and the keysyms used to find where Alt, Super and NumLock sit.
const (
	maskShift   = 1 << 0
	maskLock    = 1 << 1
	maskControl = 1 << 2
	maskMod1    = 1 << 3
	maskMod2    = 1 << 4
	maskMod4    = 1 << 6

	keysymNumLock = 0xff7f
	keysymAltL    = 0xffe9
	keysymSuperL  = 0xffeb

	xBadAccess = 10
)

// Manager owns one X connection with the grabbed shortcuts. Its methods are safe for concurrent use.
type Manager struct {
	callMu sync.Mutex // one Rebind/Stop in flight; guards wakeW
	mu     sync.Mutex // guards status
	status Status

	cmds   chan command
	wakeW  int
	done   chan struct{}
	events chan Event
	stop   sync.Once
}

// command is a request to the loop goroutine, which alone touches the X connection.
type command struct {
	bindings []Binding // nil with stop
	stop     bool
	reply    chan Status
}

// grab is one grabbed shortcut.
type grab struct {
	name    string
	keycode C.int
	mods    C.uint
}

// conn is the loop goroutine's view of the X connection.
type conn struct {
	dpy         *C.Display
	numlock     C.uint
	alt, super  C.uint
	relevant    C.uint // modifier bits that tell shortcuts apart
	grabs       []grab
	down        map[C.uint]string // keycode → binding name of a key that is down
	warning     string
	conflicts   map[string]string
	dropped     uint64
	events      chan<- Event
	statusStore func(Status)
}

// Start grabs the bindings on the X display in DISPLAY. It never touches X when DISPLAY is empty (Wayland
// without XWayland, headless): then Status.Available is false with the reason and the CLI commands to bind
// instead. A binding whose grab fails is reported in Status.Conflicts and the others still work. Events
// arrive on the channel, which is closed after Stop (or when the X connection is lost).
func Start(bindings []Binding, getenv func(string) string) (*Manager, <-chan Event) {
	m := &Manager{events: make(chan Event, eventBuffer), done: make(chan struct{}), wakeW: -1}
	display, reason, ok := sessionReason(getenv)
	if !ok {
		m.status = Status{Reason: reason}
		close(m.done)
		return m, m.events
	}
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
		m.status = Status{Reason: fmt.Sprintf("global shortcuts: create a pipe: %v", err)}
		close(m.done)
		return m, m.events
	}
	cname := C.CString(display)
	defer C.free(unsafe.Pointer(cname))
	var detectable C.int // 0: the server lacks detectable autorepeat; hk_wait then drops repeat pairs itself
	dpy := C.hk_open(cname, &detectable)
	if dpy == nil {
		syscall.Close(p[0])
		syscall.Close(p[1])
		m.status = Status{Reason: fmt.Sprintf("cannot open the X display %q: bind `tonnytray toggle` in your "+
			"desktop's shortcut settings instead", display)}
		close(m.done)
		return m, m.events
	}
	c := &conn{
		dpy:     dpy,
		numlock: C.hk_modmask(dpy, keysymNumLock, maskMod2),
		alt:     C.hk_modmask(dpy, keysymAltL, maskMod1),
		super:   C.hk_modmask(dpy, keysymSuperL, maskMod4),
		down:    map[C.uint]string{},
		warning: reason,
		events:  m.events,
	}
	c.relevant = maskShift | maskControl | c.alt | c.super
	c.statusStore = m.setStatus
	c.rebind(bindings)
	m.cmds = make(chan command, 1)
	m.wakeW = p[1]
	go m.loop(c, p[0])
	return m, m.events
}

// Status reports what is grabbed now.
func (m *Manager) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	return cloneStatus(m.status)
}

// Rebind ungrabs all shortcuts and grabs the new ones (settings changed). Keys held at that moment get their
// release event.
func (m *Manager) Rebind(bindings []Binding) Status {
	if st, ok := m.call(command{bindings: slices.Clone(bindings)}); ok {
		return st
	}
	return m.Status()
}

// Stop releases every grab, closes the X connection and then the event channel. It is idempotent.
func (m *Manager) Stop() {
	m.stop.Do(func() {
		m.call(command{stop: true})
		<-m.done
		m.callMu.Lock() // no call can be about to write to the pipe
		if m.wakeW >= 0 {
			syscall.Close(m.wakeW)
			m.wakeW = -1
		}
		m.callMu.Unlock()
		if m.cmds == nil { // never started a loop: the channel is still open
			close(m.events)
		}
	})
}

// call hands a command to the loop and waits for its answer; ok is false when the loop has ended.
func (m *Manager) call(cmd command) (Status, bool) {
	if m.cmds == nil {
		return Status{}, false
	}
	m.callMu.Lock()
	defer m.callMu.Unlock()
	select {
	case <-m.done: // after Stop the pipe is closed (its number may be reused): never write to it
		return Status{}, false
	default:
	}
	cmd.reply = make(chan Status, 1)
	select {
	case m.cmds <- cmd:
	case <-m.done:
		return Status{}, false
	}
	syscall.Write(m.wakeW, []byte{1})
	select {
	case st := <-cmd.reply:
		return st, true
	case <-m.done:
		return Status{}, false
	}
}

func (m *Manager) setStatus(st Status) {
	m.mu.Lock()
	m.status = st
	m.mu.Unlock()
}

// loop owns the X connection: it reads key events and runs commands until Stop or a lost connection.
func (m *Manager) loop(c *conn, wakeR int) {
	defer close(m.done)
	defer close(m.events)
	defer syscall.Close(wakeR)
	buf := make([]C.hk_event, 32)
	for {
		n := C.hk_wait(c.dpy, C.int(wakeR), &buf[0], C.int(len(buf)))
		if n < 0 {
			c.releaseHeld()
			C.hk_close(c.dpy)
			c.grabs = nil
			m.setStatus(Status{Reason: "lost the connection to the X display: shortcuts are off until " +
				"TonnyTray restarts; `tonnytray toggle` still works", Dropped: c.dropped})
			// Answer a caller that raced with the loss.
			select {
			case cmd := <-m.cmds:
				cmd.reply <- m.Status()
			default:
			}
			return
		}
		now := time.Now()
		for _, ev := range buf[:n] {
			c.handle(ev, now)
		}
		if n > 0 {
			c.publish()
			continue
		}
		select {
		case cmd := <-m.cmds:
			if cmd.stop {
				c.releaseHeld()
				c.ungrabAll()
				C.hk_close(c.dpy)
				st := c.status()
				st.Available, st.Active, st.Conflicts = false, nil, nil
				st.Reason = "stopped"
				m.setStatus(st)
				cmd.reply <- cloneStatus(st)
				return
			}
			c.rebind(cmd.bindings)
			cmd.reply <- c.status()
		default:
		}
	}
}

// handle turns one X key event into at most one Event.
func (c *conn) handle(ev C.hk_event, now time.Time) {
	if ev.press != 0 {
		if _, held := c.down[ev.keycode]; held {
			return // autorepeat
		}
		mods := ev.state & c.relevant
		for _, g := range c.grabs {
			if g.keycode == C.int(ev.keycode) && g.mods == mods {
				c.down[ev.keycode] = g.name
				c.send(Event{Name: g.name, Down: true, At: now})
				return
			}
		}
		return
	}
	// A release matches the key, not the modifiers: they may have been let go first.
	if name, held := c.down[ev.keycode]; held {
		delete(c.down, ev.keycode)
		c.send(Event{Name: name, Down: false, At: now})
	}
}

func (c *conn) send(ev Event) {
	select {
	case c.events <- ev:
	default:
		c.dropped++
	}
}

// releaseHeld sends the release of every key still down, so push-to-talk never sticks.
func (c *conn) releaseHeld() {
	now := time.Now()
	for kc, name := range c.down {
		c.send(Event{Name: name, Down: false, At: now})
		delete(c.down, kc)
	}
}

func (c *conn) ungrabAll() {
	for _, g := range c.grabs {
		C.hk_ungrab(c.dpy, g.keycode, g.mods, c.numlock)
	}
	c.grabs = nil
}

// rebind replaces all grabs with the given bindings.
func (c *conn) rebind(bindings []Binding) {
	c.releaseHeld()
	c.ungrabAll()
	c.conflicts = map[string]string{}
	taken := map[[2]C.uint]string{}
	for _, b := range bindings {
		if b.Key.Key == "" {
			continue
		}
		label := b.Key.String()
		sym, ok := keysym(b.Key.Key)
		if !ok {
			c.conflicts[b.Name] = fmt.Sprintf("%s: unknown key %q", label, b.Key.Key)
			continue
		}
		kc := C.hk_keycode(c.dpy, C.ulong(sym))
		if kc == 0 {
			c.conflicts[b.Name] = fmt.Sprintf("%s: the key %s is not on this keyboard layout", label, b.Key.Key)
			continue
		}
		mods := c.modmask(b.Key)
		if other, dup := taken[[2]C.uint{C.uint(kc), mods}]; dup {
			c.conflicts[b.Name] = fmt.Sprintf("%s is also the %s shortcut; give each its own", label, other)
			continue
		}
		switch rc := C.hk_grab(c.dpy, kc, mods, c.numlock); rc {
		case 0:
			taken[[2]C.uint{C.uint(kc), mods}] = b.Name
			c.grabs = append(c.grabs, grab{name: b.Name, keycode: kc, mods: mods})
		case xBadAccess:
			c.conflicts[b.Name] = label + " is already taken by another application"
		case -1:
			c.conflicts[b.Name] = label + ": the X connection was lost"
		default:
			c.conflicts[b.Name] = fmt.Sprintf("%s could not be grabbed (X error %d)", label, int(rc))
		}
	}
	c.publish()
}

func (c *conn) modmask(h settings.Hotkey) C.uint {
	var m C.uint
	if h.Shift {
		m |= maskShift
	}
	if h.Ctrl {
		m |= maskControl
	}
	if h.Alt {
		m |= c.alt
	}
	if h.Super {
		m |= c.super
	}
	return m
}

func (c *conn) status() Status {
	st := Status{Available: true, Reason: c.warning, Conflicts: map[string]string{}, Dropped: c.dropped}
	for n, why := range c.conflicts {
		st.Conflicts[n] = why
	}
	for _, g := range c.grabs {
		st.Active = append(st.Active, g.name)
	}
	slices.Sort(st.Active)
	return st
}

func (c *conn) publish() { c.statusStore(c.status()) }

func cloneStatus(st Status) Status {
	if st.Conflicts != nil {
		cc := make(map[string]string, len(st.Conflicts))
		for k, v := range st.Conflicts {
			cc[k] = v
		}
		st.Conflicts = cc
	}
	st.Active = slices.Clone(st.Active)
	return st
}

// keysym maps settings' canonical key names to X keysyms (keysymdef.h).
func keysym(key string) (uint32, bool) {
	if len(key) == 1 {
		switch k := key[0]; {
		case k >= 'A' && k <= 'Z':
			return uint32(k-'A') + 'a', true
		case k >= '0' && k <= '9':
			return uint32(k), true
		}
	}
	if len(key) >= 2 && key[0] == 'F' {
		var n int
		if _, err := fmt.Sscanf(key[1:], "%d", &n); err == nil && n >= 1 && n <= 24 && fmt.Sprint(n) == key[1:] {
			return 0xffbe + uint32(n-1), true
		}
	}
	sym, ok := namedKeysyms[key]
	return sym, ok
}

var namedKeysyms = map[string]uint32{
	"Space": 0x20, "Enter": 0xff0d, "Tab": 0xff09, "Escape": 0xff1b, "Backspace": 0xff08, "Delete": 0xffff,
	"Insert": 0xff63, "Home": 0xff50, "End": 0xff57, "PageUp": 0xff55, "PageDown": 0xff56, "Up": 0xff52,
	"Down": 0xff54, "Left": 0xff51, "Right": 0xff53, "Pause": 0xff13, "PrintScreen": 0xff61,
	"ScrollLock": 0xff14, "Minus": 0x2d, "Equal": 0x3d, "Comma": 0x2c, "Period": 0x2e, "Slash": 0x2f,
	"Backslash": 0x5c, "Semicolon": 0x3b, "Quote": 0x27, "Backquote": 0x60, "BracketLeft": 0x5b,
	"BracketRight": 0x5d,
}

// lockedModifiers returns the locked modifier mask (CapsLock = 2, NumLock usually 16) of an X display; tests
// use it to check that Num_Lock really turned on.
func lockedModifiers(display string) uint {
	cname := C.CString(display)
	defer C.free(unsafe.Pointer(cname))
	return uint(C.hk_locked_mods(cname))
}
