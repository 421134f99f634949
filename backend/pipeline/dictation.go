package pipeline

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Replacement is one user-editable rule: a spoken phrase and what is typed instead. It has the shape of
// settings.Replacement, so pipeline.Replacement(r) converts one.
type Replacement struct {
	// From is the spoken phrase, matched as whole words, case-insensitively, with spaces or hyphens between
	// its words ("new line", "New-line"); punctuation in it is ignored.
	From string `json:"from"`
	// To is typed instead. It is edited in a one-line text field, so `\n` (backslash, n) stands for a new
	// line, `\t` for a tab and `\\` for a backslash. "" deletes the phrase.
	To string `json:"to"`
}

// rule is a Replacement ready for matching.
type rule struct {
	words []string
	to    string // escapes decoded
	// dropBefore and dropAfter: the rule types sentence punctuation (or a new line), so the recogniser's own
	// punctuation right before (after) the phrase is dropped rather than doubled.
	dropBefore, dropAfter bool
}

// Dictate applies the replacements to recognised text and tidies the seams they leave.
//
// Phrases are replaced as whole words, case-insensitively, the longest phrase first (and the first rule of
// equal length). Around a replacement: no space before , . ? ! : ; ) nor after (; a new line or tab eats the
// spaces on both sides; punctuation the recogniser put right next to a spoken mark is dropped, so "Hello,
// comma world" and "ready question mark." do not double it. When capitalize is true the first letter after
// an inserted . ? ! or new line is upper-cased. The recognised text itself (its case, its own punctuation and
// spacing) is left as it is, and so is the start of the text: the cursor may be mid-sentence.
func Dictate(text string, rules []Replacement, capitalize bool) string {
	prepared := prepareRules(rules)
	if len(prepared) == 0 || text == "" {
		return text
	}
	toks := tokenize(text)
	var out []piece
	for i := 0; i < len(toks); {
		if !toks[i].word {
			out = append(out, piece{text: toks[i].text})
			i++
			continue
		}
		r, end := match(toks, i, prepared)
		if r == nil {
			out = append(out, piece{text: toks[i].text})
			i++
			continue
		}
		if r.dropBefore && len(out) > 0 && !out[len(out)-1].inserted {
			out[len(out)-1].text = dropMarks(out[len(out)-1].text)
		}
		out = append(out, piece{text: r.to, inserted: true})
		i = end
		if r.dropAfter && i < len(toks) && !toks[i].word {
			out = append(out, piece{text: dropMarks(toks[i].text)})
			i++
		}
	}
	return join(out, capitalize)
}

// piece is recognised text or an inserted replacement.
type piece struct {
	text     string
	inserted bool
}

// prepareRules decodes and orders the rules: most words first, then longest phrase, then list order.
func prepareRules(rules []Replacement) []rule {
	out := make([]rule, 0, len(rules))
	for _, r := range rules {
		words := prefixWords(r.From)
		if len(words) == 0 {
			continue
		}
		to := unescape(r.To)
		punct := !strings.ContainsFunc(to, isWordRune) && strings.ContainsFunc(to, isMark)
		out = append(out, rule{
			words:      words,
			to:         to,
			dropBefore: punct,
			dropAfter:  punct || strings.Contains(to, "\n") && !strings.ContainsFunc(to, isWordRune),
		})
	}
	slices.SortStableFunc(out, func(a, b rule) int {
		if len(a.words) != len(b.words) {
			return len(b.words) - len(a.words)
		}
		return phraseLen(b.words) - phraseLen(a.words)
	})
	return out
}

func phraseLen(words []string) int {
	n := 0
	for _, w := range words {
		n += len(w)
	}
	return n
}

// unescape decodes \n, \t and \\; any other backslash stays as typed.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case 't':
				b.WriteByte('\t')
				i++
				continue
			case '\\':
				b.WriteByte('\\')
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// match finds the first rule whose words start at toks[i] (a word); it returns the rule and the index of
// the token after the phrase.
func match(toks []token, i int, rules []rule) (*rule, int) {
	for k := range rules {
		r := &rules[k]
		j, ok := i, true
		for n, w := range r.words {
			if n > 0 {
				if j >= len(toks) || toks[j].word || !softGap(toks[j].text) {
					ok = false
					break
				}
				j++
			}
			if j >= len(toks) || !strings.EqualFold(toks[j].text, w) {
				ok = false
				break
			}
			j++
		}
		if ok {
			return r, j
		}
	}
	return nil, 0
}

// softGap is what may stand between the words of one phrase: spaces and hyphens.
func softGap(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && r != '-' {
			return false
		}
	}
	return true
}

// isMark reports sentence punctuation, the kind a recogniser adds on its own.
func isMark(r rune) bool { return strings.ContainsRune(",.;:!?…", r) }

// dropMarks removes sentence punctuation from a gap between words, keeping spaces, quotes and brackets.
func dropMarks(s string) string {
	if !strings.ContainsFunc(s, isMark) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isMark(r) {
			return -1
		}
		return r
	}, s)
}

// join concatenates the pieces, tidying spaces and case at the seams of inserted ones.
func join(pieces []piece, capitalize bool) string {
	var b []byte
	eatSpace, capNext := false, false
	for _, p := range pieces {
		s := p.text
		if p.inserted {
			first, _ := utf8.DecodeRuneInString(s)
			switch {
			case s == "":
				// A deleted phrase leaves one space between its neighbours, none at the start.
				if len(b) == 0 || endsWithSpace(b) {
					eatSpace = true
				}
				continue
			case strings.ContainsRune(",.?!:;)…", first) || first == '\n' || first == '\t':
				b = trimTrailingSpace(b)
				eatSpace = false
			}
		}
		if eatSpace {
			s = strings.TrimLeftFunc(s, isHorizontalSpace)
			if s == "" {
				continue
			}
			eatSpace = false
		}
		if capNext {
			s, capNext = capitalizeFirst(s)
		}
		b = append(b, s...)
		if p.inserted {
			last, _ := utf8.DecodeLastRuneInString(s)
			eatSpace = last == '(' || last == '\n' || last == '\t'
			if capitalize {
				end := strings.TrimRightFunc(s, isHorizontalSpace)
				l, _ := utf8.DecodeLastRuneInString(end)
				if l == '.' || l == '?' || l == '!' || l == '\n' {
					capNext = true
				}
			}
		}
	}
	return string(b)
}

// isHorizontalSpace is white space other than a line break.
func isHorizontalSpace(r rune) bool { return unicode.IsSpace(r) && r != '\n' && r != '\r' }

func endsWithSpace(b []byte) bool {
	r, size := utf8.DecodeLastRune(b)
	return size > 0 && isHorizontalSpace(r)
}

func trimTrailingSpace(b []byte) []byte {
	for len(b) > 0 {
		r, size := utf8.DecodeLastRune(b)
		if !isHorizontalSpace(r) {
			break
		}
		b = b[:len(b)-size]
	}
	return b
}

// capitalizeFirst upper-cases the first letter of s if a word starts before any other word character; it
// reports whether the capital is still owed (s had no word character).
func capitalizeFirst(s string) (string, bool) {
	for i, r := range s {
		if !isWordRune(r) {
			continue
		}
		if !unicode.IsLetter(r) {
			return s, false
		}
		t := unicode.ToTitle(r)
		if t == r {
			return s, false
		}
		return s[:i] + string(t) + s[i+utf8.RuneLen(r):], false
	}
	return s, true
}
