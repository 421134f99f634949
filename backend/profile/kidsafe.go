package profile

import "strings"

// DefaultKidSafeWords is the short list of mild English swear words masked in replies to a child. Entries
// are whole words or phrases, matched in any case. It is a floor, not a content filter: the n8n workflow
// gets safe_mode and is expected to enforce it too.
var DefaultKidSafeWords = []string{
	"arse", "arsehole", "ass", "asshole", "bastard", "bitch", "bloody", "bollocks", "bullshit", "crap",
	"cock", "cunt", "damn", "dammit", "dick", "fuck", "fucked", "fucker", "fucking", "goddamn", "hell",
	"motherfucker", "piss", "pissed", "prick", "shit", "shitty", "slut", "twat", "wanker", "whore",
}

// FilterReply masks every whole-word (or whole-phrase) occurrence of words in text, ignoring case, keeping
// each masked word's first letter: "Damn it" becomes "D*** it". Everything else is copied byte for byte,
// so valid UTF-8 stays valid; words are split on anything but letters, digits and marks ("shit's" is
// masked as "s***'s").
func FilterReply(text string, words []string) string {
	ws := wordsOf(text)
	if len(ws) == 0 || len(words) == 0 {
		return text
	}
	single := make(map[string]bool, len(words))
	var multi []phrase
	for _, p := range phrases(words) {
		if len(p) == 1 {
			single[p[0]] = true
		} else {
			multi = append(multi, p)
		}
	}
	mask := make([]bool, len(ws))
	any := false
	for i, w := range ws {
		if single[w.lower] {
			mask[i], any = true, true
		}
		for _, p := range multi {
			if p.matchAt(ws, i) {
				for j := range p {
					mask[i+j] = true
				}
				any = true
			}
		}
	}
	if !any {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for i, w := range ws {
		if !mask[i] {
			continue
		}
		b.WriteString(text[last:w.start])
		first := true
		for _, r := range text[w.start:w.end] {
			if first {
				b.WriteRune(r)
				first = false
			} else {
				b.WriteByte('*')
			}
		}
		last = w.end
	}
	b.WriteString(text[last:])
	return b.String()
}

// wordsOf is words; the name keeps FilterReply's parameter from shadowing it.
func wordsOf(s string) []word { return words(s) }

// ReplyFor is the reply p should see or hear: filtered with DefaultKidSafeWords for a child (and for an
// unknown role, failing closed), unchanged for everyone else.
func ReplyFor(p Profile, text string) string {
	switch p.Role {
	case RoleAdmin, RoleUser, RoleGuest:
		return text
	}
	return FilterReply(text, DefaultKidSafeWords)
}

// RequestFields are the profile fields of an n8n request: the profile's name, its role and safe_mode, true
// for a child (and for an unknown role) so the workflow can enforce the kid-safe rules too.
func RequestFields(p Profile) (profile, role string, safeMode bool) {
	safe := p.Role == RoleChild || !p.Role.Valid()
	return p.Name, string(p.Role), safe
}
