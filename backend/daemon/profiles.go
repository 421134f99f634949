package daemon

import (
	"context"
	"fmt"

	"github.com/tonnytray/tonnytray/backend/profile"
)

// newProfiles opens the family's profiles (an admin and a guest on first run), sends every permission
// decision to the log (the audit trail) and follows the active profile in the app state.
func (d *Daemon) newProfiles(ctx context.Context) (*profile.Service, error) {
	audit := d.component("audit")
	svc, err := profile.New(ctx, d.store, profile.Options{
		Audit: func(e profile.AuditEntry) {
			audit.Info("permission", "profile", e.Profile, "role", string(e.Role), "action", string(e.Action),
				"allowed", e.Allowed, "reason", e.Reason)
		},
		OnActive: func(profile.Profile) { d.profileChanged() },
	})
	if err != nil {
		return nil, fmt.Errorf("open profiles: %w", err)
	}
	if err := svc.EnsureDefaults(ctx); err != nil {
		return nil, fmt.Errorf("create the first profiles: %w", err)
	}
	return svc, nil
}

// profileChanged puts the active profile into the app state (tray tooltip, `status`).
func (d *Daemon) profileChanged() {
	name := d.profiles.Active().Name
	d.state.mu.Lock()
	d.state.profile = name
	d.state.mu.Unlock()
	d.component("app").Info("active profile", "profile", name)
	d.publishState()
}

// authorize refuses what the active profile may not do: only an admin changes settings, secrets and
// profiles (fail closed: an unknown actor or action is refused too).
func (d *Daemon) authorize(a profile.Action) error {
	return d.profiles.Authorize(d.profiles.Active(), a)
}

// SwitchProfile makes name the active profile (tray submenu, `tonnytray profile NAME`, the family screen).
// Switching to a higher role needs the admin PIN.
func (d *Daemon) SwitchProfile(ctx context.Context, name, pin string) error {
	_, err := d.profiles.Switch(ctx, name, pin)
	if err != nil {
		d.component("app").Warn("profile not switched", "profile", name, "err", err)
	}
	return err
}

// ActiveProfile is who uses TonnyTray now.
func (d *Daemon) ActiveProfile() profile.Profile { return d.profiles.Active() }

// replyFor is the reply as the active profile may see and hear it (a child's is kid-safe filtered).
func (d *Daemon) replyFor(text string) string { return profile.ReplyFor(d.profiles.Active(), text) }

// keepsHistory says whether text may be stored: the setting and the active profile's "don't keep history".
func (d *Daemon) keepsHistory() bool {
	return d.settings.Get().General.KeepHistory && !d.profiles.Active().NoHistory
}
