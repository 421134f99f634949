package pipeline

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// spoken are the default spoken-punctuation rules of the settings, as the user edits them (escaped).
var spoken = []Replacement{
	{"comma", ","}, {"period", "."}, {"full stop", "."}, {"question mark", "?"}, {"exclamation mark", "!"},
	{"exclamation point", "!"}, {"colon", ":"}, {"semicolon", ";"}, {"new line", `\n`}, {"new paragraph", `\n\n`},
	{"open paren", "("}, {"close paren", ")"},
}

func TestDictate(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		rules []Replacement
		caps  bool
		want  string
	}{
		{"brief example", "hello comma world new line how are you question mark", spoken, false,
			"hello, world\nhow are you?"},
		{"capitalized after new line", "hello comma world new line how are you question mark", spoken, true,
			"hello, world\nHow are you?"},
		{"capitalized after period", "it works period great exclamation mark see you", spoken, true,
			"it works. Great! See you"},
		{"start of text not capitalized", "period then", spoken, true, ". Then"},
		{"case-insensitive", "Hello COMMA world Full Stop", spoken, false, "Hello, world."},
		{"already punctuated kept", "Hello, world. How are you?", spoken, true, "Hello, world. How are you?"},
		{"recogniser comma before not doubled", "Hello, comma world.", spoken, false, "Hello, world."},
		{"recogniser period after not doubled", "Is it ready question mark.", spoken, false, "Is it ready?"},
		{"new line eats recogniser period", "Dear Sam, new line. Thanks for the tea.", spoken, true,
			"Dear Sam,\nThanks for the tea."},
		{"new paragraph beats new line", "one new paragraph two new line three", spoken, false, "one\n\ntwo\nthree"},
		{"hyphenated phrase", "one new-line two", spoken, false, "one\ntwo"},
		{"parens", "call me open paren maybe close paren today", spoken, false, "call me (maybe) today"},
		{"whole words only", "commas and periodic colonies", spoken, true, "commas and periodic colonies"},
		{"rule removed: typed literally", "hello comma world", []Replacement{{"period", "."}}, false, "hello comma world"},
		{"no rules", "hello comma world", nil, true, "hello comma world"},
		{"longest phrase first", "exclamation point now", []Replacement{{"exclamation", "wow"}, {"exclamation point", "!"}}, false,
			"! now"},
		{"first of equal rules wins", "foo", []Replacement{{"foo", "a"}, {"FOO", "b"}}, false, "a"},
		{"word replacement keeps spaces", "I use tonny tray daily", []Replacement{{"tonny tray", "TonnyTray"}}, false,
			"I use TonnyTray daily"},
		{"deleted phrase", "so um I think um", []Replacement{{"um", ""}}, false, "so I think "},
		{"deleted phrase at start", "um hello", []Replacement{{"um", ""}}, false, "hello"},
		{"tab escape", "name tab value", []Replacement{{"tab", `\t`}}, false, "name\tvalue"},
		{"backslash escape", "path back slash", []Replacement{{"back slash", `\\`}}, false, `path \`},
		{"unknown escape literal", "x", []Replacement{{"x", `\q`}}, false, `\q`},
		{"non-ASCII text", "Grüße comma Jürgen period straße", spoken, true, "Grüße, Jürgen. Straße"},
		{"non-ASCII rule", "привет запятая мир точка", []Replacement{{"запятая", ","}, {"точка", "."}}, false,
			"привет, мир."},
		{"non-ASCII case fold", "ÄRGER comma", []Replacement{{"ärger", "Ärger!"}}, false, "Ärger! comma"},
		{"empty from ignored", "a b", []Replacement{{"", "x"}, {" , ", "y"}}, false, "a b"},
		{"empty text", "", spoken, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Dictate(tc.text, tc.rules, tc.caps); got != tc.want {
				t.Errorf("Dictate(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

// The settings type converts to Replacement; a mismatch would break the daemon's build, not just a test.
func TestReplacementShape(t *testing.T) {
	type settingsReplacement struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	_ = Replacement(settingsReplacement{From: "comma", To: ","})
}

func FuzzDictate(f *testing.F) {
	for _, s := range []string{"hello comma world new line how are you question mark", "Hello, comma world.",
		"um um um", "new-line", "\xffcomma\xfe", "ǆ period ǆ", "open paren close paren", "período"} {
		f.Add(s, "comma", ",", true)
		f.Add(s, "new line", `\n`, false)
		f.Add(s, "um", "", true)
	}
	f.Fuzz(func(t *testing.T, text, from, to string, caps bool) {
		rules := append([]Replacement{{From: from, To: to}}, spoken...)
		got := Dictate(text, rules, caps)
		if utf8.ValidString(text) && utf8.ValidString(to) && !utf8.ValidString(got) {
			t.Fatalf("valid input gave invalid output %q", got)
		}
		if from == "" && to == "" && strings.Count(got, "\n") > strings.Count(text, "\n")+2*strings.Count(strings.ToLower(text), "new") {
			t.Fatalf("output %q has new lines nobody asked for", got)
		}
	})
}
