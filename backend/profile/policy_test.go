package profile

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tonnytray/tonnytray/backend/pipeline"
)

func check(t *testing.T, f *fixture, route pipeline.Route, text string) (pipeline.Decision, error) {
	t.Helper()
	return f.s.Policy().Check(context.Background(), pipeline.Decision{Route: route, Text: text, Reason: "default"})
}

func TestPolicyChild(t *testing.T) {
	f := newFixture(t)
	f.create(t, Profile{Name: "Mia", Role: RoleChild, Allowed: []string{"lights", "Good night"}, Blocked: []string{"lights off"}})
	f.switchTo(t, "Mia", "")
	refusal := "Sorry, Mia, I can't do that one. Ask a grown-up."
	for _, c := range []struct {
		text    string
		allowed bool
	}{
		{"turn on the lights", true},
		{"LIGHTS!", true},
		{"say good   night, Tonny", true},
		{"lightsaber sounds", false}, // whole words only
		{"good nightlight", false},
		{"order a pizza", false}, // deny by default
		{"", false},
		{"turn the lights off", false}, // the blocked list always wins
	} {
		d, err := check(t, f, pipeline.RouteCommand, c.text)
		if c.allowed {
			if err != nil || d.Route != pipeline.RouteCommand || d.Text != c.text {
				t.Errorf("%q: %+v, %v; want allowed", c.text, d, err)
			}
			continue
		}
		if !errors.Is(err, ErrForbidden) || err.Error() != refusal || d.Route != pipeline.RouteNone {
			t.Errorf("%q: %+v, %v; want the refusal", c.text, d, err)
		}
	}
	// Dictation into other windows is off for a child…
	if _, err := check(t, f, pipeline.RouteDictation, "hello"); !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "Mia") {
		t.Fatalf("child dictation: %v", err)
	}
	// …unless an admin turns it on.
	mia, _ := f.s.Get(context.Background(), "Mia")
	mia.Overrides = map[string]any{OverrideDictation: true}
	if _, err := f.s.Update(context.Background(), mia, f.admin); err != nil {
		t.Fatal(err)
	}
	if d, err := check(t, f, pipeline.RouteDictation, "hello"); err != nil || d.Route != pipeline.RouteDictation {
		t.Fatalf("allowed child dictation: %+v %v", d, err)
	}
	if d, err := check(t, f, pipeline.RouteNone, ""); err != nil || d.Route != pipeline.RouteNone {
		t.Fatalf("empty: %+v %v", d, err)
	}
}

func TestPolicyBlockedForAdults(t *testing.T) {
	f := newFixture(t)
	f.create(t, Profile{Name: "Dad", Role: RoleUser, Blocked: []string{"buy", "unlock the door"}})
	f.switchTo(t, "Dad", "")
	for _, text := range []string{"Buy milk", "please UNLOCK the door", "buy"} {
		_, err := check(t, f, pipeline.RouteCommand, text)
		if !errors.Is(err, ErrForbidden) || err.Error() != "Sorry, Dad, that command is blocked for your profile." {
			t.Errorf("%q: %v", text, err)
		}
	}
	for _, text := range []string{"what did the buyer say", "lock the door", "anything else"} {
		if _, err := check(t, f, pipeline.RouteCommand, text); err != nil {
			t.Errorf("%q: %v", text, err)
		}
	}
	if _, err := check(t, f, pipeline.RouteDictation, "dear diary"); err != nil {
		t.Fatalf("adult dictation: %v", err)
	}
	// The admin's own blocked list binds the admin too.
	admin := f.admin
	admin.Blocked = []string{"shutdown"}
	if _, err := f.s.Update(context.Background(), admin, f.admin); err != nil {
		t.Fatal(err)
	}
	admin, _ = f.s.Get(context.Background(), "Admin")
	if err := f.s.Authorize(admin, ActionCommand("Shutdown now")); !errors.Is(err, ErrForbidden) {
		t.Fatalf("admin blocked: %v", err)
	}
}

func TestAudit(t *testing.T) {
	f := newFixture(t)
	f.create(t, Profile{Name: "Mia", Role: RoleChild, Allowed: []string{"lights"}})
	f.create(t, Profile{Name: "Secret", Role: RoleChild, NoHistory: true})
	f.switchTo(t, "Mia", "")
	f.audit.reset()
	f.clock.Add(1)
	check(t, f, pipeline.RouteCommand, "lights on")
	check(t, f, pipeline.RouteCommand, "order pizza")
	f.switchTo(t, "Secret", "")
	check(t, f, pipeline.RouteCommand, "my secret wish")
	got := f.audit.all()
	if len(got) != 4 {
		t.Fatalf("audit = %+v", got)
	}
	want := []AuditEntry{
		{At: f.clock.Now(), Profile: "Mia", Role: RoleChild, Action: KindCommand, Text: "lights on", Allowed: true, Reason: `allowed: "lights"`},
		{At: f.clock.Now(), Profile: "Mia", Role: RoleChild, Action: KindCommand, Text: "order pizza", Allowed: false, Reason: "not on the allow list"},
		{At: f.clock.Now(), Profile: "Mia", Role: RoleChild, Action: KindSwitch, Text: "to Secret", Allowed: true, Reason: "equal or lower role"},
		{At: f.clock.Now(), Profile: "Secret", Role: RoleChild, Action: KindCommand, Text: "", Allowed: false, Reason: "not on the allow list"},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("audit[%d] = %+v\nwant %+v", i, got[i], want[i])
		}
	}
	f.audit.reset()
	f.s.Authorize(f.admin, ActionSecrets)
	f.s.Authorize(Profile{Name: "Dad", Role: RoleUser}, ActionSecrets)
	if e := f.audit.all(); len(e) != 2 || !e[0].Allowed || e[1].Allowed || e[1].Action != KindSecrets {
		t.Fatalf("audit = %+v", e)
	}
}

func TestQuickAction(t *testing.T) {
	f := newFixture(t)
	mia := f.create(t, Profile{Name: "Mia", Role: RoleChild, Allowed: []string{"lights"},
		QuickActions: []QuickAction{{Name: "Lights", Command: "lights on"}, {Name: "Pizza", Command: "order pizza"}}})
	if cmd, err := f.s.QuickAction(mia, "lights"); err != nil || cmd != "lights on" {
		t.Fatalf("allowed: %q %v", cmd, err)
	}
	if _, err := f.s.QuickAction(mia, "Pizza"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("not allowed: %v", err)
	}
	if _, err := f.s.QuickAction(mia, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
}

func TestRequestFieldsAndReply(t *testing.T) {
	for _, c := range []struct {
		role Role
		safe bool
	}{{RoleAdmin, false}, {RoleUser, false}, {RoleGuest, false}, {RoleChild, true}, {"weird", true}} {
		name, role, safe := RequestFields(Profile{Name: "P", Role: c.role})
		if name != "P" || role != string(c.role) || safe != c.safe {
			t.Errorf("%s: %q %q %v", c.role, name, role, safe)
		}
	}
	if got := ReplyFor(Profile{Role: RoleChild}, "Damn, that's hell."); got != "D***, that's h***." {
		t.Fatalf("child reply %q", got)
	}
	if got := ReplyFor(Profile{Role: RoleUser}, "Damn."); got != "Damn." {
		t.Fatalf("adult reply %q", got)
	}
}

func TestFilterReply(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"damn it", "d*** it"},
		{"DAMN it", "D*** it"},
		{"Damn! Damn.", "D***! D***."},
		{"that's shit's end", "that's s***'s end"},
		{"hello shell", "hello shell"}, // whole words only
		{"scrap the crap", "scrap the c***"},
		{"Oh, bloody hell", "Oh, b***** h***"},
		{"", ""},
		{"plain reply", "plain reply"},
		{"héllo dämn", "héllo dämn"},
		{"what the f u c k", "what the f u c k"},
	} {
		if got := FilterReply(c.in, DefaultKidSafeWords); got != c.want {
			t.Errorf("FilterReply(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Custom lists: phrases, non-ASCII words (masked by runes), no list.
	if got := FilterReply("a Big Meanie and big", []string{"big meanie", "straße"}); got != "a B** M***** and big" {
		t.Fatalf("phrase: %q", got)
	}
	if got := FilterReply("die Straße", []string{"straße"}); got != "die S*****" {
		t.Fatalf("runes: %q", got)
	}
	if got := FilterReply("damn", nil); got != "damn" {
		t.Fatalf("no list: %q", got)
	}
}

func FuzzFilterReply(f *testing.F) {
	for _, s := range []string{"damn it", "Bloody HELL!", "héllo dämn", "shit's", "\xff\xfe crap", "a\u0301 crap\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := FilterReply(s, DefaultKidSafeWords)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q: %q", s, out)
		}
		if utf8.RuneCountInString(out) != utf8.RuneCountInString(s) {
			t.Fatalf("rune count changed: %q -> %q", s, out)
		}
		if again := FilterReply(out, DefaultKidSafeWords); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
	})
}

func BenchmarkPolicyCheck(b *testing.B) {
	f := newFixture(b)
	allowed := make([]string, MaxCommands)
	for i := range allowed {
		allowed[i] = "allowed phrase number " + strings.Repeat("x", i%7+1)
	}
	allowed[MaxCommands-1] = "lights"
	f.create(b, Profile{Name: "Mia", Role: RoleChild, Allowed: allowed, Blocked: allowed[:50]})
	if _, err := f.s.Switch(context.Background(), "Mia", ""); err != nil {
		b.Fatal(err)
	}
	p := f.s.Policy()
	d := pipeline.Decision{Route: pipeline.RouteCommand, Text: "Tonny, please turn on the lights in the living room"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Check(context.Background(), d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPINVerify(b *testing.B) {
	h, err := hashPIN("2468", defaultHashParams)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !verifyPIN("2468", h) {
			b.Fatal("verify")
		}
	}
	b.ReportMetric(float64(defaultHashParams.Memory)/1024, "MiB")
	b.ReportMetric(float64(defaultHashParams.Time), "passes")
}
