package whisper

import (
	"reflect"
	"testing"
)

func mustParse(t *testing.T, s string) Update {
	t.Helper()
	m, err := ParseMessage([]byte(s))
	if err != nil || m.Kind != KindUpdate {
		t.Fatalf("ParseMessage(%s) = %v, %v; want an update", s, m.Kind, err)
	}
	return m.Update
}

func TestTranscriptAssembly(t *testing.T) {
	type want struct{ committed, volatile, text string }
	steps := []struct {
		name string
		msg  string
		want want
	}{
		{"first update", messageSeeds[2], want{"", "", ""}},
		{"buffer only", messageSeeds[5], want{"", "Hello", "Hello"}},
		{"lines, silence skipped, buffer", messageSeeds[6],
			want{"Hello, this is a test of the system. Second sentence", "here", "Hello, this is a test of the system. Second sentence here"}},
		{"last line grows, buffer flushed",
			`{"lines":[{"speaker":1,"text":" Hello, this is a test of the system.","start":"0:00:00.52","end":"0:00:03.30"},{"speaker":-2,"text":"","start":"0:00:03.30","end":"0:00:09.45"},{"speaker":1,"text":" Second sentence here.","start":"0:00:09.60","end":"0:00:11.02"}],"buffer_transcription":""}`,
			want{"Hello, this is a test of the system. Second sentence here.", "", "Hello, this is a test of the system. Second sentence here."}},
		{"ffmpeg error keeps the text", messageSeeds[8],
			want{"Hello, this is a test of the system. Second sentence here.", "", "Hello, this is a test of the system. Second sentence here."}},
	}
	var tr Transcript
	for _, s := range steps {
		tr.Apply(mustParse(t, s.msg))
		got := want{tr.Committed(), tr.Volatile(), tr.Text()}
		if got != s.want {
			t.Errorf("%s: got %+v, want %+v", s.name, got, s.want)
		}
	}
	if tr.Err() == "" {
		t.Errorf("the error update was not recorded")
	}
	if got := tr.Speakers(); !reflect.DeepEqual(got, []int{1}) {
		t.Errorf("speakers = %v, want [1]", got)
	}
}

func TestTranscriptShrinksAndResplits(t *testing.T) {
	var tr Transcript
	// ≤0.2.25: a trailing in-progress silence line, then gone when speech resumes.
	tr.Apply(mustParse(t, `{"lines":[{"speaker":1,"text":" turn on","start":"0:00:00","end":"0:00:01"},{"speaker":-2,"text":"","start":"0:00:01","end":"0:00:03"}],"buffer_transcription":""}`))
	if got := len(tr.Lines()); got != 2 {
		t.Fatalf("lines = %d, want 2 (speech + silence)", got)
	}
	tr.Apply(mustParse(t, `{"lines":[{"speaker":1,"text":" turn on the","start":"0:00:00","end":"0:00:04"}],"buffer_transcription":" lights"}`))
	if got := tr.Text(); got != "turn on the lights" {
		t.Errorf("after the silence line went: %q", got)
	}
	// Diarization re-splits the text between speakers; the unattributed tail is committed.
	tr.Apply(mustParse(t, `{"lines":[{"speaker":1,"text":" turn on","start":"0:00:00.00","end":"0:00:01.00"},{"speaker":2,"text":" the","start":"0:00:01.00","end":"0:00:04.00"},{"speaker":0,"text":"","start":"0:00:04.00","end":"0:00:04.00"}],"buffer_diarization":" lights","buffer_transcription":" please"}`))
	if got, want := tr.Committed(), "turn on the lights"; got != want {
		t.Errorf("committed = %q, want %q", got, want)
	}
	if got, want := tr.Text(), "turn on the lights please"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	if got := tr.Speakers(); !reflect.DeepEqual(got, []int{1, 2}) {
		t.Errorf("speakers = %v, want [1 2]", got)
	}
	if got := len(tr.Lines()); got != 2 {
		t.Errorf("lines = %d, want 2 (the empty speaker-0 line dropped)", got)
	}
	// A later update with fewer lines (retention pruning) replaces the list.
	tr.Apply(mustParse(t, `{"lines":[{"speaker":2,"text":" the lights please","start":"0:00:01.00","end":"0:00:05.00"}]}`))
	tr.Finalize()
	if got := tr.Text(); got != "the lights please" || !tr.Final() {
		t.Errorf("final text = %q (final %v)", got, tr.Final())
	}
}

func TestTranscriptLegacyPlaceholder(t *testing.T) {
	var tr Transcript
	tr.Apply(mustParse(t, messageSeeds[10])) // 0.2.8: placeholder line, text in the buffer
	if got := tr.Lines(); len(got) != 0 {
		t.Errorf("placeholder kept: %+v", got)
	}
	if got := tr.Text(); got != "turn on" {
		t.Errorf("text = %q, want %q", got, "turn on")
	}
	tr.Apply(mustParse(t, messageSeeds[11])) // speaker -1 is speaker 1
	if got := tr.Speakers(); !reflect.DeepEqual(got, []int{1}) {
		t.Errorf("speakers = %v, want [1]", got)
	}
}
