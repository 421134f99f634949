// Package tray shows TonnyTray's icon and menu in the desktop's tray through
// fyne.io/systray, which on Linux is a pure D-Bus StatusNotifierItem with a
// com.canonical.dbusmenu menu: no GTK, so it lives beside Wails' own loop.
// Without a tray host (stock GNOME, bare window managers) the app keeps
// working and the item registers as soon as a host appears; Available says
// whether one holds the registration now, so the app can fall back to its
// window.
package tray

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"fyne.io/systray"
)

// State is what the app is doing; it picks the icon and the menu labels.
type State string

// The states the icon shows.
const (
	StateIdle       State = "idle"
	StateListening  State = "listening"
	StateProcessing State = "processing"
	StateSpeaking   State = "speaking"
	StateError      State = "error"
	StatePaused     State = "paused"
)

var allStates = []State{StateIdle, StateListening, StateProcessing, StateSpeaking, StateError, StatePaused}

// Profile is one entry of the Profile submenu.
type Profile struct {
	Name    string
	Current bool
}

// Options are the menu's callbacks. They run one at a time on the tray's own
// goroutine, never on a D-Bus handler, so they may block briefly or call Stop.
type Options struct {
	OnToggleListening func()            // "Start listening" / "Stop listening"
	OnPause           func()            // "Pause" / "Resume"
	OnProfile         func(name string) // a profile picked in the "Profile" submenu
	OnQuickAction     func(name string) // a quick action picked in the "Quick actions" submenu
	OnOpen            func()            // "Open window"
	OnQuit            func()            // "Quit"
	Log               *slog.Logger
}

// Menu labels (hosts show them as they are).
const (
	labelStart   = "Start listening"
	labelStop    = "Stop listening"
	labelPause   = "Pause"
	labelResume  = "Resume"
	labelProfile = "Profile"
	labelActions = "Quick actions"
	labelOpen    = "Open window"
	labelQuit    = "Quit"
	appTitle     = "TonnyTray"
)

// ErrStarted is returned by a second Start: fyne.io/systray keeps its state
// in package variables and cannot start again in the same process.
var ErrStarted = errors.New("tray: already started in this process")

var started atomic.Bool

// Tray is the running tray item.
type Tray struct {
	opts  Options
	log   *slog.Logger
	icons map[State][]byte

	mu                      sync.Mutex // serialises every systray call and the fields below
	state                   State
	stopped                 bool
	toggle                  *systray.MenuItem
	pause                   *systray.MenuItem
	toggleLabel, pauseLabel string
	profiles, actions       submenu
	end                     func()
	hostLink                hostLink

	available atomic.Bool
	reported  atomic.Bool // the first availability was logged
	clicks    chan func() // callbacks waiting to run
	done      chan struct{}
	stopOnce  sync.Once
	wg        sync.WaitGroup // click forwarders and the host watcher (not the dispatcher)
}

// Start draws the icons, exports the item and menu on the session bus and
// registers with the tray host if there is one (later hosts are picked up as
// they appear). Wails owns the main loop, so this uses
// systray.RunWithExternalLoop. Never call it in the `bindings` build.
func Start(o Options) (*Tray, error) {
	if started.Swap(true) {
		return nil, ErrStarted
	}
	t := &Tray{
		opts:   o,
		log:    o.Log,
		icons:  make(map[State][]byte, len(allStates)),
		state:  StateIdle,
		clicks: make(chan func(), 16),
		done:   make(chan struct{}),
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	t.log = t.log.With("component", "tray")
	link, err := openHostLink()
	if err != nil {
		started.Store(false) // nothing of fyne's was touched: a retry may work
		return nil, fmt.Errorf("tray: %w", err)
	}
	t.hostLink = link
	for _, s := range allStates {
		t.icons[s] = iconPNG(s, iconSize)
	}

	// Set before the item is exported: fyne derives the item's Id from the title.
	systray.SetTitle(appTitle)
	systray.SetIcon(t.icons[StateIdle])
	systray.SetTooltip(tooltipFor(StateIdle, ""))

	ready := make(chan struct{})
	start, end := systray.RunWithExternalLoop(func() {
		t.buildMenu()
		close(ready)
	}, nil)
	start() // exports the item and the menu; tries the watcher once
	<-ready // the menu exists before anyone can click it
	t.mu.Lock()
	t.end = end
	t.mu.Unlock()

	go t.dispatch()
	t.wg.Add(1)
	go t.watchHost()
	return t, nil
}

// buildMenu runs once in fyne's onReady.
func (t *Tray) buildMenu() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.toggle = systray.AddMenuItem(labelStart, "")
	t.pause = systray.AddMenuItem(labelPause, "")
	t.toggleLabel, t.pauseLabel = labelStart, labelPause
	t.profiles = t.newSubmenu(labelProfile, func(name string) { callWith(t.opts.OnProfile, name) })
	t.actions = t.newSubmenu(labelActions, func(name string) { callWith(t.opts.OnQuickAction, name) })
	systray.AddSeparator()
	open := systray.AddMenuItem(labelOpen, "")
	quit := systray.AddMenuItem(labelQuit, "")

	t.forward(t.toggle, func() { call(t.opts.OnToggleListening) })
	t.forward(t.pause, func() { call(t.opts.OnPause) })
	t.forward(open, func() { call(t.opts.OnOpen) })
	t.forward(quit, func() { call(t.opts.OnQuit) })
}

func call(f func()) {
	if f != nil {
		f()
	}
}

func callWith(f func(string), name string) {
	if f != nil {
		f(name)
	}
}

// forward keeps a receiver on the item's ClickedCh: fyne drops a click when
// nobody is receiving at that instant, so the receiver only queues the
// callback and goes straight back to listening.
func (t *Tray) forward(item *systray.MenuItem, fn func()) {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		for {
			select {
			case _, ok := <-item.ClickedCh:
				if !ok {
					return
				}
				select {
				case t.clicks <- fn:
				default:
					t.log.Warn("tray click dropped: callbacks are backed up")
				}
			case <-t.done:
				return
			}
		}
	}()
}

// dispatch runs the callbacks one at a time. Stop does not wait for it, so a
// callback (OnQuit) may call Stop.
func (t *Tray) dispatch() {
	for {
		select {
		case fn := <-t.clicks:
			fn()
		case <-t.done:
			return
		}
	}
}

func tooltipFor(s State, tooltip string) string {
	if tooltip != "" {
		return tooltip
	}
	return appTitle + " — " + string(s)
}

// SetState shows s: the icon, the tooltip (empty means "TonnyTray — <state>";
// the app passes e.g. "TonnyTray — listening · profile Dad"), "Stop listening"
// while listening and "Resume" while paused. Start listening is disabled while
// paused.
func (t *Tray) SetState(s State, tooltip string) {
	icon, ok := t.icons[s]
	if !ok {
		t.log.Warn("unknown tray state, showing idle", "state", s)
		s, icon = StateIdle, t.icons[StateIdle]
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	t.state = s
	systray.SetIcon(icon)
	systray.SetTooltip(tooltipFor(s, tooltip))
	toggle, pause := labelStart, labelPause
	if s == StateListening {
		toggle = labelStop
	}
	if s == StatePaused {
		pause = labelResume
	}
	// Only on change: every fyne update makes hosts re-read the layout.
	if toggle != t.toggleLabel {
		t.toggle.SetTitle(toggle)
		t.toggleLabel = toggle
	}
	if pause != t.pauseLabel {
		t.pause.SetTitle(pause)
		t.pauseLabel = pause
	}
	setEnabled(t.toggle, s != StatePaused)
}

func setEnabled(item *systray.MenuItem, on bool) {
	switch {
	case on && item.Disabled():
		item.Enable()
	case !on && !item.Disabled():
		item.Disable()
	}
}

// SetProfiles rebuilds the Profile submenu: one entry per profile, the
// current one checked. Picking one calls OnProfile; the check moves when the
// app calls SetProfiles again with the new current profile.
func (t *Tray) SetProfiles(list []Profile) {
	names := make([]string, len(list))
	current := make([]bool, len(list))
	for i, p := range list {
		names[i], current[i] = p.Name, p.Current
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.stopped {
		t.profiles.set(t, names, current)
	}
}

// SetQuickActions rebuilds the Quick actions submenu with the active
// profile's actions; picking one calls OnQuickAction. Empty disables it.
func (t *Tray) SetQuickActions(names []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.stopped {
		t.actions.set(t, names, nil)
	}
}

// submenu is a menu item whose children are a list of names. fyne cannot
// remove items, so entries are reused and hidden, never removed.
type submenu struct {
	item  *systray.MenuItem
	pool  []*systray.MenuItem
	names []string // names[i] is what pool[i] shows
	pick  func(name string)
}

func (t *Tray) newSubmenu(label string, pick func(string)) submenu {
	item := systray.AddMenuItem(label, "")
	item.Disable() // until it gets children
	return submenu{item: item, pick: pick}
}

// set shows names, checking those with checked[i] (checked may be nil: no
// checkboxes). Called with t.mu held.
func (m *submenu) set(t *Tray, names []string, checked []bool) {
	for i, name := range names {
		on := checked != nil && checked[i]
		if i == len(m.pool) {
			var item *systray.MenuItem
			if checked != nil {
				item = m.item.AddSubMenuItemCheckbox(name, "", on)
			} else {
				item = m.item.AddSubMenuItem(name, "")
			}
			m.pool = append(m.pool, item)
			m.names = append(m.names, name)
			t.forward(item, func() { m.picked(t, i) })
			continue
		}
		item := m.pool[i]
		if m.names[i] != name {
			item.SetTitle(name)
			m.names[i] = name
		}
		if checked != nil && item.Checked() != on {
			if on {
				item.Check()
			} else {
				item.Uncheck()
			}
		}
		item.Show()
	}
	for i := len(names); i < len(m.pool); i++ {
		m.pool[i].Hide()
		m.names[i] = ""
	}
	setEnabled(m.item, len(names) > 0)
}

func (m *submenu) picked(t *Tray, i int) {
	t.mu.Lock()
	name := m.names[i]
	t.mu.Unlock()
	if name != "" {
		m.pick(name)
	}
}

// Available reports whether a StatusNotifierWatcher holds our registration
// now. While it is false the user cannot see the tray: keep the window
// reachable.
func (t *Tray) Available() bool { return t.available.Load() }

// Stop removes the item from the bus. It closes the shared session-bus
// connection (dbus.SessionBus) fyne.io/systray uses, so call it at shutdown.
// The tray cannot be started again in this process.
func (t *Tray) Stop() {
	t.stopOnce.Do(func() {
		t.mu.Lock()
		t.stopped = true
		end := t.end
		t.mu.Unlock()
		close(t.done)
		t.hostLink.close()
		t.wg.Wait()
		t.available.Store(false)
		if end != nil {
			func() {
				// fyne dereferences its connection unchecked; a failed export
				// must not turn shutdown into a crash.
				defer func() {
					if r := recover(); r != nil {
						t.log.Warn("tray stop", "panic", r)
					}
				}()
				end()
			}()
		}
		t.log.Info("tray stopped")
	})
}
