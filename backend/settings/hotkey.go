package settings

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Hotkey is a parsed global shortcut: modifiers plus exactly one key.
type Hotkey struct {
	Ctrl, Shift, Alt, Super bool
	// Key is the canonical key name: "A"–"Z", "0"–"9", "F1"–"F24", or a name such as "Space", "Enter",
	// "PageUp", "Minus".
	Key string
}

// String is the canonical form, modifiers in a fixed order: "Ctrl+Shift+Alt+Super+Key".
func (h Hotkey) String() string {
	var parts []string
	for _, m := range []struct {
		on   bool
		name string
	}{{h.Ctrl, "Ctrl"}, {h.Shift, "Shift"}, {h.Alt, "Alt"}, {h.Super, "Super"}} {
		if m.on {
			parts = append(parts, m.name)
		}
	}
	return strings.Join(append(parts, h.Key), "+")
}

// hotkeyModifiers lists the canonical modifiers with their accepted spellings (lower case).
var hotkeyModifiers = []struct {
	name      string
	spellings []string
}{
	{"Ctrl", []string{"ctrl", "control"}},
	{"Shift", []string{"shift"}},
	{"Alt", []string{"alt", "option"}},
	{"Super", []string{"super", "meta", "win", "cmd", "command", "logo"}},
}

// hotkeyNamedKeys lists named keys with their accepted spellings (lower case); letters, digits and F-keys are
// handled in code. Printable keys are marked: alone they would swallow ordinary typing.
var hotkeyNamedKeys = []struct {
	name      string
	printable bool
	spellings []string
}{
	{"Space", true, []string{"space"}},
	{"Enter", false, []string{"enter", "return"}},
	{"Tab", false, []string{"tab"}},
	{"Escape", false, []string{"escape", "esc"}},
	{"Backspace", false, []string{"backspace"}},
	{"Delete", false, []string{"delete", "del"}},
	{"Insert", false, []string{"insert", "ins"}},
	{"Home", false, []string{"home"}},
	{"End", false, []string{"end"}},
	{"PageUp", false, []string{"pageup", "pgup"}},
	{"PageDown", false, []string{"pagedown", "pgdn"}},
	{"Up", false, []string{"up"}},
	{"Down", false, []string{"down"}},
	{"Left", false, []string{"left"}},
	{"Right", false, []string{"right"}},
	{"Pause", false, []string{"pause"}},
	{"PrintScreen", false, []string{"printscreen", "print"}},
	{"ScrollLock", false, []string{"scrolllock"}},
	{"Minus", true, []string{"minus", "-"}},
	{"Equal", true, []string{"equal", "="}},
	{"Comma", true, []string{"comma", ","}},
	{"Period", true, []string{"period", "."}},
	{"Slash", true, []string{"slash", "/"}},
	{"Backslash", true, []string{"backslash", "\\"}},
	{"Semicolon", true, []string{"semicolon", ";"}},
	{"Quote", true, []string{"quote", "apostrophe", "'"}},
	{"Backquote", true, []string{"backquote", "grave", "`"}},
	{"BracketLeft", true, []string{"bracketleft", "["}},
	{"BracketRight", true, []string{"bracketright", "]"}},
}

// ParseHotkey parses "Ctrl+Shift+V"-style shortcuts, case-insensitively: any of the modifiers Ctrl, Shift, Alt,
// Super (aliases Control, Option, Meta, Win, Cmd) and exactly one key. A printable key (letter, digit,
// punctuation, Space) needs Ctrl, Alt or Super, since a global grab of it would eat ordinary typing.
func ParseHotkey(s string) (Hotkey, error) {
	var h Hotkey
	if strings.TrimSpace(s) == "" {
		return h, errors.New("is empty")
	}
	printable := false
	for _, raw := range strings.Split(s, "+") {
		part := strings.TrimSpace(raw)
		if part == "" {
			return Hotkey{}, errors.New("has an empty part (two '+' in a row or a '+' at an end)")
		}
		lower := strings.ToLower(part)
		if mod := lookupModifier(lower); mod != "" {
			flag := h.modifier(mod)
			if *flag {
				return Hotkey{}, fmt.Errorf("repeats the modifier %s", mod)
			}
			*flag = true
			continue
		}
		key, isPrintable, ok := parseHotkeyKey(lower)
		if !ok {
			return Hotkey{}, fmt.Errorf("has an unknown key %q (use a letter, a digit, F1–F24, Space, Enter, Tab, "+
				"Escape, arrows, Home/End, PageUp/PageDown, Insert/Delete, Pause or punctuation names like Minus)", part)
		}
		if h.Key != "" {
			return Hotkey{}, fmt.Errorf("has two keys, %s and %s; use modifiers plus exactly one key", h.Key, key)
		}
		h.Key, printable = key, isPrintable
	}
	if h.Key == "" {
		return Hotkey{}, errors.New("has only modifiers; add one key, e.g. Ctrl+Shift+V")
	}
	if printable && !h.Ctrl && !h.Alt && !h.Super {
		return Hotkey{}, fmt.Errorf("would grab the plain key %s and break typing; add Ctrl, Alt or Super", h.Key)
	}
	return h, nil
}

// modifier returns the flag of a canonical modifier name.
func (h *Hotkey) modifier(name string) *bool {
	switch name {
	case "Ctrl":
		return &h.Ctrl
	case "Shift":
		return &h.Shift
	case "Alt":
		return &h.Alt
	default:
		return &h.Super
	}
}

// parseHotkeyKey resolves one lower-case key spelling.
func parseHotkeyKey(lower string) (name string, printable, ok bool) {
	if len(lower) == 1 && (lower[0] >= 'a' && lower[0] <= 'z' || lower[0] >= '0' && lower[0] <= '9') {
		return strings.ToUpper(lower), true, true
	}
	if n, found := strings.CutPrefix(lower, "f"); found && len(n) <= 2 && n != "" && n[0] != '0' {
		if i, err := strconv.Atoi(n); err == nil && i >= 1 && i <= 24 {
			return "F" + n, false, true
		}
	}
	for _, k := range hotkeyNamedKeys {
		if slices.Contains(k.spellings, lower) {
			return k.name, k.printable, true
		}
	}
	return "", false, false
}

// lookupModifier returns the canonical modifier for a lower-case spelling, or "".
func lookupModifier(lower string) string {
	for _, m := range hotkeyModifiers {
		if slices.Contains(m.spellings, lower) {
			return m.name
		}
	}
	return ""
}
