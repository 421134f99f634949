package whisper

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/wlksim"
)

// Messages seen from the real server (0.2.26, --no-transcription) and in the spec's examples (§4, §6).
var messageSeeds = []string{
	`{"type":"config","useAudioWorklet":true,"mode":"full"}`,
	`{"type":"config","useAudioWorklet":false}`,
	`{"status":"no_audio_detected","lines":[],"buffer_transcription":"","buffer_diarization":"","buffer_translation":"","remaining_time_transcription":0,"remaining_time_transcription_processing":0.0,"remaining_time_transcription_policy":0.0,"remaining_time_diarization":0}`,
	`{"type":"ready_to_stop"}`,
	`{"status":"active_transcription","lines":[{"speaker":-2,"text":"","start":"0:00:00.00","end":"0:00:07.00"}],"buffer_transcription":"","buffer_diarization":"","buffer_translation":"","remaining_time_transcription":0,"remaining_time_transcription_processing":0.0,"remaining_time_transcription_policy":0.0,"remaining_time_diarization":0}`,
	`{"status":"active_transcription","lines":[],"buffer_transcription":" Hello","buffer_diarization":"","buffer_translation":"","remaining_time_transcription":0.3,"remaining_time_transcription_processing":0.1,"remaining_time_transcription_policy":0.4,"remaining_time_diarization":0}`,
	`{"status":"active_transcription","lines":[{"speaker":1,"text":" Hello, this is a test of the system.","start":"0:00:00.52","end":"0:00:03.30","detected_language":"en"},{"speaker":-2,"text":"","start":"0:00:03.30","end":"0:00:09.45"},{"speaker":1,"text":" Second sentence","start":"0:00:09.60","end":"0:00:10.40","detected_language":"en"}],"buffer_transcription":"here","buffer_diarization":"","buffer_translation":"","remaining_time_transcription":0.2,"remaining_time_transcription_processing":0.0,"remaining_time_transcription_policy":0.5,"remaining_time_diarization":0}`,
	`{"status":"active_transcription","lines":[{"speaker":1,"text":" How are you?","start":"0:00:00.40","end":"0:00:01.50"},{"speaker":2,"text":" Fine, thanks.","start":"0:00:01.80","end":"0:00:02.90"},{"speaker":-2,"text":null,"start":"0:00:02.90","end":"0:00:09.00"}],"buffer_transcription":"","buffer_diarization":" And you","buffer_translation":"","remaining_time_transcription":0.3,"remaining_time_transcription_processing":0.1,"remaining_time_transcription_policy":0.2,"remaining_time_diarization":0.8}`,
	`{"status":"error","error":"FFmpeg failed to start. Please check that FFmpeg is installed.","lines":[],"buffer_transcription":"","buffer_diarization":"","buffer_translation":"","remaining_time_transcription":0.0,"remaining_time_transcription_processing":0.0,"remaining_time_transcription_policy":0.0,"remaining_time_diarization":0.0}`,
	`{"type":"error","error":"Unsupported language: xx"}`,
	`{"status":"active_transcription","lines":[{"speaker":1,"text":"","beg":"0:00:00","end":"0:00:02","diff":0}],"buffer_transcription":" turn on","buffer_diarization":"","remaining_time_transcription":0,"remaining_time_diarization":0}`,
	`{"lines":[{"speaker":-1,"text":" old","beg":"0:00:01","end":"0:00:03","diff":3.0}],"buffer_transcription":"","buffer_diarization":"","remaining_time_transcription":0,"remaining_time_diarization":0}`,
	`{"type":"snapshot","seq":1,"status":"no_audio_detected","lines":[],"buffer_transcription":"","buffer_diarization":"","buffer_translation":"","remaining_time_transcription":0.0,"remaining_time_diarization":0}`,
	`{"type":"diff","seq":2,"status":"active_transcription","n_lines":1,"new_lines":[{"speaker":1,"text":" hi","start":"0:00:00.00","end":"0:00:00.30"}],"buffer_transcription":""}`,
	`{"lines":[{"speaker":1,"text":" long","start":"1 day, 0:00:01","end":"2 days, 1:02:03.5"}]}`,
}

func sec(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

func TestParseMessageTolerances(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Message
	}{
		{"config 0.2.26", messageSeeds[0], Message{Kind: KindConfig, Type: "config",
			Config: Config{UseAudioWorklet: true, Mode: "full"}}},
		{"config 0.2.10 without mode", messageSeeds[1], Message{Kind: KindConfig, Type: "config"}},
		{"first update, ints and floats", messageSeeds[2], Message{Kind: KindUpdate,
			Update: Update{Status: "no_audio_detected", Lines: []Line{}}}},
		{"ready_to_stop", messageSeeds[3], Message{Kind: KindReadyToStop, Type: "ready_to_stop"}},
		{"silence line -2 (real server)", messageSeeds[4], Message{Kind: KindUpdate, Update: Update{
			Status: "active_transcription",
			Lines:  []Line{{Speaker: SpeakerSilence, End: 7 * time.Second}}}}},
		{"split lags", messageSeeds[5], Message{Kind: KindUpdate, Update: Update{
			Status: "active_transcription", Lines: []Line{}, Buffer: " Hello",
			Lag: sec(0.3), LagProcessing: sec(0.1), LagPolicy: sec(0.4)}}},
		{"spec example with detected_language", messageSeeds[6], Message{Kind: KindUpdate, Update: Update{
			Status: "active_transcription", Buffer: "here", Lag: sec(0.2), LagPolicy: sec(0.5), DetectedLanguage: "en",
			Lines: []Line{
				{Speaker: 1, Text: " Hello, this is a test of the system.", Start: sec(0.52), End: sec(3.3), DetectedLanguage: "en"},
				{Speaker: -2, Start: sec(3.3), End: sec(9.45)},
				{Speaker: 1, Text: " Second sentence", Start: sec(9.6), End: sec(10.4), DetectedLanguage: "en"},
			}}}},
		{"diarized, null silence text", messageSeeds[7], Message{Kind: KindUpdate, Update: Update{
			Status: "active_transcription", BufferDiarization: " And you", Lag: sec(0.3), LagProcessing: sec(0.1), LagPolicy: sec(0.2),
			Lines: []Line{
				{Speaker: 1, Text: " How are you?", Start: sec(0.4), End: sec(1.5)},
				{Speaker: 2, Text: " Fine, thanks.", Start: sec(1.8), End: sec(2.9)},
				{Speaker: -2, Start: sec(2.9), End: 9 * time.Second},
			}}}},
		{"status error update", messageSeeds[8], Message{Kind: KindUpdate, Update: Update{Status: "error", Lines: []Line{},
			Error: "FFmpeg failed to start. Please check that FFmpeg is installed."}}},
		{"type error", messageSeeds[9], Message{Kind: KindError, Type: "error", Error: "Unsupported language: xx"}},
		{"0.2.8 placeholder, beg, H:MM:SS, diff", messageSeeds[10], Message{Kind: KindUpdate, Update: Update{
			Status: "active_transcription", Buffer: " turn on",
			Lines: []Line{{Speaker: 1, End: 2 * time.Second}}}}},
		{"no status, speaker -1", messageSeeds[11], Message{Kind: KindUpdate, Update: Update{
			Lines: []Line{{Speaker: 1, Text: " old", Start: time.Second, End: 3 * time.Second}}}}},
		{"diff-mode snapshot", messageSeeds[12], Message{Kind: KindUpdate, Type: "snapshot",
			Update: Update{Status: "no_audio_detected", Lines: []Line{}}}},
		{"timedelta days", messageSeeds[14], Message{Kind: KindUpdate, Update: Update{Lines: []Line{
			{Speaker: 1, Text: " long", Start: 24*time.Hour + time.Second, End: 49*time.Hour + 2*time.Minute + sec(3.5)}}}}},
		{"only lines", `{"lines":[]}`, Message{Kind: KindUpdate, Update: Update{Lines: []Line{}}}},
		{"empty object", `{}`, Message{Kind: KindUpdate}},
		{"unknown fields ignored", `{"type":"config","useAudioWorklet":true,"future":{"x":[1,2]},"mode":"full"}`,
			Message{Kind: KindConfig, Type: "config", Config: Config{UseAudioWorklet: true, Mode: "full"}}},
		{"unknown type", `{"type":"session_info","x":1}`, Message{Kind: KindUnknown, Type: "session_info"}},
		{"nulls everywhere", `{"status":null,"lines":null,"buffer_transcription":null,"remaining_time_transcription":null}`,
			Message{Kind: KindUpdate}},
		{"bare float times, missing speaker, translation", `{"lines":[{"text":"a","start":1.5,"end":"2.25","translation":"b"}]}`,
			Message{Kind: KindUpdate, Update: Update{Lines: []Line{
				{Speaker: 1, Text: "a", Start: sec(1.5), End: sec(2.25), Translation: "b"}}}}},
		{"speaker as float, speaker 0", `{"lines":[{"speaker":2.0,"text":"x"},{"speaker":0,"text":"y"}]}`,
			Message{Kind: KindUpdate, Update: Update{Lines: []Line{{Speaker: 2, Text: "x"}, {Speaker: 0, Text: "y"}}}}},
		{"non-ASCII text", `{"lines":[{"speaker":1,"text":" Grüß dich 👋","start":"0:00:00.00","end":"0:00:01.00"}]}`,
			Message{Kind: KindUpdate, Update: Update{Lines: []Line{{Speaker: 1, Text: " Grüß dich 👋", End: time.Second}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMessage([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParseMessage(%s): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseMessage(%s)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseMessageRejects(t *testing.T) {
	tests := []struct{ name, in, wantErr string }{
		{"not JSON", `{"status":`, "parse message"},
		{"array", `[1,2]`, "parse message"},
		{"null", `null`, "null"},
		{"type not a string", `{"type":3}`, "type"},
		{"lines not an array", `{"lines":{"a":1}}`, "lines"},
		{"line not an object", `{"lines":[3]}`, "lines[0]"},
		{"speaker a string", `{"lines":[{"speaker":"1","text":"a"}]}`, "speaker"},
		{"speaker fractional", `{"lines":[{"speaker":1.5,"text":"a"}]}`, "speaker"},
		{"speaker huge", `{"lines":[{"speaker":1e300,"text":"a"}]}`, "speaker"},
		{"text a number", `{"lines":[{"speaker":1,"text":5}]}`, "text"},
		{"bad time", `{"lines":[{"speaker":1,"text":"a","start":"soon"}]}`, "start"},
		{"bad beg", `{"lines":[{"speaker":1,"text":"a","beg":"0:61:00"}]}`, "beg"},
		{"negative time", `{"lines":[{"start":-1}]}`, "start"},
		{"negative lag", `{"remaining_time_transcription":-0.5}`, "remaining_time_transcription"},
		{"huge lag", `{"remaining_time_transcription":1e300}`, "remaining_time_transcription"},
		{"lag a string", `{"remaining_time_transcription":"0.5"}`, "remaining_time_transcription"},
		{"buffer a number", `{"buffer_transcription":1}`, "buffer_transcription"},
		{"useAudioWorklet a string", `{"type":"config","useAudioWorklet":"true"}`, "useAudioWorklet"},
		{"error message not a string", `{"type":"error","error":{}}`, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMessage([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseMessage(%s) error = %v, want one mentioning %q", tt.in, err, tt.wantErr)
			}
		})
	}
	if _, err := ParseMessage([]byte(messageSeeds[13])); !errors.Is(err, ErrDiffMode) {
		t.Errorf("diff message: error = %v, want ErrDiffMode", err)
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, true},
		{"0:00:05.32", sec(5.32), true},
		{"1:02:03.40", time.Hour + 2*time.Minute + sec(3.4), true},
		{"0:00:03", 3 * time.Second, true},
		{"12:00:00", 12 * time.Hour, true},
		{"1 day, 0:00:00", 24 * time.Hour, true},
		{"3 days, 2:00:01", 74*time.Hour + time.Second, true},
		{"0:00:01.123456", 1123456 * time.Microsecond, true},
		{"7.5", sec(7.5), true},
		{" 0:00:01 ", time.Second, true},
		{"0:60:00", 0, false},
		{"0:00:60", 0, false},
		{"0:00", 0, false},
		{"a:00:00", 0, false},
		{"0:00:-1", 0, false},
		{"0:00:1e1", 0, false},
		{"0:00:NaN", 0, false},
		{"-1 day, 23:59:59", 0, false},
		{"2 weeks, 0:00:00", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"-3", 0, false},
		{"99999999999:00:00", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// FuzzParseMessage: the parser never panics, whatever the server sends, and
// what it accepts is well formed and safe to assemble.
func FuzzParseMessage(f *testing.F) {
	for _, s := range messageSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		if err != nil {
			return
		}
		if m.Kind != KindUpdate && (len(m.Update.Lines) > 0 || m.Update.Status != "") {
			t.Fatalf("kind %v carries an update: %+v", m.Kind, m)
		}
		u := m.Update
		for _, d := range []time.Duration{u.Lag, u.LagProcessing, u.LagPolicy} {
			if d < 0 {
				t.Fatalf("negative lag %v from %q", d, b)
			}
		}
		for _, l := range u.Lines {
			if l.Start < 0 || l.End < 0 || l.Speaker == -1 {
				t.Fatalf("bad line %+v from %q", l, b)
			}
		}
		var tr Transcript
		tr.Apply(u)
		tr.Apply(u)
		tr.Finalize()
		_ = tr.Text()
		_ = tr.Speakers()
	})
}

// TestParseTimeRoundTrip parses what the simulator formats the way each server version does.
func TestParseTimeRoundTrip(t *testing.T) {
	for _, s := range []float64{0, 0.004, 0.005, 0.52, 5.32, 59.995, 61, 3599.99, 3723.4, 86399.5, 86400, 90061.7, 3 * 86400} {
		got, err := ParseTime(wlksim.FormatTime(s))
		if d := got - sec(s); err != nil || d < -5*time.Millisecond || d > 5*time.Millisecond {
			t.Errorf("ParseTime(FormatTime(%v) = %q) = %v, %v", s, wlksim.FormatTime(s), got, err)
		}
		got, err = ParseTime(wlksim.FormatTimeLegacy(s))
		if want := time.Duration(int64(s)) * time.Second; err != nil || got != want {
			t.Errorf("ParseTime(FormatTimeLegacy(%v) = %q) = %v, %v; want %v", s, wlksim.FormatTimeLegacy(s), got, err, want)
		}
	}
}

// FuzzParseTime: never panics; what it accepts is a non-negative duration.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"0:00:05.32", "0:00:03", "1 day, 0:00:01", "2 days, 1:02:03.5", "7.5", "", "0:61:00", "NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseTime(s); err == nil && d < 0 {
			t.Fatalf("ParseTime(%q) = %v", s, d)
		}
	})
}
