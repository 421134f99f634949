package wlksim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// FormatTime formats seconds the way WhisperLiveKit v0.2.20+ does
// (timed_objects.format_time): H:MM:SS.cc, hours not padded, centiseconds
// rounded half to even like Python's round().
func FormatTime(seconds float64) string {
	if seconds < 0 || math.IsNaN(seconds) {
		seconds = 0
	}
	totalCS := int64(math.RoundToEven(seconds * 100))
	cs := totalCS % 100
	totalS := totalCS / 100
	return fmt.Sprintf("%d:%02d:%02d.%02d", totalS/3600, totalS/60%60, totalS%60, cs)
}

// FormatTimeLegacy formats seconds like versions before 0.2.20:
// str(timedelta(seconds=int(s))), i.e. H:MM:SS truncated to whole seconds,
// with Python's "N day(s), " prefix from 24 hours on.
func FormatTimeLegacy(seconds float64) string {
	if seconds < 0 || math.IsNaN(seconds) {
		seconds = 0
	}
	s := int64(seconds)
	hms := fmt.Sprintf("%d:%02d:%02d", s/3600%24, s/60%60, s%60)
	switch days := s / 86400; days {
	case 0:
		return hms
	case 1:
		return "1 day, " + hms
	default:
		return fmt.Sprintf("%d days, %s", days, hms)
	}
}

// obj is a JSON object that keeps its key order, as Python dicts do.
type obj []kv

type kv struct {
	k string
	v any
}

// pyFloat encodes like Python's float repr for the simple values sent here
// (always with a decimal point: 0.0, 0.3, 2.1).
type pyFloat float64

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// encode appends compact JSON (Starlette's separators, ensure_ascii=False).
func encode(buf *bytes.Buffer, v any) {
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case obj:
		buf.WriteByte('{')
		for i, f := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			encode(buf, f.k)
			buf.WriteByte(':')
			encode(buf, f.v)
		}
		buf.WriteByte('}')
	case []obj:
		buf.WriteByte('[')
		for i, o := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			encode(buf, o)
		}
		buf.WriteByte(']')
	case string:
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(x) // strings always encode
		buf.Truncate(buf.Len() - 1)
	case int:
		buf.WriteString(strconv.Itoa(x))
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case pyFloat:
		s := strconv.FormatFloat(float64(x), 'f', -1, 64)
		if !bytes.ContainsRune([]byte(s), '.') {
			s += ".0"
		}
		buf.WriteString(s)
	default:
		panic(fmt.Sprintf("wlksim: cannot encode %T", v)) // programming error
	}
}

func marshal(v any) []byte {
	var buf bytes.Buffer
	encode(&buf, v)
	return buf.Bytes()
}

// wire turns recognizer snapshots into the messages of one session's version.
type wire struct {
	f        features
	language string // effective session language; "auto" adds detected_language
	detected string
}

func seconds(samples int64) float64 { return float64(samples) / SampleRate }

func (w wire) time(samples int64) string {
	if w.f.v020 {
		return FormatTime(seconds(samples))
	}
	return FormatTimeLegacy(seconds(samples))
}

func (w wire) line(l line) obj {
	speaker := l.speaker
	if speaker == 1 && !w.f.speakerOne {
		speaker = -1 // raw "no diarization" speaker before 0.2.6
	}
	o := obj{{"speaker", speaker}, {"text", l.text}}
	if !w.f.startKeys {
		// ≤0.2.8: diff = round(token.end - last_end_diarized, 2), and
		// last_end_diarized stays 0 without diarization.
		return append(o, kv{"beg", w.time(l.start)}, kv{"end", w.time(l.end)},
			kv{"diff", pyFloat(math.Round(seconds(l.end)*100) / 100)})
	}
	o = append(o, kv{"start", w.time(l.start)}, kv{"end", w.time(l.end)})
	if w.f.translationAlways {
		o = append(o, kv{"translation", ""})
	}
	if w.f.detectedLanguage && l.speaker != -2 && w.language == "auto" {
		o = append(o, kv{"detected_language", w.detected})
	}
	return o
}

// update builds the full-mode state update (FrontData.to_dict).
func (w wire) update(s snapshot, lag float64) obj {
	lines := make([]obj, 0, len(s.lines))
	for _, l := range s.lines {
		lines = append(lines, w.line(l))
	}
	status := "active_transcription"
	if len(lines) == 0 && s.buffer == "" {
		status = "no_audio_detected"
	}
	if !w.f.startKeys && len(lines) == 0 && (status == "active_transcription" || !w.f.status) {
		// ≤0.2.8 never sent an empty line list while active.
		lines = append(lines, obj{{"speaker", 1}, {"text", ""},
			{"beg", w.time(s.streamEnd)}, {"end", w.time(s.streamEnd)}, {"diff", 0}})
	}
	remaining := 0.0
	if s.gotAudio && !s.stopped {
		remaining = round1(lag)
	}
	var o obj
	if w.f.status {
		o = append(o, kv{"status", status})
	}
	o = append(o, kv{"lines", lines},
		kv{"buffer_transcription", s.buffer},
		kv{"buffer_diarization", ""})
	if w.f.bufferTranslation {
		o = append(o, kv{"buffer_translation", ""})
	}
	o = append(o, kv{"remaining_time_transcription", pyFloat(remaining)})
	if w.f.splitRemaining {
		policy := 0.0
		if !s.stopped {
			policy = round1(seconds(s.policy))
		}
		o = append(o, kv{"remaining_time_transcription_processing", pyFloat(0)},
			kv{"remaining_time_transcription_policy", pyFloat(policy)})
	}
	return append(o, kv{"remaining_time_diarization", 0})
}

// errorUpdate is a status:"error" FrontData (ffmpeg failures, spec §4.6).
func (w wire) errorUpdate(msg string) obj {
	var zero any = pyFloat(0)
	if !w.f.startKeys {
		zero = 0 // ≤0.2.8 sent ints here
	}
	o := obj{{"status", "error"}, {"error", msg}, {"lines", []obj{}},
		{"buffer_transcription", ""}, {"buffer_diarization", ""}}
	if w.f.bufferTranslation {
		o = append(o, kv{"buffer_translation", ""})
	}
	o = append(o, kv{"remaining_time_transcription", zero})
	if w.f.splitRemaining {
		o = append(o, kv{"remaining_time_transcription_processing", zero},
			kv{"remaining_time_transcription_policy", zero})
	}
	return append(o, kv{"remaining_time_diarization", zero})
}

// diffTracker mirrors whisperlivekit/diff_protocol.py DiffTracker.
type diffTracker struct {
	seq  int
	prev [][]byte // encoded lines of the last message
}

func (d *diffTracker) message(full obj) obj {
	d.seq++
	var lines []obj
	for _, f := range full {
		if f.k == "lines" {
			lines = f.v.([]obj)
		}
	}
	cur := make([][]byte, len(lines))
	for i, l := range lines {
		cur[i] = marshal(l)
	}
	if d.seq == 1 {
		d.prev = cur
		return append(obj{{"type", "snapshot"}, {"seq", 1}}, full...)
	}
	msg := obj{{"type", "diff"}, {"seq", d.seq}}
	var errMsg any
	for _, f := range full {
		switch f.k {
		case "lines":
			msg = append(msg, kv{"n_lines", len(lines)})
		case "error":
			errMsg = f.v
		default:
			msg = append(msg, f)
		}
	}
	if errMsg != nil {
		msg = append(msg, kv{"error", errMsg})
	}
	prune := 0
	switch {
	case len(cur) > 0 && len(d.prev) > 0:
		prune = len(d.prev)
		for i, p := range d.prev {
			if bytes.Equal(p, cur[0]) {
				prune = i
				break
			}
		}
	case len(cur) == 0:
		prune = len(d.prev)
	}
	if prune > 0 {
		msg = append(msg, kv{"lines_pruned", prune})
	}
	common := 0
	for common < len(d.prev)-prune && common < len(cur) && bytes.Equal(d.prev[prune+common], cur[common]) {
		common++
	}
	if common < len(lines) {
		msg = append(msg, kv{"new_lines", lines[common:]})
	}
	d.prev = cur
	return msg
}
