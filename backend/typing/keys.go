package typing

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// pasteKey is the key combination that pastes in the focused window.
type pasteKey int

const (
	keyCtrlV       pasteKey = iota // most applications
	keyCtrlShiftV                  // terminals, where Ctrl+V is a control character
	keyShiftInsert                 // xterm and urxvt, which paste PRIMARY with it (see terminal.go)
)

func (k pasteKey) String() string {
	switch k {
	case keyCtrlShiftV:
		return "Ctrl+Shift+V"
	case keyShiftInsert:
		return "Shift+Insert"
	}
	return "Ctrl+V"
}

// xdotool's own default delay, and the least that keeps non-ASCII characters: xdotool remaps a spare keycode
// for each such character, and when the application reads the key press after the next remap the character
// is lost — at 12 ms always, at 50 ms on a busy machine ("Grüße" became "Grüe" in CI). Only the non-ASCII runs
// of a text are typed this slowly.
const (
	xdotoolDefaultDelay  = 12 * time.Millisecond
	xdotoolNonASCIIDelay = 150 * time.Millisecond
)

// typingDelay is the delay between characters the tool will use for text.
func typingDelay(m Method, configured time.Duration, text string) time.Duration {
	if m != MethodXdotool {
		return configured
	}
	d := configured
	if d <= 0 {
		d = xdotoolDefaultDelay
	}
	if !isASCII(text) && d < xdotoolNonASCIIDelay {
		d = xdotoolNonASCIIDelay
	}
	return d
}

// asciiRuns splits text into alternating runs of ASCII and non-ASCII characters, so each can be typed at its
// own pace.
func asciiRuns(text string) []string {
	var runs []string
	start := 0
	for i, r := range text {
		if i > start && (r < utf8.RuneSelf) != (text[start] < utf8.RuneSelf) {
			runs = append(runs, text[start:i])
			start = i
		}
	}
	if start < len(text) {
		runs = append(runs, text[start:])
	}
	return runs
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

// typeCommand returns the arguments and stdin that make tool m type text. Text travels after "--" or on
// stdin, never through a shell. Every tool turns "\n" into Return.
func typeCommand(m Method, text string, delay time.Duration) (args []string, stdin string) {
	switch m {
	case MethodXdotool:
		// stdin keeps the dictated text out of the process list.
		return []string{"type", "--clearmodifiers", "--delay", ms(delay), "--file", "-"}, text
	case MethodWtype:
		if delay > 0 {
			args = []string{"-d", ms(delay)}
		}
		return append(args, "--", text), ""
	case MethodYdotool:
		args = []string{"type"}
		if delay > 0 {
			args = append(args, "--key-delay", ms(delay))
		}
		return append(args, "--", text), ""
	case MethodDotool:
		// dotool reads commands line by line, so each line of text is its own "type" command.
		var b strings.Builder
		if delay > 0 {
			b.WriteString("typedelay " + ms(delay) + "\n")
		}
		for i, line := range strings.Split(text, "\n") {
			if i > 0 {
				b.WriteString("key enter\n")
			}
			if line != "" {
				b.WriteString("type " + line + "\n")
			}
		}
		return nil, b.String()
	}
	return nil, ""
}

// keyCommand returns the arguments and stdin that make tool m press k.
func keyCommand(m Method, k pasteKey) (args []string, stdin string) {
	xdo := map[pasteKey]string{keyCtrlV: "ctrl+v", keyCtrlShiftV: "ctrl+shift+v", keyShiftInsert: "shift+Insert"}
	switch m {
	case MethodXdotool:
		// --clearmodifiers releases keys the user still holds (the dictation hotkey) so they don't mix in.
		return []string{"key", "--clearmodifiers", xdo[k]}, ""
	case MethodWtype:
		// Modifiers are released explicitly: a crashed wtype must not leave Ctrl stuck (Handy PR #1487).
		switch k {
		case keyCtrlShiftV:
			return []string{"-M", "ctrl", "-M", "shift", "-k", "v", "-m", "shift", "-m", "ctrl"}, ""
		case keyShiftInsert:
			return []string{"-M", "shift", "-k", "Insert", "-m", "shift"}, ""
		}
		return []string{"-M", "ctrl", "-k", "v", "-m", "ctrl"}, ""
	case MethodYdotool:
		// Linux input key codes: 29 Left Ctrl, 42 Left Shift, 47 V, 110 Insert; ":1" press, ":0" release.
		switch k {
		case keyCtrlShiftV:
			return []string{"key", "29:1", "42:1", "47:1", "47:0", "42:0", "29:0"}, ""
		case keyShiftInsert:
			return []string{"key", "42:1", "110:1", "110:0", "42:0"}, ""
		}
		return []string{"key", "29:1", "47:1", "47:0", "29:0"}, ""
	case MethodDotool:
		return nil, "key " + strings.ToLower(xdo[k]) + "\n"
	}
	return nil, ""
}
