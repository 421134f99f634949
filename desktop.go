package main

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/tonnytray/tonnytray/backend/daemon"
	"github.com/tonnytray/tonnytray/backend/event"
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
		OnProfile:         func(name string) { failed("profile switch", d.SwitchProfile(runCtx, name, "")) },
		OnOpen:            dt.show,
		OnQuit:            dt.quit,
		Log:               log,
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

// show brings the window up (tray "Open window", a second launch).
func (dt *desktop) show() {
	runtime.WindowShow(dt.ctx)
	runtime.WindowUnminimise(dt.ctx)
}

// follow keeps the icon, tooltip and profile submenu in step with the app.
func (dt *desktop) follow(ctx context.Context) {
	sub := dt.d.Bus().Subscribe(16, event.AppState)
	defer sub.Close()
	defer dt.tray.Stop()
	profile := "\x00" // never a real name: the first state fills the submenu
	apply := func(st event.AppStatePayload) {
		tip := "TonnyTray — " + st.State
		if st.Detail != "" && st.Detail != st.State {
			tip += ": " + st.Detail
		}
		if st.Profile != "" {
			tip += " · profile " + st.Profile
		}
		dt.tray.SetState(tray.State(st.State), tip)
		if st.Profile != profile {
			profile = st.Profile
			dt.setProfiles(ctx, profile)
		}
	}
	apply(dt.d.AppState())
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-sub.C:
			apply(ev.Payload.(event.AppStatePayload))
		}
	}
}

func (dt *desktop) setProfiles(ctx context.Context, current string) {
	list, err := dt.d.Profiles(ctx)
	if err != nil {
		dt.d.Logger("tray").Warn("profiles not listed in the tray", "err", err)
		return
	}
	entries := make([]tray.Profile, len(list))
	for i, p := range list {
		entries[i] = tray.Profile{Name: p.Name, Current: p.Name == current}
	}
	dt.tray.SetProfiles(entries)
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
