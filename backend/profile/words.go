package profile

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// word is one run of letters, digits and combining marks in a text: its byte span and its lower-case form.
// Apostrophes and hyphens split words, so "lights'" and "lights-on" both contain "lights" and "shit's" is
// masked like "shit".
type word struct {
	start, end int
	lower      string
}

// words splits s into words. Invalid UTF-8 bytes are gaps.
func words(s string) []word {
	var out []word
	start := -1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			out = append(out, word{start: start, end: i, lower: strings.ToLower(s[start:i])})
			start = -1
		}
		i += size
	}
	if start >= 0 {
		out = append(out, word{start: start, end: len(s), lower: strings.ToLower(s[start:])})
	}
	return out
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
}

// phrase is a list entry as lower-case words.
type phrase []string

func phrases(list []string) []phrase {
	out := make([]phrase, 0, len(list))
	for _, s := range list {
		ws := words(s)
		if len(ws) == 0 {
			continue // matches nothing; validation refuses such entries
		}
		p := make(phrase, len(ws))
		for i, w := range ws {
			p[i] = w.lower
		}
		out = append(out, p)
	}
	return out
}

// matchAt reports whether p occurs in ws starting at word i.
func (p phrase) matchAt(ws []word, i int) bool {
	if i+len(p) > len(ws) {
		return false
	}
	for j, w := range p {
		if ws[i+j].lower != w {
			return false
		}
	}
	return true
}

// anyMatch reports whether one of ps occurs in ws as whole words, and which (for the audit reason).
func anyMatch(ws []word, ps []phrase) (string, bool) {
	for _, p := range ps {
		for i := range ws {
			if p.matchAt(ws, i) {
				return strings.Join(p, " "), true
			}
		}
	}
	return "", false
}

// matches reports whether one of list occurs in text as whole words or phrases, ignoring case:
// "lights" matches "Turn on the lights!" but not "lightsaber".
func matches(text string, list []string) (string, bool) {
	if len(list) == 0 {
		return "", false
	}
	return anyMatch(words(text), phrases(list))
}
