package whisper

import (
	"slices"
	"strings"
)

// Transcript assembles one /asr session's updates. In full mode every update
// carries the whole transcript, so each one replaces the lines (which also
// covers lines that shrink, re-split or disappear, like the trailing silence
// line of ≤0.2.25). The zero value is ready to use; it is not safe for
// concurrent use.
type Transcript struct {
	lines      []Line
	buffer     string
	bufferDiar string
	speakers   []int // sorted, every id ≥ 1 seen on a speech line
	lastError  string
	final      bool
}

// Apply takes in one update. A status "error" update (an ffmpeg failure, sent
// with empty lines) only records its error: it does not wipe the text.
func (t *Transcript) Apply(u Update) {
	if u.Status == "error" || u.Error != "" {
		t.lastError = u.Error
		if u.Status == "error" {
			return
		}
	}
	t.lines = t.lines[:0]
	for _, l := range u.Lines {
		if !l.Silence() && strings.TrimSpace(l.Text) == "" {
			continue // ≤0.2.8 placeholder, or a diarized line with no text yet
		}
		t.lines = append(t.lines, l)
		if !l.Silence() && l.Speaker > 0 {
			if i, found := slices.BinarySearch(t.speakers, l.Speaker); !found {
				t.speakers = slices.Insert(t.speakers, i, l.Speaker)
			}
		}
	}
	t.buffer = u.Buffer
	t.bufferDiar = u.BufferDiarization
}

// Finalize marks the transcript complete (ready_to_stop came): whatever is
// still volatile is taken as said, as the reference web UI does.
func (t *Transcript) Finalize() { t.final = true }

// Final reports whether Finalize was called.
func (t *Transcript) Final() bool { return t.final }

// Lines returns the speech and silence lines (placeholders dropped).
func (t *Transcript) Lines() []Line { return slices.Clone(t.lines) }

// Speakers returns the speaker ids (1-based) heard so far, in order.
func (t *Transcript) Speakers() []int { return slices.Clone(t.speakers) }

// Err is the text of the last error update ("" when none).
func (t *Transcript) Err() string { return t.lastError }

// Committed is the settled text: the trimmed speech lines joined by spaces,
// then buffer_diarization (committed, only not yet attributed to a speaker).
func (t *Transcript) Committed() string {
	parts := make([]string, 0, len(t.lines)+1)
	for _, l := range t.lines {
		if !l.Silence() {
			parts = append(parts, l.Text)
		}
	}
	return joinWords(append(parts, t.bufferDiar)...)
}

// Volatile is the hypothesis that may still change (buffer_transcription).
func (t *Transcript) Volatile() string { return joinWords(t.buffer) }

// Text is everything heard: Committed then Volatile. After Finalize it is the
// utterance's final text.
func (t *Transcript) Text() string { return joinWords(t.Committed(), t.Volatile()) }

// joinWords trims each part, drops empty ones and joins with single spaces
// (Whisper tokens carry their own leading spaces).
func joinWords(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}

// clone is a deep copy.
func (t *Transcript) clone() Transcript {
	c := *t
	c.lines = slices.Clone(t.lines)
	c.speakers = slices.Clone(t.speakers)
	return c
}
