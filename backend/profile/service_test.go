package profile

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/store"
)

// clock is a manual clock for the PIN delays.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock() *clock               { return &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)} }
func (a *auditLog) add(e AuditEntry) { a.mu.Lock(); a.entries = append(a.entries, e); a.mu.Unlock() }
func (a *auditLog) all() []AuditEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]AuditEntry(nil), a.entries...)
}
func (a *auditLog) reset()           { a.mu.Lock(); a.entries = nil; a.mu.Unlock() }
func (a *auditLog) last() AuditEntry { e := a.all(); return e[len(e)-1] }
func openStore(t testing.TB) *store.Store {
	return openStoreAt(t, filepath.Join(t.TempDir(), "tonnytray.db"))
}

type auditLog struct {
	mu      sync.Mutex
	entries []AuditEntry
}

func openStoreAt(t testing.TB, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// testHash keeps -race runs quick; TestDefaultHashCost and BenchmarkPINVerify cover the real cost.
var testHash = hashParams{Time: 1, Memory: 8 * 1024, Threads: 1}

type fixture struct {
	s     *Service
	st    *store.Store
	clock *clock
	audit *auditLog
	admin Profile
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{st: openStore(t), clock: newClock(), audit: &auditLog{}}
	f.s = f.open(t)
	admin, err := f.s.Get(context.Background(), DefaultAdminName)
	if err != nil {
		t.Fatal(err)
	}
	f.admin = admin
	return f
}

// open starts a service on the fixture's store, as a restart would.
func (f *fixture) open(t testing.TB) *Service {
	t.Helper()
	s, err := New(context.Background(), f.st, Options{Now: f.clock.Now, Audit: f.audit.add})
	if err != nil {
		t.Fatal(err)
	}
	s.hash = testHash
	return s
}

// adminPIN is the PIN create gives the default admin before the first child (a child needs one).
const adminPIN = "1111"

func (f *fixture) create(t testing.TB, p Profile) Profile {
	t.Helper()
	if need, err := f.s.NeedsPIN(context.Background()); err == nil && need && p.Role == RoleChild {
		if err := f.s.SetPIN(context.Background(), DefaultAdminName, "", adminPIN, f.admin); err != nil {
			t.Fatal(err)
		}
	}
	out, err := f.s.Create(context.Background(), p, f.admin)
	if err != nil {
		t.Fatalf("create %q: %v", p.Name, err)
	}
	return out
}

func (f *fixture) switchTo(t testing.TB, name, pin string) {
	t.Helper()
	if _, err := f.s.Switch(context.Background(), name, pin); err != nil {
		t.Fatalf("switch to %s: %v", name, err)
	}
}

func TestEnsureDefaultsIdempotent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for range 2 {
		if err := f.s.EnsureDefaults(ctx); err != nil {
			t.Fatal(err)
		}
	}
	f.open(t) // a restart
	list, err := f.s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "Admin" || list[0].Role != RoleAdmin || list[0].HasPIN ||
		list[1].Name != "Guest" || list[1].Role != RoleGuest {
		t.Fatalf("defaults = %+v", list)
	}
	if a := f.s.Active(); a.Name != "Admin" {
		t.Fatalf("first-run active = %q, want Admin", a.Name)
	}
	if need, err := f.s.NeedsPIN(ctx); err != nil || !need {
		t.Fatalf("NeedsPIN = %v, %v; want true on first run", need, err)
	}
	// Deleting the guest does not bring it back: defaults are for an empty table only.
	if err := f.s.Delete(ctx, "guest", f.admin); err != nil {
		t.Fatal(err)
	}
	if err := f.s.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	if list, _ := f.s.List(ctx); len(list) != 1 {
		t.Fatalf("after delete + EnsureDefaults: %d profiles, want 1", len(list))
	}
}

func TestValidationNamesField(t *testing.T) {
	f := newFixture(t)
	many := make([]string, MaxCommands+1)
	for i := range many {
		many[i] = "lights"
	}
	ok := Profile{Name: "Mia", Role: RoleChild, Color: "#AABBCC"}
	with := func(mod func(*Profile)) Profile { p := ok; mod(&p); return p }
	cases := []struct {
		field string
		p     Profile
	}{
		{"name", with(func(p *Profile) { p.Name = "  " })},
		{"name", with(func(p *Profile) { p.Name = strings.Repeat("x", 41) })},
		{"name", with(func(p *Profile) { p.Name = "aDMIN" })}, // taken, ignoring case
		{"name", with(func(p *Profile) { p.Name = "Mi\na" })},
		{"color", with(func(p *Profile) { p.Color = "red" })},
		{"color", with(func(p *Profile) { p.Color = "#abcdeg" })},
		{"role", with(func(p *Profile) { p.Role = "boss" })},
		{"role", with(func(p *Profile) { p.Role = "" })},
		{"responseMode", with(func(p *Profile) { p.ResponseMode = "loud" })},
		{"allowed", with(func(p *Profile) { p.Allowed = many })},
		{"allowed[1]", with(func(p *Profile) { p.Allowed = []string{"ok", strings.Repeat("a", 201)} })},
		{"blocked[0]", with(func(p *Profile) { p.Blocked = []string{"?!"} })},
		{"quickActions[1].name", with(func(p *Profile) {
			p.QuickActions = []QuickAction{{Name: "Lights", Command: "lights on"}, {Name: "lights ", Command: "lights off"}}
		})},
		{"quickActions[0].command", with(func(p *Profile) { p.QuickActions = []QuickAction{{Name: "x", Command: ""}} })},
		{"overrides.dictation", with(func(p *Profile) { p.Overrides = map[string]any{"dictation": "yes"} })},
		{"language", with(func(p *Profile) { p.Language = strings.Repeat("x", 36) })},
	}
	for _, c := range cases {
		_, err := f.s.Create(context.Background(), c.p, f.admin)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != c.field || !errors.Is(err, ErrInvalid) {
			t.Errorf("create %+v: err = %v, want a validation error on %q", c.p, err, c.field)
		}
	}
	p := f.create(t, ok)
	if p.Color != "#aabbcc" || p.ID == 0 {
		t.Fatalf("created %+v", p)
	}
	p.Name = "guest"
	if _, err := f.s.Update(context.Background(), p, f.admin); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "name") {
		t.Fatalf("rename onto Guest: %v", err)
	}
}

func TestNonAdminRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, role := range []Role{RoleUser, RoleGuest, RoleChild} {
		actor := f.create(t, Profile{Name: "as " + string(role), Role: role})
		for _, a := range []Action{ActionSettings, ActionSecrets, ActionProfiles} {
			err := f.s.Authorize(actor, a)
			var r *Refusal
			if !errors.Is(err, ErrForbidden) || !errors.As(err, &r) || !strings.HasPrefix(err.Error(), "Only an admin can change") {
				t.Errorf("%s %s: %v", role, a.Kind, err)
			}
		}
		if _, err := f.s.Create(ctx, Profile{Name: "New", Role: RoleAdmin}, actor); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s create: %v", role, err)
		}
		if _, err := f.s.Update(ctx, Profile{ID: actor.ID, Name: actor.Name, Role: RoleAdmin}, actor); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s promotes itself: %v", role, err)
		}
		if err := f.s.Delete(ctx, "Admin", actor); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s delete: %v", role, err)
		}
		if err := f.s.SetPIN(ctx, "Admin", "", "1234", actor); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s set PIN: %v", role, err)
		}
	}
	if err := f.s.Authorize(f.admin, ActionSettings); err != nil {
		t.Fatalf("admin settings: %v", err)
	}
	want := "Only an admin can change settings — switch to an admin profile first"
	if err := f.s.Authorize(Profile{Name: "Mia", Role: RoleChild}, ActionSettings); err == nil || err.Error() != want {
		t.Fatalf("message = %v, want %q", err, want)
	}
	// The actor is read from the store: a stale copy claiming admin does not help, a vanished one has no rights.
	kid := f.create(t, Profile{Name: "Kid", Role: RoleChild})
	kid.Role = RoleAdmin
	if _, err := f.s.Create(ctx, Profile{Name: "Sneaky", Role: RoleAdmin}, kid); !errors.Is(err, ErrForbidden) {
		t.Fatalf("stale admin claim: %v", err)
	}
	if _, err := f.s.Create(ctx, Profile{ID: 999, Name: "Ghost", Role: RoleAdmin}, Profile{ID: 999, Name: "Ghost", Role: RoleAdmin}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("unknown actor: %v", err)
	}
	// Unknown role or action: refused.
	if err := f.s.Authorize(Profile{Name: "X", Role: "root"}, ActionCommand("lights")); !errors.Is(err, ErrForbidden) {
		t.Fatalf("unknown role: %v", err)
	}
	if err := f.s.Authorize(f.admin, Action{Kind: "launch_rockets"}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("unknown action: %v", err)
	}
}

func TestLastAdminProtected(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.s.Delete(ctx, "Admin", f.admin); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("delete last admin: %v", err)
	}
	demoted := f.admin
	demoted.Role = RoleUser
	if _, err := f.s.Update(ctx, demoted, f.admin); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("demote last admin: %v", err)
	}
	if err := f.s.SetPIN(ctx, "Admin", "", "1234", f.admin); err != nil {
		t.Fatal(err)
	}
	mum := f.create(t, Profile{Name: "Mum", Role: RoleAdmin})
	out, err := f.s.Update(ctx, demoted, mum)
	if err != nil || out.Role != RoleUser || out.HasPIN {
		t.Fatalf("demote with another admin: %+v, %v (PIN must go)", out, err)
	}
	if err := f.s.Delete(ctx, "Mum", mum); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("delete the new last admin: %v", err)
	}
	if err := f.s.Delete(ctx, "nobody", mum); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete unknown: %v", err)
	}
}

func TestSwitchRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.create(t, Profile{Name: "Dad", Role: RoleUser})
	mum := f.create(t, Profile{Name: "Mum", Role: RoleAdmin})

	// No admin PIN yet: switching up is allowed, and NeedsPIN says to set one; a child needs one first.
	if _, err := f.s.Create(ctx, Profile{Name: "Mia", Role: RoleChild}, f.admin); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "PIN") {
		t.Fatalf("a child before any admin PIN: %v", err)
	}
	f.switchTo(t, "Guest", "")
	f.switchTo(t, "Dad", "")
	if f.s.Active().Name != "Dad" {
		t.Fatal("switch up without any PIN")
	}
	if err := f.s.SetPIN(ctx, "Admin", "", "1111", f.admin); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetPIN(ctx, "Mum", "", "2222", mum); err != nil {
		t.Fatal(err)
	}
	if need, _ := f.s.NeedsPIN(ctx); need {
		t.Fatal("NeedsPIN after setting one")
	}
	f.create(t, Profile{Name: "Mia", Role: RoleChild})
	f.switchTo(t, "guest", "") // down: nothing needed, any case
	if _, err := f.s.Switch(ctx, "Dad", ""); !errors.Is(err, ErrPINRequired) {
		t.Fatalf("up without PIN: %v", err)
	}
	f.switchTo(t, "Dad", "2222") // any admin's PIN
	f.switchTo(t, "Mia", "")
	f.switchTo(t, "Admin", "1111")
	if f.s.Active().Name != "Admin" || !f.s.Active().HasPIN {
		t.Fatalf("active = %+v", f.s.Active())
	}
	if _, err := f.s.Switch(ctx, "Nobody", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}

	// The active profile survives a restart.
	f.switchTo(t, "Mia", "")
	if got := f.open(t).Active().Name; got != "Mia" {
		t.Fatalf("after restart active = %q", got)
	}
	// Without a recorded active profile and with a PIN set, a restart fails closed to the lowest role.
	if err := f.st.DB().Delete(&store.Setting{}, "key = ?", activeKey).Error; err != nil {
		t.Fatal(err)
	}
	if got := f.open(t).Active(); got.Role != RoleChild {
		t.Fatalf("fallback active = %+v, want the child", got)
	}
}

func TestSwitchEvents(t *testing.T) {
	f := newFixture(t)
	var got []string
	var mu sync.Mutex
	s, err := New(context.Background(), f.st, Options{Now: f.clock.Now, OnActive: func(p Profile) {
		mu.Lock()
		got = append(got, p.Name)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPIN(context.Background(), DefaultAdminName, "", adminPIN, f.admin); err != nil {
		t.Fatal(err)
	}
	mia, err := s.Create(context.Background(), Profile{Name: "Mia", Role: RoleChild}, f.admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Switch(context.Background(), "Mia", ""); err != nil {
		t.Fatal(err)
	}
	mia.Color = "#ff0000"
	if _, err := s.Update(context.Background(), mia, f.admin); err != nil {
		t.Fatal(err)
	}
	if s.Active().Color != "#ff0000" {
		t.Fatal("edit of the active profile not applied to Active()")
	}
	if err := s.Delete(context.Background(), "Mia", f.admin); err != nil {
		t.Fatal(err)
	}
	if s.Active().Name != "Guest" {
		t.Fatalf("after deleting the active profile: %q, want the lowest role", s.Active().Name)
	}
	if strings.Join(got, ",") != "Mia,Mia,Guest" {
		t.Fatalf("events = %v", got)
	}
}

func TestPINBruteForce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.s.SetPIN(ctx, "Admin", "", "2468", f.admin); err != nil {
		t.Fatal(err)
	}
	f.switchTo(t, "Guest", "")
	try := func(pin string) error { _, err := f.s.Switch(ctx, "Admin", pin); return err }
	wantWait := func(err error, kind error, wrong bool, wait time.Duration) {
		t.Helper()
		var pe *PINError
		if !errors.As(err, &pe) || !errors.Is(err, kind) || errors.Is(err, ErrWrongPIN) != wrong || pe.Wait != wait {
			t.Fatalf("err = %#v (%v), want %v wrong=%v wait %v", err, err, kind, wrong, wait)
		}
	}

	wantWait(try("0000"), ErrWrongPIN, true, 0)
	wantWait(try("12"), ErrWrongPIN, true, 0) // not a PIN at all: still a failure
	wantWait(try("1111"), ErrTooManyAttempts, true, 30*time.Second)
	// During the delay even the right PIN is not checked.
	wantWait(try("2468"), ErrTooManyAttempts, false, 30*time.Second)
	f.clock.Add(10 * time.Second)
	wantWait(try("2468"), ErrTooManyAttempts, false, 20*time.Second)
	f.clock.Add(20 * time.Second)
	wantWait(try("1112"), ErrTooManyAttempts, true, 60*time.Second)
	// A restart keeps the history.
	f.s = f.open(t)
	wantWait(try("2468"), ErrTooManyAttempts, false, 60*time.Second)
	f.clock.Add(60 * time.Second)
	// The right PIN after the delay works and clears the history.
	if err := try("2468"); err != nil {
		t.Fatalf("right PIN after the delay: %v", err)
	}
	if f.audit.last().Reason != "admin PIN" || !f.audit.last().Allowed {
		t.Fatalf("audit = %+v", f.audit.last())
	}
	f.switchTo(t, "Guest", "")
	wantWait(try("0000"), ErrWrongPIN, true, 0)

	// Lockout: 10 failures within 15 minutes, each after its delay (30+60+…+210 s = 14 min).
	for n := 2; n <= 9; n++ {
		kind, wait := error(ErrWrongPIN), time.Duration(0)
		if n >= 3 {
			kind, wait = ErrTooManyAttempts, time.Duration(n-2)*30*time.Second
		}
		wantWait(try("0000"), kind, true, wait)
		f.clock.Add(wait)
	}
	wantWait(try("0000"), ErrLockedOut, true, 15*time.Minute)
	if !strings.Contains(try("2468").Error(), "locked") {
		t.Fatal("lockout message")
	}
	f.clock.Add(14 * time.Minute)
	wantWait(try("2468"), ErrLockedOut, false, time.Minute)
	// SetPIN's old-PIN check obeys the same lockout.
	if err := f.s.SetPIN(ctx, "Admin", "2468", "1357", f.admin); !errors.Is(err, ErrLockedOut) {
		t.Fatalf("SetPIN during lockout: %v", err)
	}
	f.clock.Add(time.Minute)
	if err := try("2468"); err != nil {
		t.Fatalf("right PIN after the lockout: %v", err)
	}
}

func TestPINNeverAgesIntoLockout(t *testing.T) {
	// Slow guessing: failures older than 15 minutes no longer count towards the lockout.
	f := newFixture(t)
	ctx := context.Background()
	if err := f.s.SetPIN(ctx, "Admin", "", "2468", f.admin); err != nil {
		t.Fatal(err)
	}
	f.switchTo(t, "Guest", "")
	for range 12 {
		_, err := f.s.Switch(ctx, "Admin", "0000")
		if errors.Is(err, ErrLockedOut) || !errors.Is(err, ErrWrongPIN) {
			t.Fatalf("slow guess: %v", err)
		}
		f.clock.Add(8 * time.Minute)
	}
}

func TestSetPIN(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, bad := range []string{"", "123", "123456789", "12a4", "１２３４"} {
		var ve *ValidationError
		if err := f.s.SetPIN(ctx, "Admin", "", bad, f.admin); !errors.As(err, &ve) || ve.Field != "pin" {
			t.Errorf("PIN %q: %v", bad, err)
		}
	}
	if err := f.s.SetPIN(ctx, "Guest", "", "1234", f.admin); !errors.Is(err, ErrInvalid) {
		t.Fatalf("PIN on a guest: %v", err)
	}
	if err := f.s.SetPIN(ctx, "Admin", "", "1234", f.admin); err != nil {
		t.Fatal(err)
	}
	var row store.Profile
	if err := f.st.DB().First(&row, "name = ?", "Admin").Error; err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(row.PinHash, "$argon2id$v=19$") || strings.Contains(row.PinHash, "1234") {
		t.Fatalf("stored %q", row.PinHash)
	}
	if err := f.s.SetPIN(ctx, "Admin", "9999", "5678", f.admin); !errors.Is(err, ErrWrongPIN) {
		t.Fatalf("wrong old PIN: %v", err)
	}
	if err := f.s.SetPIN(ctx, "Admin", "1234", "5678", f.admin); err != nil {
		t.Fatal(err)
	}
	var again store.Profile
	f.st.DB().First(&again, "name = ?", "Admin")
	if again.PinHash == row.PinHash || !verifyPIN("5678", again.PinHash) || verifyPIN("1234", again.PinHash) {
		t.Fatal("PIN not changed")
	}
	// Same PIN, fresh salt, different hash.
	h1, _ := hashPIN("5678", testHash)
	h2, _ := hashPIN("5678", testHash)
	if h1 == h2 {
		t.Fatal("hash not salted")
	}
}

func TestVerifyPINRefusesTamperedHashes(t *testing.T) {
	good, err := hashPIN("1234", testHash)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	for _, h := range []string{
		"", "1234", "$2a$10$abcdefghijklmnopqrstuv",
		strings.Replace(good, "argon2id", "argon2i", 1),
		strings.Replace(good, "v=19", "v=16", 1),
		strings.Replace(good, parts[3], "m=4194304,t=1,p=1", 1), // 4 GiB: refused, not allocated
		strings.Replace(good, parts[3], "m=8192,t=0,p=1", 1),
		strings.Replace(good, parts[5], "", 1),
		good + "$",
	} {
		if verifyPIN("1234", h) {
			t.Errorf("verified against %q", h)
		}
	}
	if !verifyPIN("1234", good) || verifyPIN("1235", good) {
		t.Fatal("good hash")
	}
}

func TestDefaultHashCost(t *testing.T) {
	h, err := hashPIN("1234", defaultHashParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h, "m=65536,t=3,p=2") {
		t.Fatalf("encoding %q", h)
	}
	start := time.Now()
	if !verifyPIN("1234", h) {
		t.Fatal("verify")
	}
	t.Logf("argon2id m=64MiB t=3 p=2: %v per verify", time.Since(start))
}

func TestStats(t *testing.T) {
	f := newFixture(t)
	mia := f.create(t, Profile{Name: "Mia", Role: RoleChild})
	db := f.st.DB()
	for i, c := range []struct {
		id      uint
		status  string
		latency int64
	}{
		{mia.ID, "delivered", 100}, {mia.ID, "accepted", 300}, {mia.ID, "failed", 9000}, {mia.ID, "pending", 0},
		{f.admin.ID, "delivered", 0},
	} {
		id := c.id
		if err := db.Create(&store.Conversation{RequestID: "r" + string(rune('a'+i)), ProfileID: &id, Status: c.status, LatencyMs: c.latency}).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Create(&store.Conversation{RequestID: "orphan", Status: "delivered", LatencyMs: 5}).Error; err != nil {
		t.Fatal(err)
	}
	st, err := f.s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := st["Mia"]; got != (Stats{Commands: 4, Successes: 2, AvgLatencyMs: 200}) {
		t.Fatalf("Mia = %+v", got)
	}
	if got := st["Admin"]; got != (Stats{Commands: 1, Successes: 1}) {
		t.Fatalf("Admin = %+v", got)
	}
	if got, ok := st["Guest"]; !ok || got != (Stats{}) {
		t.Fatalf("Guest = %+v, %v", got, ok)
	}
}

func TestDamagedRowFailsClosed(t *testing.T) {
	f := newFixture(t)
	dad := f.create(t, Profile{Name: "Dad", Role: RoleUser, Blocked: []string{"buy"}})
	if err := f.st.DB().Model(&store.Profile{}).Where("id = ?", dad.ID).Update("blocked_commands", "[broken").Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Get(context.Background(), "Dad"); err == nil {
		t.Fatal("a damaged blocked list read as empty")
	}
	if _, err := f.s.Switch(context.Background(), "Dad", ""); err == nil {
		t.Fatal("switched to a damaged profile")
	}
}
