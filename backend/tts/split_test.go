package tts

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSplitSentences(t *testing.T) {
	long := strings.Repeat("word ", 40) + "and then, after a comma, " + strings.Repeat("more words ", 20) + "end."
	tests := []struct {
		name, in string
		want     []string
	}{
		{"empty", "", nil},
		{"blank", " \n\t ", nil},
		{"one", "The lights in the kitchen are on now.", []string{"The lights in the kitchen are on now."}},
		{"two", "The lights in the kitchen are on now. The heating is set to twenty degrees!",
			[]string{"The lights in the kitchen are on now.", "The heating is set to twenty degrees!"}},
		{"short first joins next", "OK! The lights in the kitchen are on now.", []string{"OK! The lights in the kitchen are on now."}},
		{"short last joins previous", "The lights in the kitchen are on now. Bye!", []string{"The lights in the kitchen are on now. Bye!"}},
		{"abbreviations", "Dr. Smith said e.g. apples are fine in the U.S. today. It costs 3.5 dollars at the shop, Mr. Jones.",
			[]string{"Dr. Smith said e.g. apples are fine in the U.S. today.", "It costs 3.5 dollars at the shop, Mr. Jones."}},
		{"question and ellipsis", "Are you sure about that one?! Well… I think we should wait a little. Really...",
			[]string{"Are you sure about that one?!", "Well… I think we should wait a little. Really..."}},
		{"quotes close", `He said "turn off the lights." Then he left the room quietly.`,
			[]string{`He said "turn off the lights."`, "Then he left the room quietly."}},
		{"newlines", "Shopping list for the week\n- milk and bread\n- eggs and cheese too",
			[]string{"Shopping list for the week", "- milk and bread - eggs and cheese too"}},
		{"I ends", "That is what I like to do, so do I. Tomorrow we will go again.",
			[]string{"That is what I like to do, so do I.", "Tomorrow we will go again."}},
		{"no terminator", "the weather tomorrow is sunny and warm", []string{"the weather tomorrow is sunny and warm"}},
		{"url", "Visit example.com for the full weather report today.", []string{"Visit example.com for the full weather report today."}},
	}
	for _, tc := range tests {
		if got := SplitSentences(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
	got := SplitSentences(long)
	if len(got) < 2 || !strings.HasSuffix(got[0], ",") {
		t.Errorf("long sentence not cut at the comma: %q", got)
	}
	for _, p := range got {
		if utf8.RuneCountInString(p) > maxPiece {
			t.Errorf("piece of %d", utf8.RuneCountInString(p))
		}
	}
	nospace := SplitSentences(strings.Repeat("x", 600))
	if len(nospace) != 3 || len(nospace[0]) != maxPiece {
		t.Errorf("unbreakable text: %d pieces", len(nospace))
	}
}

func FuzzSplitSentences(f *testing.F) {
	for _, s := range []string{"Hi. Dr. No e.g. 3.5?! Yes…\nNo", strings.Repeat("a, ", 200), "“Quote.” Next one here please."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		pieces := SplitSentences(s)
		var joined strings.Builder
		for _, p := range pieces {
			if p == "" || p != strings.TrimSpace(p) || utf8.RuneCountInString(p) > maxPiece {
				t.Fatalf("bad piece %q", p)
			}
			joined.WriteString(p)
		}
		drop := func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}
		if strings.Map(drop, joined.String()) != strings.Map(drop, s) {
			t.Fatalf("text lost: %q → %q", s, pieces)
		}
	})
}
