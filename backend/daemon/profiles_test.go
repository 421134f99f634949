package daemon

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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
