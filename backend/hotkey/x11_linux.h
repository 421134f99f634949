#include <X11/Xlib.h>

typedef struct {
	int press;
	unsigned int keycode;
	unsigned int state;
} hk_event;

Display *hk_open(const char *name, int *detectable);
void hk_close(Display *d);
unsigned int hk_modmask(Display *d, unsigned long keysym, unsigned int fallback);
int hk_keycode(Display *d, unsigned long keysym);
int hk_grab(Display *d, int keycode, unsigned int mods, unsigned int numlock);
void hk_ungrab(Display *d, int keycode, unsigned int mods, unsigned int numlock);
int hk_wait(Display *d, int wakefd, hk_event *buf, int max);
unsigned int hk_locked_mods(const char *name);
