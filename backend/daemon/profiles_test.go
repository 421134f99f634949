package daemon

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/elevensim"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/n8nsim"
	"github.com/tonnytray/tonnytray/backend/pipeline"
	"github.com/tonnytray/tonnytray/backend/profile"
	"github.com/tonnytray/tonnytray/backend/settings"
)

// TestChildProfileIsHeldToItsPermissions: the family's child may only send allowed commands, never changes
// settings or keys, is sent to n8n as safe, and hears a filtered reply; switching back up needs the PIN.
func TestChildProfileIsHeldToItsPermissions(t *testing.T) {
	sim := startN8N(t, n8nsim.RespondJSON)
	d, _ := tonnyDaemon(t, sim, func(s *settings.Settings) {
		s.General.DefaultRoute = "command"
		s.Response.Mode = "text"
	})
	ctx := context.Background()
	admin := d.ActiveProfile()
	if admin.Role != profile.RoleAdmin {
		t.Fatalf("first run: active %+v, want the admin", admin)
	}
	if err := d.profiles.SetPIN(ctx, admin.Name, "", "4321", admin); err != nil {
		t.Fatal(err)
	}
	if _, err := d.profiles.Create(ctx, profile.Profile{Name: "Mia", Role: profile.RoleChild, Color: "#ff8800",
		Allowed: []string{"lights", "tell me a story"}}, admin); err != nil {
		t.Fatal(err)
	}
	if err := d.SwitchProfile(ctx, "Mia", ""); err != nil { // down: no PIN
		t.Fatal(err)
	}

	// Settings and keys: refused, nothing changed.
	s := d.Settings()
	s.General.RetentionDays = 1
	if _, err := d.SaveSettings(s); !errors.Is(err, profile.ErrForbidden) {
		t.Fatalf("a child saving settings: %v, want ErrForbidden", err)
	}
	if d.Settings().General.RetentionDays == 1 {
		t.Fatal("the refused settings were saved")
	}
	if err := d.SetSecret("n8n.auth", "x"); !errors.Is(err, profile.ErrForbidden) {
		t.Fatalf("a child storing a key: %v", err)
	}

	// A command off the allow list never reaches the outbox or n8n; the child gets a friendly refusal.
	notices := d.Bus().Subscribe(16, event.Notice)
	defer notices.Close()
	d.utteranceDone(pipeline.Utterance{Text: "order a new bike online", Mode: "toggle"})
	select {
	case ev := <-notices.C:
		if n := ev.Payload.(event.NoticePayload); n.Title != "Not allowed" || !strings.Contains(n.Message, "Mia") {
			t.Errorf("refusal = %+v, want a friendly sentence naming Mia", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no refusal shown")
	}
	if v := waitOutbox(t, d, func(OutboxView) bool { return true }); v.State.Pending != 0 || len(sim.Received()) != 0 {
		t.Fatalf("a refused command was queued or sent: %+v, %d received", v.State, len(sim.Received()))
	}

	// An allowed one goes out marked safe, with the role; the reply comes back filtered.
	states := watchCommands(t, d)
	res, err := d.SendCommand(ctx, "turn on the lights you damn robot")
	if err != nil {
		t.Fatal(err)
	}
	got := states.until(t, res.ID, settled)
	if got.Status != "delivered" || strings.Contains(got.Reply, "damn") || !strings.Contains(got.Reply, "d***") {
		t.Fatalf("reply to a child = %+v, want the word masked", got)
	}
	body := string(sim.Received()[0].Body)
	for _, want := range []string{`"profile":"Mia"`, `"role":"child"`, `"safe_mode":true`} {
		if !strings.Contains(body, want) {
			t.Errorf("request lacks %s: %s", want, body)
		}
	}

	// Back up to the admin: a wrong PIN is refused, the right one works.
	if err := d.SwitchProfile(ctx, admin.Name, "0000"); !errors.Is(err, profile.ErrWrongPIN) {
		t.Fatalf("wrong PIN: %v", err)
	}
	if d.ActiveProfile().Name != "Mia" {
		t.Fatal("a wrong PIN switched the profile")
	}
	if err := d.SwitchProfile(ctx, admin.Name, "4321"); err != nil {
		t.Fatal(err)
	}
	if d.AppState().Profile != admin.Name {
		t.Errorf("app state profile %q after the switch", d.AppState().Profile)
	}
}

// TestTypedCommandsAndQuickActionsObeyTheChildPolicy: the Ask Tonny box, `tonnytray send` and quick actions
// are held to the same allow list as speech; what goes out counts in the child's stats.
func TestTypedCommandsAndQuickActionsObeyTheChildPolicy(t *testing.T) {
	sim := startN8N(t, n8nsim.RespondJSON)
	d, _ := tonnyDaemon(t, sim, func(s *settings.Settings) { s.Response.Mode = "text" })
	ctx := context.Background()
	if err := d.SetAdminPIN(ctx, profile.DefaultAdminName, "", "4321"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateProfile(ctx, profile.Profile{Name: "Mia", Role: profile.RoleChild, Allowed: []string{"lights"},
		QuickActions: []profile.QuickAction{{Name: "Lights", Command: "lights on"}, {Name: "Pizza", Command: "order pizza"}}}); err != nil {
		t.Fatal(err)
	}
	if err := d.SwitchProfile(ctx, "Mia", ""); err != nil {
		t.Fatal(err)
	}
	notices := d.Bus().Subscribe(16, event.Notice)
	defer notices.Close()
	refusedWith := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, profile.ErrForbidden) {
			t.Fatalf("%s: %v, want a refusal", what, err)
		}
		select {
		case ev := <-notices.C:
			if n := ev.Payload.(event.NoticePayload); n.Title != "Not allowed" || !strings.Contains(n.Message, "Mia") {
				t.Errorf("%s: notice %+v", what, n)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no refusal shown", what)
		}
	}
	_, err := d.SendCommand(ctx, "order a new bike online")
	refusedWith("typed command off the list", err)
	_, err = d.RunQuickAction(ctx, "Pizza")
	refusedWith("quick action off the list", err)
	if _, err := d.RunQuickAction(ctx, "Nope"); !errors.Is(err, profile.ErrNotFound) {
		t.Fatalf("unknown quick action: %v", err)
	}

	states := watchCommands(t, d)
	res, err := d.RunQuickAction(ctx, "lights")
	if err != nil {
		t.Fatal(err)
	}
	if got := states.until(t, res.ID, settled); got.Status != "delivered" {
		t.Fatalf("allowed quick action: %+v", got)
	}
	if n := len(sim.Received()); n != 1 || !strings.Contains(string(sim.Received()[0].Body), `"text":"lights on"`) {
		t.Fatalf("n8n received %d requests, want only the allowed quick action", n)
	}
	f, err := d.Family(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range f.Members {
		if m.Profile.Name == "Mia" && (m.Stats.Commands != 1 || m.Stats.Successes != 1) {
			t.Errorf("Mia's stats = %+v, want 1 command and 1 success", m.Stats)
		}
	}
	if f.Active != "Mia" || f.CanManage || f.NeedsPIN {
		t.Errorf("family = active %q, canManage %v, needsPin %v", f.Active, f.CanManage, f.NeedsPIN)
	}
}

// TestProfilePreferencesApply: a profile's response mode, voice and language win over the settings.
func TestProfilePreferencesApply(t *testing.T) {
	d, _, es, sim := voiceDaemon(t, elevensim.Config{}, nil) // settings: replies spoken and shown
	ctx := context.Background()
	for _, p := range []profile.Profile{
		{Name: "Dad", Role: profile.RoleUser, ResponseMode: profile.ResponseText},
		{Name: "Gran", Role: profile.RoleUser, Voice: "no-such-voice", Language: "de"},
	} {
		if _, err := d.CreateProfile(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	notices := d.Bus().Subscribe(16, event.Notice)
	defer notices.Close()
	states := watchCommands(t, d)
	for _, who := range []string{"Dad", "Gran"} {
		if err := d.SwitchProfile(ctx, who, ""); err != nil {
			t.Fatal(err)
		}
		res, err := d.SendCommand(ctx, "hello from "+who)
		if err != nil {
			t.Fatal(err)
		}
		if got := states.until(t, res.ID, settled); got.Status != "delivered" {
			t.Fatalf("%s: %+v", who, got)
		}
	}
	// Gran's reply goes to her voice, which the service does not know: the synthesis fails and says so.
	deadline := time.After(20 * time.Second)
	for waiting := true; waiting; {
		select {
		case ev := <-notices.C:
			waiting = ev.Payload.(event.NoticePayload).Title != "Reply not spoken"
		case <-deadline:
			t.Fatal("Gran's reply was not sent to her voice")
		}
	}
	// Dad's text-only reply made no request; Gran's made one (a 400 is not retried). Syntheses are
	// serialised, so Dad's would have come first.
	if n := es.Requests(); n != 1 {
		t.Errorf("%d syntheses, want 1 (Gran's only)", n)
	}
	if body := string(sim.Received()[1].Body); !strings.Contains(body, `"language":"de"`) {
		t.Errorf("Gran's request lacks her language: %s", body)
	}
}

// TestSpeechSessionUsesTheProfileLanguage: recognition runs in the active profile's language (its primary
// subtag, as WhisperLiveKit's ?language= takes it), and in the server's own for a profile without one.
func TestSpeechSessionUsesTheProfileLanguage(t *testing.T) {
	h := newHarness(t)
	d, _ := h.start(t)
	ctx := context.Background()
	if _, err := d.CreateProfile(ctx, profile.Profile{Name: "Oma", Role: profile.RoleUser, Language: "de-AT"}); err != nil {
		t.Fatal(err)
	}
	if got := d.speechDialOptions("").Language; got != "" {
		t.Errorf("the admin without a language: %q, want the server's own", got)
	}
	if err := d.SwitchProfile(ctx, "Oma", ""); err != nil {
		t.Fatal(err)
	}
	if got := d.speechDialOptions("").Language; got != "de" {
		t.Errorf("Oma's session language = %q, want de", got)
	}
}

// TestSpokenRefusalIsHeard: a child who asks by voice for something off the list hears the refusal (replies
// are spoken), and nothing reaches n8n.
func TestSpokenRefusalIsHeard(t *testing.T) {
	d, _, es, sim := voiceDaemon(t, elevensim.Config{}, func(s *settings.Settings) { s.General.DefaultRoute = "command" })
	ctx := context.Background()
	if err := d.SetAdminPIN(ctx, profile.DefaultAdminName, "", "4321"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateProfile(ctx, profile.Profile{Name: "Mia", Role: profile.RoleChild, Allowed: []string{"lights"}}); err != nil {
		t.Fatal(err)
	}
	if err := d.SwitchProfile(ctx, "Mia", ""); err != nil {
		t.Fatal(err)
	}
	speech := watchSpeech(t, d)
	d.utteranceDone(pipeline.Utterance{Text: "order a pizza", Mode: "toggle"})
	said := speech.next(t, "the refusal spoken", func(p event.SpeechStatePayload) bool { return p.Speaking })
	if !strings.Contains(said.Text, "Mia") || !strings.Contains(said.Text, "grown-up") {
		t.Errorf("spoken %q, want the friendly refusal", said.Text)
	}
	speech.next(t, "silence", func(p event.SpeechStatePayload) bool { return !p.Speaking })
	if es.Requests() == 0 || len(sim.Received()) != 0 {
		t.Errorf("%d syntheses, %d n8n requests: want the refusal spoken and nothing sent", es.Requests(), len(sim.Received()))
	}
}
