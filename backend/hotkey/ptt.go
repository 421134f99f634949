package hotkey

import "time"

// Action is what push-to-talk asks the listener to do. (The values carry an Action prefix because a bare
// Start would clash with the func Start that grabs the shortcuts.)
type Action int

const (
	// ActionNone: nothing changes.
	ActionNone Action = iota
	// ActionStart: start listening (on press, so the first words are never lost).
	ActionStart
	// ActionStop: stop listening and use what was heard.
	ActionStop
	// ActionCancel: stop listening and discard what was heard; the press was an accidental tap.
	ActionCancel
)

// String names the action for logs and test failures.
func (a Action) String() string {
	switch a {
	case ActionStart:
		return "Start"
	case ActionStop:
		return "Stop"
	case ActionCancel:
		return "Cancel"
	default:
		return "None"
	}
}

// DoubleTapWindow is the longest gap between the release of a first tap and the press of a second one for
// the two to count as a double tap.
const DoubleTapWindow = 400 * time.Millisecond

// MinTap is the shortest press duration that no longer counts as a tap for double-tap lock when
// HoldThreshold is shorter (or off): a tap is a press shorter than max(HoldThreshold, MinTap).
const MinTap = 300 * time.Millisecond

// PTT turns raw press/release events of the push-to-talk key into actions: ActionStart on press, ActionStop on
// release; a press shorter than HoldThreshold is an accidental tap (ActionCancel instead of ActionStop); with
// DoubleTapLock, two taps within DoubleTapWindow lock listening on (ActionStart, then nothing on release) until
// the next tap (ActionStop on its press, nothing on its release). Times are injected, so it never sleeps; it is
// not safe for concurrent use.
type PTT struct {
	// HoldThreshold: presses shorter than this are accidental taps and Cancel; 0 turns it off.
	HoldThreshold time.Duration
	// DoubleTapLock enables the double-tap lock.
	DoubleTapLock bool

	down      bool      // the key is down
	pressAt   time.Time // when it went down
	second    bool      // this press is the second of a double tap
	locked    bool      // listening is locked on
	unlocking bool      // this press ended a lock: its release does nothing
	lastTap   time.Time // release time of the last tap, zero when none counts
}

// Locked reports whether a double tap has locked listening on.
func (p *PTT) Locked() bool { return p.locked }

// Press handles the key going down at time at.
func (p *PTT) Press(at time.Time) Action {
	if p.down { // a repeat that slipped through: the key is already down
		return ActionNone
	}
	p.down, p.pressAt = true, at
	if p.locked {
		p.locked, p.unlocking = false, true
		return ActionStop
	}
	p.second = p.DoubleTapLock && !p.lastTap.IsZero() && at.Sub(p.lastTap) <= DoubleTapWindow
	p.lastTap = time.Time{}
	return ActionStart
}

// Release handles the key going up at time at.
func (p *PTT) Release(at time.Time) Action {
	if !p.down {
		return ActionNone
	}
	p.down = false
	if p.unlocking {
		p.unlocking = false
		return ActionNone
	}
	held := at.Sub(p.pressAt)
	tap := held < max(p.HoldThreshold, MinTap)
	if p.second {
		p.second = false
		if tap {
			p.locked = true
			return ActionNone
		}
	}
	if tap && p.DoubleTapLock {
		p.lastTap = at
	}
	if held < p.HoldThreshold {
		return ActionCancel
	}
	return ActionStop
}
