package tts

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Piece sizes for SplitSentences, in characters.
const (
	minPiece = 20  // shorter fragments ("Hi!", "OK.") join the next one: a tiny request sounds clipped
	maxPiece = 250 // longer sentences are cut at a comma or space so the first audio comes quickly
)

// abbreviations end with a dot that does not end a sentence (lower case,
// without the dot).
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true, "sr": true, "jr": true,
	"vs": true, "approx": true, "ca": true, "fig": true, "mt": true,
	"bzw": true, "usw": true, "ggf": true, "evtl": true, "nr": true, "hr": true,
}

// SplitSentences splits a reply into pieces to synthesise one after another,
// so the first sentence plays while the rest is generated. It splits after
// . ! ? … (keeping them, with any closing quotes or brackets) and at line
// breaks, but not inside "e.g.", "Dr.", "3.5" or "U.S."; it joins pieces
// shorter than about 20 characters to the next (the last to the one
// before), and cuts pieces longer than about 250 characters at a comma, or
// else a space. Pieces are trimmed; blank ones are dropped.
func SplitSentences(text string) []string {
	var raw []string
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' }) {
		raw = append(raw, splitLine(line)...)
	}
	var capped []string
	for _, p := range raw {
		capped = append(capped, capPiece(p)...)
	}
	return merge(capped)
}

// splitLine splits one line at sentence ends.
func splitLine(line string) []string {
	var out []string
	rs := []rune(line)
	start := 0
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r != '.' && r != '!' && r != '?' && r != '…' {
			continue
		}
		end := i + 1
		for end < len(rs) && strings.ContainsRune(".!?…\"'”’»)]", rs[end]) {
			end++
		}
		if end < len(rs) && !unicode.IsSpace(rs[end]) {
			i = end - 1 // "3.5", "e.g.x", "example.com": not an end
			continue
		}
		if r == '.' && end == i+1 && abbreviation(rs[start:i]) {
			continue
		}
		if p := strings.TrimSpace(string(rs[start:end])); p != "" {
			out = append(out, p)
		}
		start = end
		i = end - 1
	}
	if p := strings.TrimSpace(string(rs[start:])); p != "" {
		out = append(out, p)
	}
	return out
}

// abbreviation reports whether the word before a dot makes it an
// abbreviation rather than a sentence end: a known one, a single letter
// ("U.S.", an initial), or one with inner dots ("e.g.", "i.e.").
func abbreviation(before []rune) bool {
	j := len(before)
	for j > 0 && !unicode.IsSpace(before[j-1]) && before[j-1] != '(' && before[j-1] != '"' {
		j--
	}
	word := strings.ToLower(string(before[j:]))
	if word == "" {
		return false
	}
	if abbreviations[word] || strings.Contains(word, ".") {
		return true
	}
	// "I." ends sentences ("So do I."); other single letters are initials.
	return word != "i" && utf8.RuneCountInString(word) == 1 && unicode.IsLetter([]rune(word)[0])
}

// capPiece cuts p into pieces of at most maxPiece characters, preferably
// after a comma (or ; :), else at a space, else anywhere.
func capPiece(p string) []string {
	var out []string
	rs := []rune(p)
	for len(rs) > maxPiece {
		cut := -1
		for i := maxPiece - 1; i >= maxPiece/3; i-- {
			if (rs[i] == ',' || rs[i] == ';' || rs[i] == ':') && i+1 < len(rs) && unicode.IsSpace(rs[i+1]) {
				cut = i + 1
				break
			}
		}
		if cut < 0 {
			for i := maxPiece; i > 0; i-- {
				if unicode.IsSpace(rs[i]) {
					cut = i
					break
				}
			}
		}
		if cut <= 0 {
			cut = maxPiece
		}
		if s := strings.TrimSpace(string(rs[:cut])); s != "" {
			out = append(out, s)
		}
		rs = rs[cut:]
		for len(rs) > 0 && unicode.IsSpace(rs[0]) {
			rs = rs[1:]
		}
	}
	if s := strings.TrimSpace(string(rs)); s != "" {
		out = append(out, s)
	}
	return out
}

// merge joins short pieces to the next one (the last to the one before)
// while the result stays within maxPiece.
func merge(pieces []string) []string {
	out := make([]string, 0, len(pieces))
	for i := 0; i < len(pieces); i++ {
		p := pieces[i]
		for utf8.RuneCountInString(p) < minPiece && i+1 < len(pieces) &&
			utf8.RuneCountInString(p)+1+utf8.RuneCountInString(pieces[i+1]) <= maxPiece {
			i++
			p += " " + pieces[i]
		}
		out = append(out, p)
	}
	if n := len(out); n >= 2 && utf8.RuneCountInString(out[n-1]) < minPiece &&
		utf8.RuneCountInString(out[n-2])+1+utf8.RuneCountInString(out[n-1]) <= maxPiece {
		out[n-2] += " " + out[n-1]
		out = out[:n-1]
	}
	return out
}
