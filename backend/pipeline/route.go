package pipeline

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Route is where a final utterance goes.
type Route string

// Routes of a final utterance.
const (
	RouteDictation Route = "dictation" // typed into the focused window
	RouteCommand   Route = "command"   // sent to Tonny (n8n)
	RouteNone      Route = "none"      // nothing to send (empty text, or only the prefix)
)

// RouteRules are the settings that decide the route.
type RouteRules struct {
	// CommandPrefix is an optional spoken prefix marking a command ("Computer"); "" disables prefix routing.
	CommandPrefix string
	// DefaultRoute is where an utterance without the prefix goes; anything but RouteCommand means dictation.
	DefaultRoute Route
}

// Decision is the route and the text to send.
type Decision struct {
	// Route is where Text goes.
	Route Route
	// Text is the utterance as recognised, trimmed, with the spoken prefix removed.
	Text string
	// Prefixed reports that the utterance began with the command prefix.
	Prefixed bool
	// Reason says briefly why, for the log: `prefix "computer"`, "trigger", "default" or "empty".
	Reason string
}

// Decide routes one final utterance. hint is the route asked for by the trigger (a "command" hotkey or CLI
// call; "" for none). The spoken prefix always wins (command, prefix stripped); else a hint of dictation or
// command; else r.DefaultRoute.
//
// The prefix is matched the way a recogniser writes it: case-insensitively, as whole words, with any
// spacing or punctuation between and after its words ("Hey, Computer: lights on" for "hey computer"), but
// never inside a word ("Computerised lists" is dictation). The text after it keeps its recognised case.
func Decide(text string, hint Route, r RouteRules) Decision {
	trimmed := strings.TrimSpace(text)
	if trimmed == "" {
		return Decision{Route: RouteNone, Reason: "empty"}
	}
	if words := prefixWords(r.CommandPrefix); len(words) > 0 {
		if rest, ok := stripPrefix(trimmed, words); ok {
			d := Decision{Route: RouteCommand, Text: rest, Prefixed: true,
				Reason: `prefix "` + strings.ToLower(strings.Join(words, " ")) + `"`}
			if rest == "" {
				d.Route = RouteNone
			}
			return d
		}
	}
	if hint == RouteCommand || hint == RouteDictation {
		return Decision{Route: hint, Text: trimmed, Reason: "trigger"}
	}
	route := RouteDictation // dictation never leaves the machine: the safe reading of a bad setting
	if r.DefaultRoute == RouteCommand {
		route = RouteCommand
	}
	return Decision{Route: route, Text: trimmed, Reason: "default"}
}

// prefixWords splits a configured prefix into its words; punctuation in it ("Hey House,") is ignored.
func prefixWords(prefix string) []string {
	var words []string
	for _, t := range tokenize(prefix) {
		if t.word {
			words = append(words, t.text)
		}
	}
	return words
}

// stripPrefix reports whether text starts with the prefix words and returns the rest, without the
// punctuation and spaces that separate it from the prefix.
func stripPrefix(text string, words []string) (string, bool) {
	toks := tokenize(text)
	i := 0
	if i < len(toks) && !toks[i].word { // leading quote, ellipsis or space
		i++
	}
	for j, w := range words {
		if j > 0 && i < len(toks) && !toks[i].word { // "Hey, computer"
			i++
		}
		if i >= len(toks) || !toks[i].word || !strings.EqualFold(toks[i].text, w) {
			return "", false
		}
		i++
	}
	rest := text[len(text)-restLen(toks, i):]
	return strings.TrimLeftFunc(rest, isLeadingJunk), true
}

// restLen is the byte length of the tokens from i on.
func restLen(toks []token, i int) int {
	n := 0
	for _, t := range toks[i:] {
		n += len(t.text)
	}
	return n
}

// isLeadingJunk is what may separate a command from its prefix: spaces and sentence punctuation.
func isLeadingJunk(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune(",.:;!?-–—…", r)
}

// token is a run of word characters or a run of anything else (a gap).
type token struct {
	text string
	word bool
}

// tokenize splits s into alternating word and gap tokens; their texts concatenate to s. A word is letters,
// digits and combining marks, with an apostrophe allowed between letters ("don't").
func tokenize(s string) []token {
	var toks []token
	start, inWord := 0, false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		w := isWordRune(r)
		if !w && inWord && (r == '\'' || r == '’') && i+size < len(s) {
			next, _ := utf8.DecodeRuneInString(s[i+size:])
			w = unicode.IsLetter(next)
		}
		if i > start && w != inWord {
			toks = append(toks, token{text: s[start:i], word: inWord})
			start = i
		}
		inWord = w
		i += size
	}
	if start < len(s) {
		toks = append(toks, token{text: s[start:], word: inWord})
	}
	return toks
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
}

// Policy is where profiles plug in permissions (who may dictate, which commands a child may send). It may
// change or refuse a decision; the error is shown to the user as a friendly refusal.
type Policy interface {
	Check(ctx context.Context, d Decision) (Decision, error)
}

// AllowAll is the policy until profiles exist: every decision stands.
type AllowAll struct{}

// Check returns d unchanged.
func (AllowAll) Check(_ context.Context, d Decision) (Decision, error) { return d, nil }
