package wlksim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// LatestVersion is the WhisperLiveKit release the simulator speaks when
// Config.Version is empty.
const LatestVersion = "0.2.26"

// Audio constants of the PCM the server expects with --pcm-input: s16le, 16 kHz, mono.
const (
	SampleRate     = 16000
	BytesPerSample = 2
	BytesPerSecond = SampleRate * BytesPerSample // 32,000
)

// Defaults applied to zero-valued Config fields that cannot meaningfully be zero.
const (
	DefaultWordDuration      = 300 * time.Millisecond
	DefaultMinSilence        = 500 * time.Millisecond // Silero VADIterator min_silence_duration_ms
	DefaultPauseSegmentation = 5 * time.Second        // --pause-segmentation-seconds
	DefaultSpeechRMS         = 100                    // of 32768, about -50 dBFS
	DefaultTick              = 50 * time.Millisecond  // results_formatter poll interval
	DefaultDetectedLanguage  = "en"
)

// Config describes one simulated WhisperLiveKit server. The zero value is a
// current (0.2.26) server without --pcm-input, with no script (it recognises
// nothing, like --no-transcription) and no artificial latency.
type Config struct {
	// Version is the emulated release ("0.2.8", "0.2.19", "0.2.26"; a leading
	// "v" and a suffix such as ".post1" are allowed). Empty means LatestVersion.
	// It switches the wire format as described in the protocol spec §6.
	Version string
	// PCMInput is --pcm-input: the config message says useAudioWorklet:true and
	// binary frames are raw s16le 16 kHz mono. When false the server expects a
	// container for ffmpeg; the simulator then decodes WAV only (package doc).
	PCMInput bool
	// Backend, Model and Language are what the server was started with
	// (--backend, --model, --language); "" means "auto", "base", "auto".
	Backend  string
	Model    string
	Language string
	// APIToken, when set, is required on /asr as ?token=, "Authorization:
	// Bearer" or "Authorization: Token"; a missing or wrong token gets HTTP 403.
	APIToken string

	// Script is what the simulated ASR "hears": utterances whose words are
	// recognised one after another as voiced audio arrives (see ExpectedText).
	Script []string
	// WordDuration is the voiced audio each word needs (0: DefaultWordDuration).
	WordDuration time.Duration
	// Latency is the wall-clock delay between the audio completing a word and
	// the word showing in buffer_transcription (first-partial latency).
	Latency time.Duration
	// CommitDelay is the further wall-clock delay before a visible word moves
	// from buffer_transcription into lines. A pause or the end of stream
	// commits early, like the real server's finish().
	CommitDelay time.Duration
	// Lag is reported as remaining_time_transcription (rounded to 0.1 s) while
	// audio is flowing; it is 0 before the first audio and after the flush.
	Lag time.Duration
	// SpeechRMS is the RMS level (of 32768) from which a 40 ms frame counts as
	// voiced (0: DefaultSpeechRMS).
	SpeechRMS float64
	// MinSilence is how long a silent run must last to count as a pause
	// (0: DefaultMinSilence).
	MinSilence time.Duration
	// PauseSegmentation: a completed pause longer than this becomes a
	// speaker -2 line and a line boundary (0: DefaultPauseSegmentation,
	// negative: off, like --pause-segmentation-seconds 0).
	PauseSegmentation time.Duration
	// DetectedLanguage is put on lines (v0.2.11+) when the session language is
	// "auto" (empty: DefaultDetectedLanguage).
	DetectedLanguage string
	// SupportedLanguages, when non-empty, makes v0.2.25+ reject a ?language=
	// outside it (and other than "auto") with {"type":"error"} and close 4400.
	SupportedLanguages []string
	// Tick is the results-formatter poll interval (0: DefaultTick).
	Tick time.Duration

	// StartupDelay is slept by ListenAndServe before the port opens, like
	// model loading in the lifespan.
	StartupDelay time.Duration
	// NeverReady answers every request with 503 (the port is open, nothing works).
	NeverReady bool

	// CrashAfter crashes the server this long after its handler was first
	// built: every connection is cut without a close frame, the listener
	// closes and Serve returns ErrCrashed.
	CrashAfter time.Duration
	// CrashAfterSessions crashes the server once this many /asr sessions ended.
	CrashAfterSessions int
	// HangAfterConnect accepts the WebSocket and then never sends anything
	// (it does not even answer pings or a close frame).
	HangAfterConnect bool
	// DropAfterBytes cuts a session's TCP connection without a close frame once
	// it has received this many audio bytes (0: never).
	DropAfterBytes int64
	// ErrorOnConnect, when set, makes every session send
	// {"type":"error","error":ErrorOnConnect} and close with 4400 (spec §4.6).
	ErrorOnConnect string
	// FFmpegMissing (only without PCMInput) makes every session report
	// "FFmpeg failed to start…" followed by ready_to_stop (spec §4.6).
	FFmpegMissing bool

	// Logf receives uvicorn-style log lines (an access line per request or
	// WebSocket, one when a session ends); it is called from many goroutines.
	// nil discards. Tokens are never logged.
	Logf func(format string, args ...any)
}

// Validate reports a Config the simulator cannot run.
func (c Config) Validate() error {
	if _, err := parseVersion(c.versionString()); err != nil {
		return err
	}
	switch {
	case c.WordDuration < 0:
		return fmt.Errorf("word duration %v is negative", c.WordDuration)
	case c.Latency < 0 || c.CommitDelay < 0 || c.Lag < 0:
		return fmt.Errorf("latency, commit delay and lag must not be negative")
	case c.SpeechRMS < 0:
		return fmt.Errorf("speech RMS %v is negative", c.SpeechRMS)
	case c.DropAfterBytes < 0 || c.CrashAfterSessions < 0 || c.CrashAfter < 0:
		return fmt.Errorf("fault thresholds must not be negative")
	}
	return nil
}

func (c Config) versionString() string {
	if c.Version == "" {
		return LatestVersion
	}
	return c.Version
}

func (c Config) wordSamples() int64 {
	d := c.WordDuration
	if d == 0 {
		d = DefaultWordDuration
	}
	return samplesOf(d)
}

func (c Config) minSilenceSamples() int64 {
	d := c.MinSilence
	if d <= 0 {
		d = DefaultMinSilence
	}
	return samplesOf(d)
}

// pauseSegSamples is negative when pause segmentation is off.
func (c Config) pauseSegSamples() int64 {
	switch {
	case c.PauseSegmentation < 0:
		return -1
	case c.PauseSegmentation == 0:
		return samplesOf(DefaultPauseSegmentation)
	}
	return samplesOf(c.PauseSegmentation)
}

func (c Config) speechRMS() float64 {
	if c.SpeechRMS == 0 {
		return DefaultSpeechRMS
	}
	return c.SpeechRMS
}

func (c Config) tick() time.Duration {
	if c.Tick <= 0 {
		return DefaultTick
	}
	return c.Tick
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// samplesOf converts a duration to whole 16 kHz samples (rounding down).
func samplesOf(d time.Duration) int64 {
	return int64(d) * SampleRate / int64(time.Second)
}

// version is a parsed release number, compared component-wise.
type version [3]int

func parseVersion(s string) (version, error) {
	var v version
	parts := strings.Split(strings.TrimPrefix(s, "v"), ".")
	if len(parts) < 3 {
		return v, fmt.Errorf("version %q: want MAJOR.MINOR.PATCH", s)
	}
	for i := range v {
		n, err := strconv.Atoi(parts[i])
		if err != nil || n < 0 {
			return v, fmt.Errorf("version %q: bad component %q", s, parts[i])
		}
		v[i] = n
	}
	return v, nil
}

func (v version) atLeast(s string) bool {
	o, err := parseVersion(s)
	if err != nil {
		panic(err) // only called with the constant literals below
	}
	for i := range v {
		if v[i] != o[i] {
			return v[i] > o[i]
		}
	}
	return true
}

// features is the version switch table of spec §6, resolved once per server.
type features struct {
	readyToStop       bool // 0.1.6
	status            bool // 0.1.7
	speakerOne        bool // 0.2.6: speaker -1 serialised as 1 without diarization
	startKeys         bool // 0.2.9: start/end instead of beg/end/diff, no placeholder line
	translationAlways bool // 0.2.9–0.2.10: "translation":"" on every line
	configMsg         bool // 0.2.10
	detectedLanguage  bool // 0.2.11
	bufferTranslation bool // 0.2.14
	v020              bool // 0.2.20: /health, /v1/models, ?language=, ?mode=, config.mode, H:MM:SS.cc
	splitRemaining    bool // 0.2.23: remaining_time_transcription_processing/_policy
	sessionErrors     bool // 0.2.25: {"type":"error"} + 4400 for bad session parameters
	liveSilence       bool // before 0.2.26: the in-progress pause is shown as a trailing silence line
}

func featuresOf(v version) features {
	return features{
		readyToStop:       v.atLeast("0.1.6"),
		status:            v.atLeast("0.1.7"),
		speakerOne:        v.atLeast("0.2.6"),
		startKeys:         v.atLeast("0.2.9"),
		translationAlways: v.atLeast("0.2.9") && !v.atLeast("0.2.11"),
		configMsg:         v.atLeast("0.2.10"),
		detectedLanguage:  v.atLeast("0.2.11"),
		bufferTranslation: v.atLeast("0.2.14"),
		v020:              v.atLeast("0.2.20"),
		splitRemaining:    v.atLeast("0.2.23"),
		sessionErrors:     v.atLeast("0.2.25"),
		liveSilence:       !v.atLeast("0.2.26"),
	}
}
