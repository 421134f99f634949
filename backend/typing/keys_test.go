package typing

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTypingDelay(t *testing.T) {
	tests := []struct {
		m          Method
		configured time.Duration
		text       string
		want       time.Duration
	}{
		{MethodXdotool, 0, "plain ascii", 12 * time.Millisecond},
		{MethodXdotool, 0, "東京", 150 * time.Millisecond},
		{MethodXdotool, 20 * time.Millisecond, "café", 150 * time.Millisecond},
		{MethodXdotool, 200 * time.Millisecond, "café", 200 * time.Millisecond},
		{MethodXdotool, 5 * time.Millisecond, "ascii", 5 * time.Millisecond},
		{MethodWtype, 0, "東京", 0},
	}
	for _, tt := range tests {
		if got := typingDelay(tt.m, tt.configured, tt.text); got != tt.want {
			t.Errorf("typingDelay(%s, %s, %q) = %s, want %s", tt.m, tt.configured, tt.text, got, tt.want)
		}
	}
}

func TestASCIIRuns(t *testing.T) {
	for in, want := range map[string][]string{
		"":                      nil,
		"plain":                 {"plain"},
		"東京":                    {"東京"},
		"Grüße, café — ok\nend": {"Gr", "üß", "e, caf", "é", " ", "—", " ok\nend"},
	} {
		if got := asciiRuns(in); !slices.Equal(got, want) || strings.Join(got, "") != in {
			t.Errorf("asciiRuns(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTypeCommand(t *testing.T) {
	text := "-rf a\nb"
	tests := []struct {
		m         Method
		wantArgs  []string
		wantStdin string
	}{
		{MethodXdotool, []string{"type", "--clearmodifiers", "--delay", "50", "--file", "-"}, text},
		{MethodWtype, []string{"-d", "50", "--", text}, ""},
		{MethodYdotool, []string{"type", "--key-delay", "50", "--", text}, ""},
		{MethodDotool, nil, "typedelay 50\ntype -rf a\nkey enter\ntype b\n"},
	}
	for _, tt := range tests {
		args, stdin := typeCommand(tt.m, text, 50*time.Millisecond)
		if !slices.Equal(args, tt.wantArgs) || stdin != tt.wantStdin {
			t.Errorf("typeCommand(%s) = %q, %q; want %q, %q", tt.m, args, stdin, tt.wantArgs, tt.wantStdin)
		}
	}
}

func TestKeyCommand(t *testing.T) {
	for _, m := range []Method{MethodXdotool, MethodWtype, MethodYdotool, MethodDotool} {
		for _, k := range []pasteKey{keyCtrlV, keyCtrlShiftV, keyShiftInsert} {
			args, stdin := keyCommand(m, k)
			if len(args) == 0 && stdin == "" {
				t.Errorf("keyCommand(%s, %s) is empty", m, k)
			}
		}
	}
	if args, _ := keyCommand(MethodWtype, keyCtrlShiftV); !slices.Equal(args, []string{"-M", "ctrl", "-M", "shift", "-k", "v", "-m", "shift", "-m", "ctrl"}) {
		t.Errorf("wtype Ctrl+Shift+V = %q", args)
	}
}

func TestKeyForClass(t *testing.T) {
	tests := map[string]pasteKey{
		"XTerm": keyShiftInsert, "URxvt": keyShiftInsert, "gnome-terminal-server": keyCtrlShiftV,
		"Alacritty": keyCtrlShiftV, "foot": keyCtrlShiftV, "org.wezfurlong.wezterm": keyCtrlShiftV,
		"firefox": keyCtrlV, "": keyCtrlV,
	}
	for class, want := range tests {
		if got := keyForClass(class); got != want {
			t.Errorf("keyForClass(%q) = %s, want %s", class, got, want)
		}
	}
}

func TestSwayFocused(t *testing.T) {
	tree := `{"focused":false,"nodes":[{"nodes":[{"focused":false,"app_id":"firefox"},
		{"focused":true,"app_id":null,"window_properties":{"class":"XTerm"}}]}],"floating_nodes":[]}`
	if got := swayFocused([]byte(tree)); got != "XTerm" {
		t.Errorf("swayFocused = %q, want XTerm", got)
	}
	if got := swayFocused([]byte(`{"floating_nodes":[{"focused":true,"app_id":"foot"}]}`)); got != "foot" {
		t.Errorf("swayFocused floating = %q, want foot", got)
	}
	if got := swayFocused([]byte("not json")); got != "" {
		t.Errorf("swayFocused(garbage) = %q", got)
	}
}

func TestErrorMessage(t *testing.T) {
	cause := errors.New("exit status 1")
	tests := []struct {
		e    *Error
		want string
	}{
		{&Error{Reason: "no typing tool works on this Wayland session (GNOME does not support wtype)", OnClipboard: true},
			"Could not type the text: no typing tool works on this Wayland session (GNOME does not support wtype). " +
				"It is on the clipboard — paste it with Ctrl+V (Ctrl+Shift+V in a terminal)."},
		{&Error{Reason: "xdotool failed.", Err: cause},
			"Could not type the text: xdotool failed, and it could not be put on the clipboard either."},
	}
	for _, tt := range tests {
		if got := tt.e.Message(); got != tt.want {
			t.Errorf("Message() = %q\nwant        %q", got, tt.want)
		}
	}
	e := &Error{Reason: "xdotool failed", Err: cause}
	if !errors.Is(e, cause) || !strings.Contains(e.Error(), "exit status 1") {
		t.Errorf("Error() = %q, Unwrap does not reach the cause", e.Error())
	}
}

func TestFreeKeycodes(t *testing.T) {
	pke := "keycode   8 =\nkeycode   9 = Escape NoSymbol Escape\nkeycode  93 =\nkeycode 255 = \nkeycode x =\n"
	if got := freeKeycodes(pke); !slices.Equal(got, []int{8, 93, 255}) {
		t.Fatalf("freeKeycodes = %v", got)
	}
}
