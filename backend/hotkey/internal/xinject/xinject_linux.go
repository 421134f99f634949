//go:build linux && cgo

// Package xinject presses keys through the XTest extension from inside the process, so hotkey benchmarks can
// measure the X round trip without xdotool's process start. Only tests import it; the app does not link
// libXtst.
package xinject

/*
#cgo LDFLAGS: -lX11 -lXtst
#include <stdlib.h>
#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>

static int inj_key(Display *d, KeySym *syms, int n) {
	KeyCode codes[8];
	if (n > 8)
		return -1;
	for (int i = 0; i < n; i++) {
		codes[i] = XKeysymToKeycode(d, syms[i]);
		if (codes[i] == 0)
			return -1;
	}
	for (int i = 0; i < n; i++)
		XTestFakeKeyEvent(d, codes[i], True, CurrentTime);
	for (int i = n - 1; i >= 0; i--)
		XTestFakeKeyEvent(d, codes[i], False, CurrentTime);
	XFlush(d);
	return 0;
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

// Injector is an X connection that fakes key presses. Not safe for concurrent use.
type Injector struct{ dpy *C.Display }

// Open connects to the X display name.
func Open(display string) (*Injector, error) {
	cname := C.CString(display)
	defer C.free(unsafe.Pointer(cname))
	d := C.XOpenDisplay(cname)
	if d == nil {
		return nil, errors.New("xinject: cannot open X display " + display)
	}
	return &Injector{dpy: d}, nil
}

// Chord presses the keysyms in order and releases them in reverse, e.g. Control_L, Shift_L, v.
func (in *Injector) Chord(keysyms ...uint32) error {
	syms := make([]C.KeySym, len(keysyms))
	for i, k := range keysyms {
		syms[i] = C.KeySym(k)
	}
	if len(syms) == 0 || C.inj_key(in.dpy, &syms[0], C.int(len(syms))) != 0 {
		return errors.New("xinject: a key is not on the keyboard map")
	}
	return nil
}

// Close disconnects.
func (in *Injector) Close() { C.XCloseDisplay(in.dpy) }
