package hotkey

import (
	"testing"
	"time"
)

func TestPTT(t *testing.T) {
	type step struct {
		press bool
		at    int // ms
		want  Action
	}
	p, r := func(at int, want Action) step { return step{true, at, want} },
		func(at int, want Action) step { return step{false, at, want} }
	tests := []struct {
		name      string
		threshold time.Duration
		lock      bool
		steps     []step
	}{
		{"hold starts and stops", 200 * time.Millisecond, false,
			[]step{p(0, ActionStart), r(1500, ActionStop)}},
		{"tap under threshold cancels", 200 * time.Millisecond, false,
			[]step{p(0, ActionStart), r(120, ActionCancel)}},
		{"press exactly at threshold stops", 200 * time.Millisecond, false,
			[]step{p(0, ActionStart), r(200, ActionStop)}},
		{"no threshold: a tap stops", 0, false,
			[]step{p(0, ActionStart), r(50, ActionStop)}},
		{"without lock two taps are two cancels", 200 * time.Millisecond, false,
			[]step{p(0, ActionStart), r(100, ActionCancel), p(300, ActionStart), r(400, ActionCancel)}},
		{"repeated press while down is ignored", 200 * time.Millisecond, false,
			[]step{p(0, ActionStart), p(500, ActionNone), p(540, ActionNone), r(900, ActionStop)}},
		{"stray release is ignored", 200 * time.Millisecond, false,
			[]step{r(10, ActionNone), p(20, ActionStart), r(500, ActionStop), r(510, ActionNone)}},
		{"double tap locks, next tap stops", 200 * time.Millisecond, true,
			[]step{p(0, ActionStart), r(100, ActionCancel), p(350, ActionStart), r(450, ActionNone),
				p(5000, ActionStop), r(5100, ActionNone),
				// unlocked again: a hold works normally
				p(6000, ActionStart), r(7000, ActionStop)}},
		{"lock then long press still stops on press", 200 * time.Millisecond, true,
			[]step{p(0, ActionStart), r(80, ActionCancel), p(200, ActionStart), r(260, ActionNone),
				p(3000, ActionStop), r(6000, ActionNone)}},
		{"second tap too late is a new tap", 200 * time.Millisecond, true,
			[]step{p(0, ActionStart), r(100, ActionCancel), p(600, ActionStart), r(700, ActionCancel)}},
		{"the late tap can start a new double tap", 200 * time.Millisecond, true,
			[]step{p(0, ActionStart), r(100, ActionCancel), p(600, ActionStart), r(700, ActionCancel),
				p(900, ActionStart), r(950, ActionNone), p(2000, ActionStop)}},
		{"tap then hold is a normal hold", 200 * time.Millisecond, true,
			[]step{p(0, ActionStart), r(100, ActionCancel), p(300, ActionStart), r(2000, ActionStop),
				p(2100, ActionStart), r(2150, ActionCancel)}},
		{"hold then tap does not lock", 200 * time.Millisecond, true,
			[]step{p(0, ActionStart), r(1000, ActionStop), p(1100, ActionStart), r(1150, ActionCancel)}},
		{"lock with no threshold: first tap stops", 0, true,
			[]step{p(0, ActionStart), r(100, ActionStop), p(300, ActionStart), r(380, ActionNone),
				p(4000, ActionStop)}},
	}
	base := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &PTT{HoldThreshold: tt.threshold, DoubleTapLock: tt.lock}
			for i, s := range tt.steps {
				at := base.Add(time.Duration(s.at) * time.Millisecond)
				var got Action
				kind := "release"
				if s.press {
					kind = "press"
					got = m.Press(at)
				} else {
					got = m.Release(at)
				}
				if got != s.want {
					t.Fatalf("step %d (%s at %d ms): got %v, want %v", i, kind, s.at, got, s.want)
				}
			}
		})
	}
}

func TestPTTLocked(t *testing.T) {
	base := time.Now()
	m := &PTT{HoldThreshold: 150 * time.Millisecond, DoubleTapLock: true}
	m.Press(base)
	m.Release(base.Add(50 * time.Millisecond))
	m.Press(base.Add(200 * time.Millisecond))
	m.Release(base.Add(260 * time.Millisecond))
	if !m.Locked() {
		t.Fatal("not locked after a double tap")
	}
	m.Press(base.Add(time.Second))
	if m.Locked() {
		t.Fatal("still locked after the unlocking tap")
	}
}
