package daemon

import (
	"context"
	"errors"
	"fmt"

	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/event"
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
	return svc, nil
}

// profileChanged puts the active profile into the app state (tray tooltip, `status`, the UI's role gate).
func (d *Daemon) profileChanged() {
	p := d.profiles.Active()
	d.state.mu.Lock()
	d.state.profile, d.state.role = p.Name, string(p.Role)
	d.state.mu.Unlock()
	d.component("app").Info("active profile", "profile", p.Name, "role", string(p.Role))
	d.publishState()
}

// profilesChanged tells the UI to reload the family screen.
func (d *Daemon) profilesChanged(reason, name string) {
	d.bus.Publish(event.ProfilesChangedPayload{Reason: reason, Profile: name, Active: d.profiles.Active().Name})
}

// authorize refuses what the active profile may not do: only an admin changes settings, secrets and
// profiles (fail closed: an unknown actor or action is refused too).
func (d *Daemon) authorize(a profile.Action) error {
	return d.profiles.Authorize(d.profiles.Active(), a)
}

// ProfileErrorCode is the code a client branches on for a profile error (control.CodePINRequired,
// CodeWrongPIN, CodePINWait, CodeNotAllowed, CodeNotFound), or "" for any other error.
func ProfileErrorCode(err error) string {
	var pe *profile.PINError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, profile.ErrPINRequired):
		return control.CodePINRequired
	case errors.As(err, &pe) && pe.Wrong:
		return control.CodeWrongPIN
	case errors.As(err, &pe):
		return control.CodePINWait
	case errors.Is(err, profile.ErrForbidden):
		return control.CodeNotAllowed
	case errors.Is(err, profile.ErrNotFound):
		return control.CodeNotFound
	}
	return ""
}

// remoteProfileError gives profile errors their control-socket code; other errors pass unchanged.
func remoteProfileError(err error) error {
	if code := ProfileErrorCode(err); code != "" {
		return &control.RemoteError{Code: code, Message: err.Error()}
	}
	return err
}

// SwitchProfile makes name the active profile (tray submenu, `tonnytray profile NAME`, the family screen).
// Switching to a higher role needs the admin PIN.
func (d *Daemon) SwitchProfile(ctx context.Context, name, pin string) error {
	p, err := d.profiles.Switch(ctx, name, pin)
	if err != nil {
		d.component("app").Warn("profile not switched", "profile", name, "err", err)
		return err
	}
	d.profilesChanged("switched", p.Name)
	return nil
}

// AskPIN is the tray's way to switch up: it cannot take a PIN, so the window opens on the family screen with
// the PIN pad for name (see event.PINNeededPayload).
func (d *Daemon) AskPIN(name string) {
	d.bus.Publish(event.PINNeededPayload{Profile: name})
}

// CheckAccess authorizes opening an admin screen: "settings" (settings and keys) or "profiles" (editing
// the family). The refusal is the friendly sentence to show; the decision is audited.
func (d *Daemon) CheckAccess(screen string) error {
	switch screen {
	case "settings":
		return d.authorize(profile.ActionSettings)
	case "profiles":
		return d.authorize(profile.ActionProfiles)
	}
	return fmt.Errorf("screen %q: must be settings or profiles", screen)
}

// ActiveProfile is who uses TonnyTray now.
func (d *Daemon) ActiveProfile() profile.Profile { return d.profiles.Active() }

// Member is one profile on the family screen with its usage.
type Member struct {
	Profile profile.Profile `json:"profile"`
	Stats   profile.Stats   `json:"stats"`
}

// Family is the family screen: every profile with its usage, who is active, whether an admin PIN still has
// to be set (first run) and whether the active profile may manage the others.
type Family struct {
	Members   []Member `json:"members"`
	Active    string   `json:"active"`
	NeedsPIN  bool     `json:"needsPin"`
	CanManage bool     `json:"canManage"`
}

// Family lists the profiles for the family screen.
func (d *Daemon) Family(ctx context.Context) (Family, error) {
	list, err := d.profiles.List(ctx)
	if err != nil {
		return Family{}, err
	}
	stats, err := d.profiles.Stats(ctx)
	if err != nil {
		return Family{}, err
	}
	needs, err := d.profiles.NeedsPIN(ctx)
	if err != nil {
		return Family{}, err
	}
	active := d.profiles.Active()
	f := Family{Members: make([]Member, 0, len(list)), Active: active.Name, NeedsPIN: needs, CanManage: active.Role == profile.RoleAdmin}
	for _, p := range list {
		f.Members = append(f.Members, Member{Profile: p, Stats: stats[p.Name]})
	}
	return f, nil
}

// CreateProfile adds a profile; only an admin may.
func (d *Daemon) CreateProfile(ctx context.Context, p profile.Profile) (profile.Profile, error) {
	out, err := d.profiles.Create(ctx, p, d.profiles.Active())
	if err != nil {
		return out, err
	}
	d.component("app").Info("profile created", "profile", out.Name, "role", string(out.Role))
	d.profilesChanged("created", out.Name)
	return out, nil
}

// UpdateProfile saves an edited profile; only an admin may.
func (d *Daemon) UpdateProfile(ctx context.Context, p profile.Profile) (profile.Profile, error) {
	out, err := d.profiles.Update(ctx, p, d.profiles.Active())
	if err != nil {
		return out, err
	}
	d.component("app").Info("profile updated", "profile", out.Name, "role", string(out.Role))
	d.profilesChanged("updated", out.Name)
	return out, nil
}

// DeleteProfile removes a profile (never the last admin); only an admin may. Its history stays.
func (d *Daemon) DeleteProfile(ctx context.Context, name string) error {
	if err := d.profiles.Delete(ctx, name, d.profiles.Active()); err != nil {
		return err
	}
	d.component("app").Info("profile deleted", "profile", name)
	d.profilesChanged("deleted", name)
	return nil
}

// SetAdminPIN sets the PIN of the admin profile name (old is its current PIN, "" when it has none); only an
// admin may.
func (d *Daemon) SetAdminPIN(ctx context.Context, name, old, pin string) error {
	if err := d.profiles.SetPIN(ctx, name, old, pin, d.profiles.Active()); err != nil {
		return err
	}
	d.component("app").Info("admin PIN set", "profile", name)
	d.profilesChanged("pin", name)
	return nil
}

// RunQuickAction sends the active profile's quick action name to Tonny, under the same permissions as a
// spoken command; a refusal is shown like one.
func (d *Daemon) RunQuickAction(ctx context.Context, name string) (CommandResult, error) {
	cmd, err := d.profiles.QuickAction(d.profiles.Active(), name)
	if errors.Is(err, profile.ErrForbidden) {
		d.refused(err)
	}
	if err != nil {
		return CommandResult{}, err
	}
	return d.queueCommand(ctx, cmd, nil, nil)
}

// refused shows a permission refusal (a policy or Authorize error) to the user; its message is the friendly
// sentence.
func (d *Daemon) refused(err error) {
	d.bus.Publish(event.NoticePayload{Level: "warning", Title: "Not allowed", Message: err.Error()})
}

// sayRefusal speaks a refusal of something said aloud when replies are spoken: a child who asked by voice
// may not be looking at the screen.
func (d *Daemon) sayRefusal(err error) {
	if mode := d.responseMode(); mode != "voice" && mode != "both" {
		return
	}
	if serr := d.speakIfSetUp(err.Error()); serr != nil {
		d.component("tts").Warn("refusal not spoken", "err", serr)
	}
}

// replyFor is the reply as the active profile may see and hear it (a child's is kid-safe filtered).
func (d *Daemon) replyFor(text string) string { return profile.ReplyFor(d.profiles.Active(), text) }

// keepsHistory says whether text may be stored: the setting and the active profile's "don't keep history".
func (d *Daemon) keepsHistory() bool {
	return d.settings.Get().General.KeepHistory && !d.profiles.Active().NoHistory
}
