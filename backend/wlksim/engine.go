package wlksim

import (
	"math"
	"strings"
	"time"
)

// frameSamples is the VAD window: --vac-chunk-size 0.04 s at 16 kHz.
const frameSamples = 640

// recognizer is the deterministic stand-in for VAC + ASR of one session. It
// is driven by PCM and an explicit clock, so its timing rules can be tested
// without sleeping. Times inside are stream positions in samples.
type recognizer struct {
	words       []string
	wordSamples int64
	minSilence  int64
	pauseSeg    int64 // < 0: off
	speechRMS   float64
	latency     time.Duration
	commitDelay time.Duration

	carry    []byte // odd trailing byte of the last frame
	frameN   int64  // samples in the current, unclassified VAD frame
	frameSq  float64
	pos      int64 // stream samples classified
	voiced   int64 // voiced samples classified
	gotAudio bool
	stopped  bool

	nextWord int
	curStart int64 // stream start of the word in progress, -1 if none
	heard    []heardWord
	items    []item

	inSilence    bool  // the current run is silent (true at stream start)
	silStart     int64 // start of the current silent run
	silLen       int64
	pauseFlushed bool // the current pause already committed the buffer
}

type heardWord struct {
	text       string
	start, end int64
	visibleAt  time.Time
	commitAt   time.Time
}

// item is one entry of the transcript in stream order: a word (index into
// heard) or a completed pause long enough to be a silence line.
type item struct {
	word       int // -1 for a silence line
	start, end int64
}

func newRecognizer(c Config) *recognizer {
	var words []string
	for _, u := range c.Script {
		words = append(words, strings.Fields(u)...)
	}
	return &recognizer{
		words:       words,
		wordSamples: c.wordSamples(),
		minSilence:  c.minSilenceSamples(),
		pauseSeg:    c.pauseSegSamples(),
		speechRMS:   c.speechRMS(),
		latency:     c.Latency,
		commitDelay: c.CommitDelay,
		curStart:    -1,
		inSilence:   true,
	}
}

// feed consumes s16le PCM received at now.
func (r *recognizer) feed(pcm []byte, now time.Time) {
	if r.stopped || len(pcm) == 0 {
		return
	}
	r.gotAudio = true
	if len(r.carry) > 0 {
		pcm = append(r.carry, pcm...)
		r.carry = nil
	}
	n := len(pcm) &^ 1
	if n < len(pcm) {
		r.carry = []byte{pcm[n]}
	}
	for i := 0; i < n; i += 2 {
		s := float64(int16(uint16(pcm[i]) | uint16(pcm[i+1])<<8))
		r.frameSq += s * s
		r.frameN++
		if r.frameN == frameSamples {
			r.classify(now)
		}
	}
}

// classify closes the current VAD frame.
func (r *recognizer) classify(now time.Time) {
	n := r.frameN
	voiced := math.Sqrt(r.frameSq/float64(n)) >= r.speechRMS
	r.frameN, r.frameSq = 0, 0
	if !voiced {
		if !r.inSilence {
			r.inSilence, r.silStart, r.silLen = true, r.pos, 0
		}
		r.silLen += n
		r.pos += n
		// Like start_silence(): a pause makes the ASR finish its segment.
		if r.silLen >= r.minSilence && !r.pauseFlushed {
			r.pauseFlushed = true
			for i := range r.heard {
				if r.heard[i].commitAt.After(r.heard[i].visibleAt) {
					r.heard[i].commitAt = r.heard[i].visibleAt
				}
			}
		}
		return
	}
	if r.inSilence {
		r.endSilence()
	}
	r.advanceWords(n, now)
	r.pos += n
	r.voiced += n
}

// endSilence closes the silent run; a pause longer than the segmentation
// threshold becomes a silence line.
func (r *recognizer) endSilence() {
	if r.silLen >= r.minSilence {
		r.curStart = -1 // a word cut by a pause starts again where speech resumes
		if r.pauseSeg >= 0 && r.silLen > r.pauseSeg {
			r.items = append(r.items, item{word: -1, start: r.silStart, end: r.silStart + r.silLen})
		}
	}
	r.inSilence, r.silLen, r.pauseFlushed = false, 0, false
}

// advanceWords maps n voiced samples starting at stream position r.pos onto
// the script: word k is complete once (k+1)*wordSamples voiced samples arrived.
func (r *recognizer) advanceWords(n int64, now time.Time) {
	v, end := r.voiced, r.voiced+n
	for v < end && r.nextWord < len(r.words) {
		if r.curStart < 0 {
			r.curStart = r.pos + (v - r.voiced)
		}
		boundary := int64(r.nextWord+1) * r.wordSamples
		if boundary > end {
			return
		}
		visible := now.Add(r.latency)
		r.heard = append(r.heard, heardWord{
			text:      r.words[r.nextWord],
			start:     r.curStart,
			end:       r.pos + (boundary - r.voiced),
			visibleAt: visible,
			commitAt:  visible.Add(r.commitDelay),
		})
		r.items = append(r.items, item{word: len(r.heard) - 1})
		r.nextWord++
		r.curStart = -1
		v = boundary
	}
}

// flush is the empty binary frame: the tail frame is classified, an open
// pause is closed and everything heard is committed at once.
func (r *recognizer) flush(now time.Time) {
	if r.stopped {
		return
	}
	if r.frameN > 0 {
		r.classify(now)
	}
	r.carry = nil
	if r.inSilence {
		r.endSilence()
	}
	for i := range r.heard {
		if r.heard[i].visibleAt.After(now) {
			r.heard[i].visibleAt = now
		}
		r.heard[i].commitAt = now
	}
	r.curStart = -1
	r.stopped = true
}

// line is a transcript line before serialisation; times in samples.
type line struct {
	speaker    int // 1, or -2 for silence
	text       string
	start, end int64
}

// snapshot is the recognizer's FrontData at one instant.
type snapshot struct {
	lines     []line
	buffer    string
	gotAudio  bool
	stopped   bool
	policy    int64 // samples heard but not committed
	streamEnd int64 // samples classified so far
}

func (r *recognizer) snapshot(now time.Time, liveSilence bool) snapshot {
	s := snapshot{gotAudio: r.gotAudio, stopped: r.stopped, streamEnd: r.pos}
	allCommitted := true
	for _, it := range r.items {
		if it.word < 0 {
			s.lines = append(s.lines, line{speaker: -2, start: it.start, end: it.end})
			continue
		}
		w := r.heard[it.word]
		if w.commitAt.After(now) {
			allCommitted = false
			break // later items wait until this word is committed
		}
		if n := len(s.lines); n == 0 || s.lines[n-1].speaker == -2 {
			s.lines = append(s.lines, line{speaker: 1, start: w.start})
		}
		l := &s.lines[len(s.lines)-1]
		l.text += " " + w.text
		l.end = w.end
	}
	var buf strings.Builder
	for _, w := range r.heard {
		if !w.commitAt.After(now) {
			continue
		}
		s.policy += w.end - w.start
		if !w.visibleAt.After(now) {
			buf.WriteString(" " + w.text)
		}
	}
	s.buffer = buf.String()
	// Before 0.2.26 the pause in progress showed as a growing trailing line.
	if liveSilence && allCommitted && !r.stopped && r.inSilence && r.silLen >= r.minSilence {
		s.lines = append(s.lines, line{speaker: -2, start: r.silStart, end: r.silStart + r.silLen})
	}
	return s
}

// ExpectedText is the transcript a Config's server has committed after the
// client sent voiced audio of the given total duration and then the empty
// end-of-stream frame: the first k script words, where k is the largest
// number with k*WordDuration <= voiced, joined by single spaces. Silent
// frames (RMS below SpeechRMS, e.g. digital silence) do not count as voiced;
// VAD decisions are per 40 ms frame, so keep speech/silence boundaries on
// multiples of 40 ms (Speech and Silence of such durations do).
// Lines carry each word with its leading space, as Whisper tokens do.
func ExpectedText(c Config, voiced time.Duration) string {
	var words []string
	for _, u := range c.Script {
		words = append(words, strings.Fields(u)...)
	}
	k := samplesOf(voiced) / c.wordSamples()
	if k > int64(len(words)) {
		k = int64(len(words))
	}
	return strings.Join(words[:k], " ")
}
