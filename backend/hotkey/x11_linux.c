//go:build linux && cgo

#include "x11_linux.h"

#include <X11/XKBlib.h>
#include <X11/keysym.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

// Xlib's error handler is process-wide and its default one exits the process, which is what a BadAccess
// from XGrabKey (another client holds the shortcut) used to do. Ours records errors on our own connections
// and passes every other display's errors to the handler that was installed before it (GTK's, say), so the
// rest of the process keeps its behaviour.
#define NSLOTS 32
static pthread_mutex_t slots_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	Display *d;
	int err;
	int broken;
} slots[NSLOTS];
static XErrorHandler prev_handler;
static XIOErrorHandler prev_io_handler;

static int find_slot(Display *d) {
	for (int i = 0; i < NSLOTS; i++)
		if (slots[i].d == d)
			return i;
	return -1;
}

static int hk_error_handler(Display *d, XErrorEvent *e) {
	pthread_mutex_lock(&slots_mu);
	int i = find_slot(d);
	if (i >= 0) {
		if (slots[i].err == 0)
			slots[i].err = e->error_code;
		pthread_mutex_unlock(&slots_mu);
		return 0;
	}
	XErrorHandler prev = prev_handler;
	pthread_mutex_unlock(&slots_mu);
	return prev ? prev(d, e) : 0;
}

// hk_io_handler: when a connection breaks, Xlib calls the process-wide IO error handler, whose default
// prints "X connection to :0 broken" and exits, and only then the per-display exit handler (hk_io_exit).
// For our connections it returns, so hk_io_exit is reached; others go to the previous handler unchanged.
static int hk_io_handler(Display *d) {
	pthread_mutex_lock(&slots_mu);
	int i = find_slot(d);
	if (i >= 0) {
		slots[i].broken = 1;
		pthread_mutex_unlock(&slots_mu);
		return 0;
	}
	XIOErrorHandler prev = prev_io_handler;
	pthread_mutex_unlock(&slots_mu);
	return prev ? prev(d) : 0;
}

// install_handler (re)installs our handlers, chaining to whatever is current unless it is ours. Called before
// every grab, so a toolkit that installed its own handler after us does not swallow our BadAccess.
static void install_handler(void) {
	pthread_mutex_lock(&slots_mu);
	XErrorHandler old = XSetErrorHandler(hk_error_handler);
	if (old != hk_error_handler)
		prev_handler = old;
	XIOErrorHandler old_io = XSetIOErrorHandler(hk_io_handler);
	if (old_io != hk_io_handler)
		prev_io_handler = old_io;
	pthread_mutex_unlock(&slots_mu);
}

// hk_io_exit replaces Xlib's per-display exit(1) when the connection breaks (X server gone): mark it broken
// and return; the event loop then closes the display and reports shortcuts unavailable.
static void hk_io_exit(Display *d, void *data) {
	(void)data;
	pthread_mutex_lock(&slots_mu);
	int i = find_slot(d);
	if (i >= 0)
		slots[i].broken = 1;
	pthread_mutex_unlock(&slots_mu);
}

static int is_broken(Display *d) {
	pthread_mutex_lock(&slots_mu);
	int i = find_slot(d);
	int b = i >= 0 ? slots[i].broken : 1;
	pthread_mutex_unlock(&slots_mu);
	return b;
}

Display *hk_open(const char *name, int *detectable) {
	install_handler();
	Display *d = XOpenDisplay(name);
	if (d == NULL)
		return NULL;
	pthread_mutex_lock(&slots_mu);
	int i = find_slot(NULL);
	if (i >= 0) {
		slots[i].d = d;
		slots[i].err = 0;
		slots[i].broken = 0;
	}
	pthread_mutex_unlock(&slots_mu);
	if (i < 0) {
		XCloseDisplay(d);
		return NULL;
	}
	XSetIOErrorExitHandler(d, hk_io_exit, NULL);
	// Without detectable autorepeat a held key reads as a stream of release+press pairs.
	Bool supported = False;
	XkbSetDetectableAutoRepeat(d, True, &supported);
	*detectable = supported ? 1 : 0;
	return d;
}

void hk_close(Display *d) {
	if (!is_broken(d))
		XCloseDisplay(d);
	// A broken connection is not closed: Xlib would touch the dead socket again. Its memory is leaked, once
	// per lost X server.
	pthread_mutex_lock(&slots_mu);
	int i = find_slot(d);
	if (i >= 0)
		slots[i].d = NULL;
	pthread_mutex_unlock(&slots_mu);
}

unsigned int hk_modmask(Display *d, unsigned long keysym, unsigned int fallback) {
	unsigned int m = XkbKeysymToModifiers(d, (KeySym)keysym);
	return m ? m : fallback;
}

int hk_keycode(Display *d, unsigned long keysym) { return XKeysymToKeycode(d, (KeySym)keysym); }

// hk_grab grabs keycode with mods on the root window in the four lock variants (none, CapsLock, NumLock,
// both): a grab matches the modifier state exactly, so without them the shortcut dies while NumLock is on.
// It returns 0 or the X error code (BadAccess: another client holds one of them); on an error nothing stays
// grabbed.
int hk_grab(Display *d, int keycode, unsigned int mods, unsigned int numlock) {
	if (is_broken(d))
		return -1;
	install_handler();
	pthread_mutex_lock(&slots_mu);
	int i = find_slot(d);
	if (i >= 0)
		slots[i].err = 0;
	pthread_mutex_unlock(&slots_mu);
	Window root = DefaultRootWindow(d);
	unsigned int variants[4] = {0, LockMask, numlock, LockMask | numlock};
	for (int v = 0; v < 4; v++)
		XGrabKey(d, keycode, mods | variants[v], root, False, GrabModeAsync, GrabModeAsync);
	XSync(d, False); // errors arrive now, in our handler, not later
	pthread_mutex_lock(&slots_mu);
	int err = i >= 0 ? slots[i].err : 0;
	if (i >= 0)
		slots[i].err = 0;
	pthread_mutex_unlock(&slots_mu);
	if (is_broken(d))
		return -1;
	if (err != 0) {
		// Ungrabbing a variant another client holds is a no-op, so this only releases ours.
		for (int v = 0; v < 4; v++)
			XUngrabKey(d, keycode, mods | variants[v], root);
		XSync(d, False);
	}
	return err;
}

void hk_ungrab(Display *d, int keycode, unsigned int mods, unsigned int numlock) {
	if (is_broken(d))
		return;
	Window root = DefaultRootWindow(d);
	unsigned int variants[4] = {0, LockMask, numlock, LockMask | numlock};
	for (int v = 0; v < 4; v++)
		XUngrabKey(d, keycode, mods | variants[v], root);
	XSync(d, False);
}

// hk_wait returns the key events already received (up to max), or blocks in poll until the X connection or
// the wake pipe is readable. It returns the number of events, 0 when woken through wakefd, -1 when the X
// connection is broken.
int hk_wait(Display *d, int wakefd, hk_event *buf, int max) {
	for (;;) {
		int n = 0;
		while (n < max && !is_broken(d) && XPending(d) > 0) {
			XEvent ev;
			XNextEvent(d, &ev);
			if (ev.type != KeyPress && ev.type != KeyRelease)
				continue;
			if (ev.type == KeyRelease && XEventsQueued(d, QueuedAfterReading) > 0) {
				// Fallback for servers without detectable autorepeat: a repeat is a release followed by a
				// press of the same key with the same timestamp. Drop both.
				XEvent next;
				XPeekEvent(d, &next);
				if (next.type == KeyPress && next.xkey.keycode == ev.xkey.keycode &&
				    next.xkey.time == ev.xkey.time) {
					XNextEvent(d, &next);
					continue;
				}
			}
			buf[n].press = ev.type == KeyPress;
			buf[n].keycode = ev.xkey.keycode;
			buf[n].state = ev.xkey.state;
			n++;
		}
		if (is_broken(d))
			return -1;
		if (n > 0)
			return n;
		struct pollfd p[2] = {{ConnectionNumber(d), POLLIN, 0}, {wakefd, POLLIN, 0}};
		int r = poll(p, 2, -1);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r > 0 && p[1].revents) {
			char b[64];
			while (read(wakefd, b, sizeof b) > 0) {
			}
			return 0;
		}
		// X connection readable (or hung up): XPending reads it, or trips the IO error handler.
	}
}

// hk_locked_mods returns the locked modifiers (CapsLock, NumLock) of a display, for tests.
unsigned int hk_locked_mods(const char *name) {
	Display *d = XOpenDisplay(name);
	if (d == NULL)
		return 0;
	XkbStateRec st;
	memset(&st, 0, sizeof st);
	XkbGetState(d, XkbUseCoreKbd, &st);
	XCloseDisplay(d);
	return st.locked_mods;
}
