// Package elevensim is a protocol-faithful simulator of the ElevenLabs
// text-to-speech REST API (see shared/specs/elevenlabs-api.md) for the
// tests, benchmarks and fault suite of backend/tts.
//
// It answers like the real service: every call needs the xi-api-key header
// (wrong or missing → 401 invalid_api_key); application errors use the
// {"detail":{"status","message"}} body and validation errors FastAPI's
// {"detail":[{"loc","msg","type"}]}; synthesis streams raw s16le PCM (the
// deterministic Speech of the text) in paced chunks after TTFB. Only the PCM
// output formats are simulated: any other output_format, including the
// real default mp3_44100_128 when none is given, gets a 422 saying so.
package elevensim

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tonnytray/tonnytray/backend/simcmd"
)

// Voice is one entry of GET /v1/voices, with the real field names.
type Voice struct {
	VoiceID     string            `json:"voice_id"`
	Name        string            `json:"name"`
	Category    string            `json:"category"`
	Labels      map[string]string `json:"labels"`
	Description string            `json:"description"`
	PreviewURL  string            `json:"preview_url"`
}

// DefaultVoices are served when Config.Voices is empty: two of ElevenLabs'
// premade voices.
func DefaultVoices() []Voice {
	return []Voice{
		{VoiceID: "21m00Tcm4TlvDq8ikWAM", Name: "Rachel", Category: "premade",
			Labels:      map[string]string{"accent": "american", "age": "young", "gender": "female", "use_case": "narration"},
			Description: "Calm young female voice.",
			PreviewURL:  "https://storage.googleapis.com/eleven-public-prod/premade/voices/21m00Tcm4TlvDq8ikWAM/preview.mp3"},
		{VoiceID: "JBFqnCBsd6RMkjVDRZzb", Name: "George", Category: "premade",
			Labels:      map[string]string{"accent": "british", "age": "middle aged", "gender": "male", "use_case": "narration"},
			Description: "Warm British male voice.",
			PreviewURL:  "https://storage.googleapis.com/eleven-public-prod/premade/voices/JBFqnCBsd6RMkjVDRZzb/preview.mp3"},
	}
}

// model is one entry of GET /v1/models; maxChars is the per-request limit.
type model struct {
	ID, Name         string
	Languages        []string
	MaxChars         int
	LanguageCodeOK   bool // only the v2.5 Turbo/Flash models accept language_code
	ConcurrencyGroup string
}

var models = []model{
	{"eleven_flash_v2_5", "Eleven Flash v2.5", []string{"en", "de", "fr", "es", "it", "nl", "pl", "pt"}, 40000, true, "standard_flash"},
	{"eleven_turbo_v2_5", "Eleven Turbo v2.5", []string{"en", "de", "fr", "es", "it", "nl", "pl", "pt"}, 40000, true, "standard"},
	{"eleven_multilingual_v2", "Eleven Multilingual v2", []string{"en", "de", "fr", "es", "it", "nl", "pl", "pt"}, 10000, false, "standard"},
	{"eleven_v3", "Eleven v3 (alpha)", []string{"en", "de", "fr", "es"}, 3000, false, "standard"},
}

// defaultModel is the real API's model_id default.
const defaultModel = "eleven_multilingual_v2"

// Fault is a failure the simulator answers with instead of serving.
type Fault int

// The faults, each with the body the real service sends.
const (
	FaultNone          Fault = iota
	FaultConcurrency         // 429 too_many_concurrent_requests
	FaultBusy                // 429 system_busy
	FaultServer              // 500
	FaultVoiceNotFound       // 400 voice_not_found
	FaultValidation          // 422 {"detail":[{"loc":["body","text"],…}]}
)

// Defaults for Config's zero values.
const (
	DefaultChunkBytes     = 4800 // 0.1 s of pcm_24000
	DefaultCharacterLimit = 10000
	defaultConcurrency    = 5 // reported in maximum-concurrent-requests when ConcurrencyLimit is 0
)

// Config shapes a simulator.
type Config struct {
	Addr       string        // listen address, loopback only (default "127.0.0.1:0")
	APIKey     string        // the expected xi-api-key
	Voices     []Voice       // default DefaultVoices()
	TTFB       time.Duration // time to the first byte of a synthesis
	ChunkBytes int           // default DefaultChunkBytes
	ChunkEvery time.Duration // pause between chunks (0 = as fast as possible)

	// CharacterLimit and CharacterCount are the subscription's quota
	// (default limit DefaultCharacterLimit). A text longer than what is
	// left gets 401 quota_exceeded; a served text adds its length.
	CharacterLimit, CharacterCount int

	// ConcurrencyLimit answers 429 too_many_concurrent_requests to a
	// synthesis beyond this many at once (0 = unlimited).
	ConcurrencyLimit int
}

// Sim is a running simulator. It is safe for concurrent use.
type Sim struct {
	cfg      Config
	addr     string
	srv      *http.Server
	served   chan struct{}
	handlers sync.WaitGroup

	mu            sync.Mutex
	closed        bool
	fault         Fault
	once          Fault
	stallBytes    int
	stallFor      time.Duration
	stallArmed    bool
	count         int // characters used
	requests      int
	inflight, max int
}

// Start listens (on loopback only: the simulator has no TLS) and serves.
func Start(c Config) (*Sim, error) {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:0"
	}
	if len(c.Voices) == 0 {
		c.Voices = DefaultVoices()
	}
	if c.ChunkBytes <= 0 {
		c.ChunkBytes = DefaultChunkBytes
	}
	if c.ChunkBytes%2 != 0 {
		c.ChunkBytes++ // whole samples, as the real service sends
	}
	if c.CharacterLimit <= 0 {
		c.CharacterLimit = DefaultCharacterLimit
	}
	if c.APIKey == "" {
		return nil, fmt.Errorf("elevensim: no API key configured")
	}
	ln, err := simcmd.ListenLoopback("elevensim", c.Addr)
	if err != nil {
		return nil, err
	}
	s := &Sim{cfg: c, addr: ln.Addr().String(), count: c.CharacterCount, served: make(chan struct{})}
	s.srv = &http.Server{
		Handler:           http.HandlerFunc(s.handle),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // aborted clients are the point of a fault test
	}
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// URL is the base URL to put in tts.Config.BaseURL, e.g. http://127.0.0.1:PORT.
func (s *Sim) URL() string { return "http://" + s.addr }

// Close stops serving, aborts streams in flight and waits for the handlers.
func (s *Sim) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	err := s.srv.Close()
	<-s.served
	s.handlers.Wait()
	if err != nil {
		return fmt.Errorf("elevensim: close: %w", err)
	}
	return nil
}

// SetFault makes every later authenticated request answer with f
// (FaultNone restores normal service).
func (s *Sim) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// FaultOnce makes only the next authenticated request answer with f.
func (s *Sim) FaultOnce(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.once = f
}

// StallAfter makes the next synthesis pause for d after sending n bytes of
// audio (a network stall mid-stream), then go on.
func (s *Sim) StallAfter(n int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stallBytes, s.stallFor, s.stallArmed = n, d, true
}

// Requests is the number of synthesis requests received with a valid key,
// whatever the answer.
func (s *Sim) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// MaxConcurrent is the most synthesis requests that were in flight at once.
func (s *Sim) MaxConcurrent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.max
}

// CharacterCount is the subscription's used characters now.
func (s *Sim) CharacterCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// nextFault returns the fault for this request, consuming a FaultOnce.
func (s *Sim) nextFault() Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.once; f != FaultNone {
		s.once = FaultNone
		return f
	}
	return s.fault
}

func (s *Sim) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	s.handlers.Add(1) // under mu while open, so Close's Wait sees every Add
	s.mu.Unlock()
	defer s.handlers.Done()

	h := w.Header()
	h.Set("x-region", "sim-local")
	h.Set("x-trace-id", traceID())

	voice, synth, route := s.route(r.URL.Path)
	if route == "" {
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not Found"})
		return
	}
	want := http.MethodGet
	if synth {
		want = http.MethodPost
	}
	if r.Method != want {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"detail": "Method Not Allowed"})
		return
	}
	if got := r.Header.Values("xi-api-key"); len(got) != 1 || subtle.ConstantTimeCompare([]byte(got[0]), []byte(s.cfg.APIKey)) != 1 {
		appError(w, http.StatusUnauthorized, "invalid_api_key", "Invalid API key")
		return
	}
	if synth {
		s.mu.Lock()
		s.requests++
		s.inflight++
		s.max = max(s.max, s.inflight)
		over := s.cfg.ConcurrencyLimit > 0 && s.inflight > s.cfg.ConcurrencyLimit
		inflight := s.inflight
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.inflight--
			s.mu.Unlock()
		}()
		limit := s.cfg.ConcurrencyLimit
		if limit == 0 {
			limit = defaultConcurrency
		}
		h.Set("current-concurrent-requests", strconv.Itoa(inflight))
		h.Set("maximum-concurrent-requests", strconv.Itoa(limit))
		if over {
			writeFault(w, FaultConcurrency, voice)
			return
		}
	}
	if f := s.nextFault(); f != FaultNone {
		writeFault(w, f, voice)
		return
	}
	switch route {
	case "voices":
		writeJSON(w, http.StatusOK, map[string]any{"voices": s.cfg.Voices})
	case "models":
		writeJSON(w, http.StatusOK, modelList())
	case "subscription":
		s.mu.Lock()
		used := s.count
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{
			"tier":                            "creator",
			"character_count":                 used,
			"character_limit":                 s.cfg.CharacterLimit,
			"next_character_count_reset_unix": time.Now().Add(30 * 24 * time.Hour).Truncate(24 * time.Hour).Unix(),
			"max_character_limit_extension":   0,
			"can_extend_character_limit":      false,
			"status":                          "active",
			"billing_period":                  "monthly_period",
			"character_refresh_period":        "monthly_period",
			"voice_limit":                     30,
		})
	default:
		s.synthesize(w, r, voice)
	}
}

// route maps a path to its endpoint; synth endpoints also return the voice.
func (s *Sim) route(path string) (voice string, synth bool, route string) {
	switch path {
	case "/v1/voices":
		return "", false, "voices"
	case "/v1/models":
		return "", false, "models"
	case "/v1/user/subscription":
		return "", false, "subscription"
	}
	rest, ok := strings.CutPrefix(path, "/v1/text-to-speech/")
	if !ok {
		return "", false, ""
	}
	voice, tail, _ := strings.Cut(rest, "/")
	if voice == "" || (tail != "" && tail != "stream") {
		return "", false, ""
	}
	return voice, true, "tts"
}

// synthesize validates the request like the real service, then streams the
// Speech of the text.
func (s *Sim) synthesize(w http.ResponseWriter, r *http.Request, voice string) {
	var body struct {
		Text         *string `json:"text"`
		ModelID      string  `json:"model_id"`
		LanguageCode string  `json:"language_code"`
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		return // the client went away or sent too much
	}
	if err := json.Unmarshal(data, &body); err != nil {
		validation(w, []any{"body"}, "JSON decode error", "value_error.jsondecode")
		return
	}
	if body.Text == nil {
		validation(w, []any{"body", "text"}, "field required", "value_error.missing")
		return
	}
	format := r.URL.Query().Get("output_format")
	if format == "" {
		format = "mp3_44100_128" // the real default, which the simulator cannot produce
	}
	rate, ok := map[string]int{"pcm_16000": 16000, "pcm_22050": 22050, "pcm_24000": 24000, "pcm_44100": 44100}[format]
	if !ok {
		validation(w, []any{"query", "output_format"},
			fmt.Sprintf("elevensim supports only the PCM output formats pcm_16000, pcm_22050, pcm_24000 and pcm_44100, not %q", format),
			"value_error")
		return
	}
	if !s.hasVoice(voice) {
		appError(w, http.StatusBadRequest, "voice_not_found", fmt.Sprintf("A voice with the voice_id %s was not found.", voice))
		return
	}
	if body.ModelID == "" {
		body.ModelID = defaultModel
	}
	m, ok := findModel(body.ModelID)
	if !ok {
		appError(w, http.StatusBadRequest, "model_not_found", fmt.Sprintf("A model with model ID %s does not exist.", body.ModelID))
		return
	}
	if body.LanguageCode != "" && !m.LanguageCodeOK {
		appError(w, http.StatusBadRequest, "unsupported_language",
			fmt.Sprintf("Model '%s' does not support language_code %s. Only Turbo v2.5 and Flash v2.5 support language enforcement.", m.ID, body.LanguageCode))
		return
	}
	chars := utf8.RuneCountInString(*body.Text)
	if chars > m.MaxChars {
		appError(w, http.StatusBadRequest, "max_character_limit_exceeded",
			fmt.Sprintf("You are sending %d characters in a single request, which is over the maximum of %d characters for model %s.", chars, m.MaxChars, m.ID))
		return
	}
	s.mu.Lock()
	remaining := max(s.cfg.CharacterLimit-s.count, 0)
	if chars > remaining {
		s.mu.Unlock()
		appError(w, http.StatusUnauthorized, "quota_exceeded",
			fmt.Sprintf("This request exceeds your quota of %d. You have %d credits remaining, while %d credits are required for this request.",
				s.cfg.CharacterLimit, remaining, chars))
		return
	}
	s.count += chars
	stallAt, stallFor := -1, time.Duration(0)
	if s.stallArmed {
		stallAt, stallFor, s.stallArmed = s.stallBytes, s.stallFor, false
	}
	s.mu.Unlock()

	audio := Speech(*body.Text, rate)
	ctx := r.Context()
	if !sleep(ctx.Done(), s.cfg.TTFB) {
		return
	}
	w.Header().Set("Content-Type", "audio/mpeg") // what the real API's spec declares, whatever the format
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	for sent := 0; sent < len(audio); {
		n := min(s.cfg.ChunkBytes, len(audio)-sent)
		if stallAt >= sent && stallAt < sent+n {
			n = max(stallAt-sent, 0)
		}
		if n > 0 {
			if _, err := w.Write(audio[sent : sent+n]); err != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
			sent += n
		}
		if sent == stallAt {
			stallAt = -1
			if !sleep(ctx.Done(), stallFor) {
				return
			}
			continue
		}
		if sent < len(audio) && !sleep(ctx.Done(), s.cfg.ChunkEvery) {
			return
		}
	}
}

func (s *Sim) hasVoice(id string) bool {
	for _, v := range s.cfg.Voices {
		if v.VoiceID == id {
			return true
		}
	}
	return false
}

func findModel(id string) (model, bool) {
	for _, m := range models {
		if m.ID == id {
			return m, true
		}
	}
	return model{}, false
}

// modelList is GET /v1/models: languages are {language_id, name} objects
// as in the real answer.
func modelList() []map[string]any {
	names := map[string]string{"en": "English", "de": "German", "fr": "French", "es": "Spanish",
		"it": "Italian", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese"}
	out := make([]map[string]any, 0, len(models))
	for _, m := range models {
		langs := make([]map[string]string, 0, len(m.Languages))
		for _, l := range m.Languages {
			langs = append(langs, map[string]string{"language_id": l, "name": names[l]})
		}
		out = append(out, map[string]any{
			"model_id":                               m.ID,
			"name":                                   m.Name,
			"can_do_text_to_speech":                  true,
			"can_do_voice_conversion":                false,
			"languages":                              langs,
			"max_characters_request_free_user":       min(m.MaxChars, 2500),
			"max_characters_request_subscribed_user": m.MaxChars,
			"token_cost_factor":                      1.0,
			"concurrency_group":                      m.ConcurrencyGroup,
		})
	}
	out = append(out, map[string]any{ // a speech-to-speech model, which cannot do TTS
		"model_id": "eleven_multilingual_sts_v2", "name": "Eleven Multilingual v2 (speech to speech)",
		"can_do_text_to_speech": false, "can_do_voice_conversion": true,
		"languages": []map[string]string{{"language_id": "en", "name": "English"}},
	})
	return out
}

// writeFault answers with the body the real service sends for f.
func writeFault(w http.ResponseWriter, f Fault, voice string) {
	switch f {
	case FaultConcurrency:
		appError(w, http.StatusTooManyRequests, "too_many_concurrent_requests",
			"Too many concurrent requests. Your current subscription is associated with a maximum of 5 concurrent requests, please upgrade your subscription or reduce the number of concurrent requests.")
	case FaultBusy:
		appError(w, http.StatusTooManyRequests, "system_busy",
			"We're experiencing a high volume of requests. Please try again later.")
	case FaultServer:
		appError(w, http.StatusInternalServerError, "internal_server_error", "An internal server error occurred.")
	case FaultVoiceNotFound:
		if voice == "" {
			voice = "unknown"
		}
		appError(w, http.StatusBadRequest, "voice_not_found", fmt.Sprintf("A voice with the voice_id %s was not found.", voice))
	case FaultValidation:
		validation(w, []any{"body", "text"}, "field required", "value_error.missing")
	}
}

// appError writes {"detail":{"status":code,"message":msg}}.
func appError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"detail": struct {
		Status  string `json:"status"`
		Message string `json:"message"`
	}{code, msg}})
}

// validation writes FastAPI's 422 body.
func validation(w http.ResponseWriter, loc []any, msg, typ string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": []any{struct {
		Loc  []any  `json:"loc"`
		Msg  string `json:"msg"`
		Type string `json:"type"`
	}{loc, msg, typ}}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func traceID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// sleep waits d or until done; it reports whether d passed.
func sleep(done <-chan struct{}, d time.Duration) bool {
	if d <= 0 {
		select {
		case <-done:
			return false
		default:
			return true
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}

// Speech timing: each character of the text becomes one tone.
const (
	toneLength = 40 * time.Millisecond
	fadeLength = 5 * time.Millisecond
	amplitude  = 0.3 * 32767
)

// Speech is the audio the simulator returns for text at sampleRate: s16le
// mono PCM, 40 ms per character, each a tone between 300 and 1500 Hz
// derived from the character with 5 ms fades in and out, at 0.3 of full
// scale; white space is 40 ms of silence, like the pauses between words. It is deterministic, two different texts differ, and a recording
// of it played back can be found by cross-correlation.
func Speech(text string, sampleRate int) []byte {
	per := int(int64(sampleRate) * int64(toneLength) / int64(time.Second))
	fade := int(int64(sampleRate) * int64(fadeLength) / int64(time.Second))
	out := make([]byte, 0, 2*per*utf8.RuneCountInString(text))
	for i, r := range []rune(text) {
		if unicode.IsSpace(r) { // a pause between words, as in speech: it gives recordings a shape to find
			out = append(out, make([]byte, 2*per)...)
			continue
		}
		// A multiplicative hash spreads neighbouring characters over the
		// band; mixing in the position keeps "aa" from being one long tone.
		h := (uint32(r)*2654435761 + uint32(i)*40503) % 1201
		freq := 300 + float64(h)
		for n := range per {
			g := 1.0
			if n < fade {
				g = float64(n) / float64(fade)
			} else if n >= per-fade {
				g = float64(per-1-n) / float64(fade)
			}
			v := int16(math.Round(amplitude * g * math.Sin(2*math.Pi*freq*float64(n)/float64(sampleRate))))
			out = binary.LittleEndian.AppendUint16(out, uint16(v))
		}
	}
	return out
}
