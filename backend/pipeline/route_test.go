package pipeline

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecide(t *testing.T) {
	computer := RouteRules{CommandPrefix: "Computer", DefaultRoute: RouteDictation}
	cases := []struct {
		name     string
		text     string
		hint     Route
		rules    RouteRules
		route    Route
		out      string
		prefixed bool
		reason   string
	}{
		{"comma", "Computer, lights on", "", computer, RouteCommand, "lights on", true, `prefix "computer"`},
		{"space lower", "computer lights on", "", computer, RouteCommand, "lights on", true, `prefix "computer"`},
		{"period", "Computer. Lights on.", "", computer, RouteCommand, "Lights on.", true, `prefix "computer"`},
		{"colon upper", "COMPUTER: lights on", "", computer, RouteCommand, "lights on", true, `prefix "computer"`},
		{"exclamation", "Computer! Stop.", "", computer, RouteCommand, "Stop.", true, `prefix "computer"`},
		{"leading space", "   Computer, what time is it?  ", "", computer, RouteCommand, "what time is it?", true, `prefix "computer"`},
		{"leading ellipsis", "...computer, lights off", "", computer, RouteCommand, "lights off", true, `prefix "computer"`},
		{"inside a word", "Computerised lists are handy", "", computer, RouteDictation, "Computerised lists are handy", false, "default"},
		{"possessive", "Computer's battery is low", "", computer, RouteDictation, "Computer's battery is low", false, "default"},
		{"not at start", "Hey computer, lights on", "", computer, RouteDictation, "Hey computer, lights on", false, "default"},
		{"only the prefix", "Computer.", "", computer, RouteNone, "", true, `prefix "computer"`},
		{"only the prefix, spaces", "  computer  ", "", computer, RouteNone, "", true, `prefix "computer"`},
		{"empty", "", RouteCommand, computer, RouteNone, "", false, "empty"},
		{"whitespace", " \t\n ", "", computer, RouteNone, "", false, "empty"},
		{"multi-word prefix", "Hey, Computer: lights on", "", RouteRules{CommandPrefix: "hey computer"}, RouteCommand, "lights on", true, `prefix "hey computer"`},
		{"multi-word prefix spacing", "hey   computer lights on", "", RouteRules{CommandPrefix: "Hey Computer"}, RouteCommand, "lights on", true, `prefix "hey computer"`},
		{"multi-word prefix partial", "Hey there, lights on", "", RouteRules{CommandPrefix: "hey computer"}, RouteDictation, "Hey there, lights on", false, "default"},
		{"prefix with punctuation", "hey house turn it up", "", RouteRules{CommandPrefix: "Hey House,"}, RouteCommand, "turn it up", true, `prefix "hey house"`},
		{"prefix disabled", "Computer, lights on", "", RouteRules{DefaultRoute: RouteDictation}, RouteDictation, "Computer, lights on", false, "default"},
		{"punctuation-only prefix disables", "Computer, lights on", "", RouteRules{CommandPrefix: " , "}, RouteDictation, "Computer, lights on", false, "default"},
		{"hint command", "lights on", RouteCommand, computer, RouteCommand, "lights on", false, "trigger"},
		{"hint dictation", "lights on", RouteDictation, RouteRules{DefaultRoute: RouteCommand}, RouteDictation, "lights on", false, "trigger"},
		{"prefix beats dictation hint", "Computer, lights on", RouteDictation, computer, RouteCommand, "lights on", true, `prefix "computer"`},
		{"default command", "lights on", "", RouteRules{DefaultRoute: RouteCommand}, RouteCommand, "lights on", false, "default"},
		{"bad default is dictation", "lights on", "", RouteRules{DefaultRoute: "n8n"}, RouteDictation, "lights on", false, "default"},
		{"hint none ignored", "lights on", RouteNone, RouteRules{DefaultRoute: RouteCommand}, RouteCommand, "lights on", false, "default"},
		{"unicode prefix", "tönny, licht an", "", RouteRules{CommandPrefix: "Tönny"}, RouteCommand, "licht an", true, `prefix "tönny"`},
		{"quoted command kept", `Computer "open the door"`, "", computer, RouteCommand, `"open the door"`, true, `prefix "computer"`},
		{"dash", "Computer - lights on", "", computer, RouteCommand, "lights on", true, `prefix "computer"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(tc.text, tc.hint, tc.rules)
			want := Decision{Route: tc.route, Text: tc.out, Prefixed: tc.prefixed, Reason: tc.reason}
			if d != want {
				t.Errorf("Decide(%q, %q, %+v) = %+v, want %+v", tc.text, tc.hint, tc.rules, d, want)
			}
		})
	}
}

func TestAllowAll(t *testing.T) {
	d := Decision{Route: RouteCommand, Text: "lights on", Prefixed: true, Reason: "trigger"}
	var p Policy = AllowAll{}
	got, err := p.Check(context.Background(), d)
	if err != nil || got != d {
		t.Fatalf("Check = %+v, %v; want the decision unchanged", got, err)
	}
}

func FuzzDecide(f *testing.F) {
	for _, s := range []string{"Computer, lights on", "computer", "Computerised", "Hey, Computer: x", "", " ",
		"\xff\xfecomputer", "computer\u00a0lights", "’computer’s", "comp\u0301uter, x"} {
		f.Add(s, "Computer", "")
		f.Add(s, "hey computer", "command")
	}
	f.Fuzz(func(t *testing.T, text, prefix, hint string) {
		d := Decide(text, Route(hint), RouteRules{CommandPrefix: prefix, DefaultRoute: RouteDictation})
		if len(d.Text) > len(text) {
			t.Fatalf("Text %q is longer than the input %q", d.Text, text)
		}
		if !strings.Contains(text, d.Text) {
			t.Fatalf("Text %q is not part of the input %q", d.Text, text)
		}
		switch d.Route {
		case RouteNone:
			if d.Text != "" {
				t.Fatalf("RouteNone with text %q", d.Text)
			}
		case RouteCommand, RouteDictation:
			if d.Text == "" {
				t.Fatalf("route %s with no text", d.Route)
			}
		default:
			t.Fatalf("unknown route %q", d.Route)
		}
		if utf8.ValidString(text) && !utf8.ValidString(d.Text) {
			t.Fatalf("valid input gave invalid text %q", d.Text)
		}
	})
}
