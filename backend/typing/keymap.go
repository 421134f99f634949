package typing

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// xdotool types a character that is not on the keyboard by mapping a scratch keycode to it, pressing it and
// mapping the keycode back; an application that reads the press after the remap loses the character, which
// happens whenever the machine is busy (no delay is safe). premap avoids the race: every non-ASCII character
// of the text gets a free keycode of its own for the whole text (with xmodmap), so xdotool finds them all on
// the keyboard and never remaps.

// keymapSettle is how long the mapping stays after typing, for the application to read the last keys.
const keymapSettle = 300 * time.Millisecond

// premap maps the text's non-ASCII characters to free keycodes and returns the function that frees them. ok
// is false when xmodmap is missing or the keyboard has too few free keycodes: the caller then types the
// non-ASCII runs slowly instead.
func (i *Inserter) premap(ctx context.Context, text string) (restore func(), ok bool) {
	xmodmap := i.sys.path("xmodmap")
	if xmodmap == "" {
		return nil, false
	}
	var chars []rune
	seen := map[rune]bool{}
	for _, r := range text {
		if r >= utf8.RuneSelf && !seen[r] {
			seen[r] = true
			chars = append(chars, r)
		}
	}
	out, err := run(ctx, 5*time.Second, "", xmodmap, "-pke")
	if err != nil {
		return nil, false
	}
	free := freeKeycodes(out)
	if len(free) < len(chars) {
		return nil, false
	}
	set := make([]string, 0, 2*len(chars))
	unset := make([]string, 0, 2*len(chars))
	for n, r := range chars {
		set = append(set, "-e", fmt.Sprintf("keycode %d = U%04X U%04X", free[n], r, r))
		unset = append(unset, "-e", fmt.Sprintf("keycode %d =", free[n]))
	}
	if _, err := run(ctx, 5*time.Second, "", xmodmap, set...); err != nil {
		return nil, false
	}
	return func() {
		time.Sleep(keymapSettle)
		// A fresh context: the keycodes must be freed even when the caller's was cancelled. Should it fail, the
		// characters stay on keycodes no key produces: harmless.
		_, _ = run(context.Background(), 5*time.Second, "", xmodmap, unset...)
	}, true
}

// freeKeycodes reads `xmodmap -pke` ("keycode  93 =" is a keycode with nothing on it).
func freeKeycodes(pke string) []int {
	var free []int
	for _, line := range strings.Split(pke, "\n") {
		var code int
		if f := strings.Fields(line); len(f) == 3 && f[0] == "keycode" && f[2] == "=" {
			if _, err := fmt.Sscan(f[1], &code); err == nil {
				free = append(free, code)
			}
		}
	}
	return free
}
