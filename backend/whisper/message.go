package whisper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// MessageKind tells what a message from /asr is.
type MessageKind int

// The kinds of /asr messages (spec §4).
const (
	KindUnknown     MessageKind = iota // a typed message this client does not know; ignore it
	KindConfig                         // {"type":"config",…} (v0.2.10+)
	KindUpdate                         // an untyped full-mode state update, or a diff-mode "snapshot"
	KindReadyToStop                    // {"type":"ready_to_stop"}
	KindError                          // {"type":"error","error":…} (v0.2.25+), followed by close 4400
)

// String names the kind as the wire does.
func (k MessageKind) String() string {
	switch k {
	case KindConfig:
		return "config"
	case KindUpdate:
		return "update"
	case KindReadyToStop:
		return "ready_to_stop"
	case KindError:
		return "error"
	}
	return "unknown"
}

// Speaker ids with a meaning of their own (spec §4.3, §6).
const (
	SpeakerSilence    = -2 // a silence line
	SpeakerUnassigned = 0  // ≤0.2.8 with diarization: not attributed yet
)

// ErrDiffMode is returned for ?mode=diff "diff" messages: this client speaks full mode only.
var ErrDiffMode = errors.New("diff-mode message: the client speaks full mode only (connect without ?mode=diff)")

// Message is one parsed /asr message; which field is set depends on Kind.
type Message struct {
	Kind   MessageKind
	Type   string // the "type" field as sent ("" for a state update)
	Config Config // KindConfig
	Update Update // KindUpdate
	Error  string // KindError: the server's text
}

// Config is the server's first message (v0.2.10+).
type Config struct {
	// UseAudioWorklet is true when the server runs with --pcm-input and so
	// takes raw s16le 16 kHz mono PCM; false means it pipes audio into ffmpeg.
	UseAudioWorklet bool
	Mode            string // "full" or "diff" (v0.2.20+; "" before)
}

// Update is a full-mode state update: the whole transcript so far.
type Update struct {
	Status            string // "active_transcription", "no_audio_detected", "error" ("" before 0.1.7)
	Lines             []Line // every committed line, silence lines included
	Buffer            string // buffer_transcription: the volatile hypothesis
	BufferDiarization string // committed text not yet attributed to a speaker
	BufferTranslation string
	// Lag is remaining_time_transcription: how far transcription trails the audio.
	Lag time.Duration
	// LagProcessing and LagPolicy are the v0.2.23+ split of the lag (0 when absent).
	LagProcessing time.Duration
	LagPolicy     time.Duration
	Error         string // set on status "error" updates (ffmpeg failures)
	// DetectedLanguage is the last one found on a line ("" when none).
	DetectedLanguage string
}

// Line is one transcript line.
type Line struct {
	// Speaker is 1-based; SpeakerSilence marks silence and SpeakerUnassigned a
	// line not yet attributed. The legacy -1 ("no diarization", before 0.2.6)
	// is reported as 1, as later servers do.
	Speaker          int
	Text             string // as sent (often with a leading space); null becomes ""
	Start, End       time.Duration
	Translation      string
	DetectedLanguage string
}

// Silence reports whether the line is a pause rather than speech.
func (l Line) Silence() bool { return l.Speaker == SpeakerSilence }

// maxSeconds bounds times and lags so a hostile number cannot overflow a Duration (about 290 years fits;
// a century is plenty).
const maxSeconds = 100 * 365 * 24 * 3600

// ParseMessage parses one text frame from /asr. It never panics; it accepts
// every wire variant of spec §6 (missing optional fields, unknown fields,
// ints or floats, beg for start, H:MM:SS(.cc), bare seconds, "N day(s), …"
// times, null text) and rejects what is not a JSON object or has a field of
// the wrong type.
func ParseMessage(b []byte) (Message, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return Message{}, fmt.Errorf("parse message: %w", err)
	}
	if obj == nil {
		return Message{}, errors.New("parse message: null, want an object")
	}
	typ, err := optString(obj, "type")
	if err != nil {
		return Message{}, fmt.Errorf("parse message: %w", err)
	}
	m := Message{Type: typ}
	switch typ {
	case "":
		m.Kind = KindUpdate
		m.Update, err = parseUpdate(obj)
	case "snapshot": // diff mode's first message carries every full-mode field
		m.Kind = KindUpdate
		m.Update, err = parseUpdate(obj)
	case "diff":
		return Message{Type: typ}, ErrDiffMode
	case "config":
		m.Kind = KindConfig
		m.Config, err = parseConfig(obj)
	case "ready_to_stop":
		m.Kind = KindReadyToStop
	case "error":
		m.Kind = KindError
		m.Error, err = optString(obj, "error")
	default:
		m.Kind = KindUnknown
	}
	if err != nil {
		return Message{}, fmt.Errorf("parse %s message: %w", m.Kind, err)
	}
	return m, nil
}

func parseConfig(obj map[string]json.RawMessage) (Config, error) {
	var c Config
	var err error
	if c.UseAudioWorklet, err = optBool(obj, "useAudioWorklet"); err != nil {
		return c, err
	}
	c.Mode, err = optString(obj, "mode")
	return c, err
}

func parseUpdate(obj map[string]json.RawMessage) (Update, error) {
	var u Update
	var err error
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"status", &u.Status},
		{"buffer_transcription", &u.Buffer},
		{"buffer_diarization", &u.BufferDiarization},
		{"buffer_translation", &u.BufferTranslation},
		{"error", &u.Error},
	} {
		if *f.dst, err = optString(obj, f.key); err != nil {
			return u, err
		}
	}
	for _, f := range []struct {
		key string
		dst *time.Duration
	}{
		{"remaining_time_transcription", &u.Lag},
		{"remaining_time_transcription_processing", &u.LagProcessing},
		{"remaining_time_transcription_policy", &u.LagPolicy},
	} {
		if *f.dst, err = optSeconds(obj, f.key); err != nil {
			return u, err
		}
	}
	raw, ok := obj["lines"]
	if !ok || isNull(raw) {
		return u, nil
	}
	var lines []json.RawMessage
	if err := json.Unmarshal(raw, &lines); err != nil {
		return u, fmt.Errorf("lines: want an array: %w", err)
	}
	u.Lines = make([]Line, 0, len(lines))
	for i, lr := range lines {
		l, err := parseLine(lr)
		if err != nil {
			return u, fmt.Errorf("lines[%d]: %w", i, err)
		}
		u.Lines = append(u.Lines, l)
		if l.DetectedLanguage != "" {
			u.DetectedLanguage = l.DetectedLanguage
		}
	}
	return u, nil
}

func parseLine(raw json.RawMessage) (Line, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return Line{}, fmt.Errorf("want an object, got %.40s", raw)
	}
	l := Line{Speaker: 1} // no speaker at all: as without diarization
	if r, ok := obj["speaker"]; ok && !isNull(r) {
		f, err := number(r)
		if err != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
			return Line{}, fmt.Errorf("speaker: want an integer, got %.40s", r)
		}
		l.Speaker = int(f)
		if l.Speaker == -1 { // before 0.2.6: the raw "no diarization" speaker
			l.Speaker = 1
		}
	}
	var err error
	if l.Text, err = optString(obj, "text"); err != nil {
		return Line{}, err
	}
	if l.Translation, err = optString(obj, "translation"); err != nil {
		return Line{}, err
	}
	if l.DetectedLanguage, err = optString(obj, "detected_language"); err != nil {
		return Line{}, err
	}
	startKey := "start"
	if _, ok := obj[startKey]; !ok {
		startKey = "beg" // ≤0.2.8
	}
	if l.Start, err = optTime(obj, startKey); err != nil {
		return Line{}, err
	}
	if l.End, err = optTime(obj, "end"); err != nil {
		return Line{}, err
	}
	return l, nil
}

func isNull(r json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(r), []byte("null")) }

// optString reads a string field; absent and null are "".
func optString(obj map[string]json.RawMessage, key string) (string, error) {
	r, ok := obj[key]
	if !ok || isNull(r) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		return "", fmt.Errorf("%s: want a string, got %.40s", key, r)
	}
	return s, nil
}

func optBool(obj map[string]json.RawMessage, key string) (bool, error) {
	r, ok := obj[key]
	if !ok || isNull(r) {
		return false, nil
	}
	var b bool
	if err := json.Unmarshal(r, &b); err != nil {
		return false, fmt.Errorf("%s: want a boolean, got %.40s", key, r)
	}
	return b, nil
}

// number decodes a JSON number (int or float) into a finite float64.
func number(r json.RawMessage) (float64, error) {
	var f float64
	if err := json.Unmarshal(r, &f); err != nil {
		return 0, err
	}
	return f, nil
}

// optSeconds reads a number of seconds (int or float); absent and null are 0.
func optSeconds(obj map[string]json.RawMessage, key string) (time.Duration, error) {
	r, ok := obj[key]
	if !ok || isNull(r) {
		return 0, nil
	}
	f, err := number(r)
	if err == nil {
		var d time.Duration
		if d, err = secondsToDuration(f); err == nil {
			return d, nil
		}
	}
	return 0, fmt.Errorf("%s: want seconds, got %.40s", key, r)
}

// optTime reads a line time: "H:MM:SS.cc", "H:MM:SS", "N day(s), H:MM:SS",
// a bare number of seconds, or that number as a string; absent, null and "" are 0.
func optTime(obj map[string]json.RawMessage, key string) (time.Duration, error) {
	r, ok := obj[key]
	if !ok || isNull(r) {
		return 0, nil
	}
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		f, nerr := number(r)
		if nerr != nil {
			return 0, fmt.Errorf("%s: want a time, got %.40s", key, r)
		}
		d, err := secondsToDuration(f)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", key, err)
		}
		return d, nil
	}
	d, err := ParseTime(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	return d, nil
}

func secondsToDuration(f float64) (time.Duration, error) {
	if math.IsNaN(f) || f < 0 || f > maxSeconds {
		return 0, fmt.Errorf("%v seconds is out of range", f)
	}
	return time.Duration(math.Round(f * float64(time.Second))), nil
}

// ParseTime parses a WhisperLiveKit line time: "H:MM:SS.cc" (v0.2.20+),
// "H:MM:SS" (older), Python's "N day(s), H:MM:SS[.ffffff]" for long
// sessions, or bare seconds ("12.5"). "" is 0.
func ParseTime(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if !strings.Contains(s, ":") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, fmt.Errorf("time %q: not H:MM:SS or seconds", s)
		}
		return secondsToDuration(f)
	}
	var days int64
	if before, after, ok := strings.Cut(s, ","); ok {
		n, unit, _ := strings.Cut(strings.TrimSpace(before), " ")
		d, err := strconv.ParseInt(n, 10, 64)
		if err != nil || d < 0 || d > maxSeconds/86400 || (unit != "day" && unit != "days") {
			return 0, fmt.Errorf("time %q: bad day count", s)
		}
		days, s = d, strings.TrimSpace(after)
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, fmt.Errorf("time %q: want H:MM:SS", s)
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	sec, err3 := strconv.ParseFloat(parts[2], 64)
	if err1 != nil || err2 != nil || err3 != nil || h < 0 || h > maxSeconds/3600 ||
		m < 0 || m > 59 || !(sec >= 0 && sec < 60) || strings.ContainsAny(parts[2], "eE+-") {
		return 0, fmt.Errorf("time %q: want H:MM:SS", s)
	}
	return secondsToDuration(float64(days*86400+h*3600+m*60) + sec)
}
