package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/tonnytray/tonnytray/backend/daemon"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/profile"
	"github.com/tonnytray/tonnytray/backend/tray"
)

// desktop joins the window to the tray: the icon follows the app state, its menu drives the backend, and
// closing the window hides it to the tray when there is one.
type desktop struct {
	ctx      context.Context
	d        *daemon.Daemon
	tray     *tray.Tray  // nil when the tray could not start
	quitting atomic.Bool // Quit was chosen: closing must not hide the window again
}

// startDesktop starts the tray beside the window. It is never called while bindings are generated.
func startDesktop(ctx, runCtx context.Context, d *daemon.Daemon) *desktop {
	dt := &desktop{ctx: ctx, d: d}
	log := d.Logger("tray")
	failed := func(what string, err error) {
		if err != nil {
			log.Warn(what+" from the tray failed", "err", err)
			d.Bus().Publish(event.NoticePayload{Level: "warning", Title: "Tray", Message: err.Error()})
		}
	}
	t, err := tray.Start(tray.Options{
		OnToggleListening: func() { failed("listening", d.ToggleListening()) },
		OnPause:           d.TogglePause,
		OnProfile:         func(name string) { failed("profile switch", dt.switchProfile(runCtx, name)) },
		OnQuickAction: func(name string) {
			if _, err := d.RunQuickAction(runCtx, name); err != nil && !errors.Is(err, profile.ErrForbidden) {
				failed("quick action", err) // a refusal was shown already
			}
		},
		OnOpen: dt.show,
		OnQuit: dt.quit,
		Log:    log,
	})
	if err != nil {
		log.Error("no tray icon", "err", err)
		return dt
	}
	dt.tray = t
	go dt.follow(runCtx)
	return dt
}

// quit ends the app (tray "Quit"); Wails asks beforeClose first, which must let it go.
func (dt *desktop) quit() {
	dt.quitting.Store(true)
	runtime.Quit(dt.ctx)
}

// switchProfile switches from the tray. The tray cannot ask for a PIN, so switching up opens the window on
// the family screen's PIN pad instead.
func (dt *desktop) switchProfile(ctx context.Context, name string) error {
	err := dt.d.SwitchProfile(ctx, name, "")
	if errors.Is(err, profile.ErrPINRequired) {
		dt.d.AskPIN(name)
		dt.show()
		return nil
	}
	return err
}

// show brings the window up (tray "Open window", a second launch).
func (dt *desktop) show() {
	runtime.WindowShow(dt.ctx)
	runtime.WindowUnminimise(dt.ctx)
}

// follow keeps the icon, tooltip and the profile and quick action submenus in step with the app.
func (dt *desktop) follow(ctx context.Context) {
	sub := dt.d.Bus().Subscribe(16, event.AppState, event.ProfilesChanged)
	defer sub.Close()
	defer dt.tray.Stop()
	current := "\x00" // never a real name: the first state fills the submenus
	apply := func(st event.AppStatePayload) {
		tip := "TonnyTray — " + st.State
		if st.Detail != "" && st.Detail != st.State {
			tip += ": " + st.Detail
		}
		if st.Profile != "" {
			tip += " · profile " + st.Profile
		}
		dt.tray.SetState(tray.State(st.State), tip)
		if st.Profile != current {
			current = st.Profile
			dt.setProfiles(ctx)
		}
	}
	apply(dt.d.AppState())
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-sub.C:
			switch p := ev.Payload.(type) {
			case event.AppStatePayload:
				apply(p)
			case event.ProfilesChangedPayload:
				dt.setProfiles(ctx) // added, renamed or deleted, or its quick actions edited
			}
		}
	}
}

// setProfiles fills the Profile submenu (the active one checked) and the active profile's quick actions.
func (dt *desktop) setProfiles(ctx context.Context) {
	f, err := dt.d.Family(ctx)
	if err != nil {
		dt.d.Logger("tray").Warn("profiles not listed in the tray", "err", err)
		return
	}
	entries := make([]tray.Profile, len(f.Members))
	var actions []string
	for i, m := range f.Members {
		entries[i] = tray.Profile{Name: m.Profile.Name, Current: m.Profile.Name == f.Active}
		if m.Profile.Name == f.Active {
			for _, a := range m.Profile.QuickActions {
				actions = append(actions, a.Name)
			}
		}
	}
	dt.tray.SetProfiles(entries)
	dt.tray.SetQuickActions(actions)
}

// beforeClose is Wails' OnBeforeClose: with a tray, closing hides the window (general.close_to_tray);
// without one the app would vanish with no way back but a second launch, so it asks first.
func (dt *desktop) beforeClose(ctx context.Context) (prevent bool) {
	if dt.quitting.Load() || !dt.d.Settings().General.CloseToTray {
		return false
	}
	if dt.tray != nil && dt.tray.Available() {
		runtime.WindowHide(ctx)
		return true
	}
	answer, err := runtime.MessageDialog(ctx, runtime.MessageDialogOptions{
		Type:          runtime.QuestionDialog,
		Title:         "Quit TonnyTray?",
		Message:       "There is no tray icon on this desktop, so closing the window quits TonnyTray and nothing listens any more.\n\nQuit anyway?",
		Buttons:       []string{"Quit", "Keep running"},
		DefaultButton: "Keep running",
		CancelButton:  "Keep running",
	})
	if err != nil {
		dt.d.Logger("tray").Warn("quit confirmation failed; quitting", "err", fmt.Sprint(err))
		return false
	}
	return answer != "Quit" && answer != "Yes"
}
