// Package tts turns Tonny's replies into speech with ElevenLabs (see
// shared/specs/elevenlabs-api.md): a client for streaming synthesis, voices,
// models and the quota, with every failure sorted into a Class; sentence
// splitting so the first sentence plays while the rest is generated; and an
// on-disk LRU cache of finished syntheses. Playback is the player package's
// job: this package hands it raw PCM.
package tts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// OutputFormat is the one synthesis format TonnyTray asks for: raw s16le
// mono PCM at 24 kHz. On the wire that is 384 kbit/s against 128 kbit/s for
// mp3_44100_128 — three times the bytes, about 5 KiB for a 0.1 s chunk,
// still far below any home connection — but the player needs no MP3 decoder
// (no cgo dependency, nothing to buffer before the first frame decodes) and
// there is no decoding latency: the first chunk goes straight to the sound
// card. 24 kHz keeps the full band of ElevenLabs' voices.
const OutputFormat = "pcm_24000"

// SampleRate is the sample rate of OutputFormat.
const SampleRate = 24000

// DefaultBaseURL is the ElevenLabs API.
const DefaultBaseURL = "https://api.elevenlabs.io"

// Defaults for Config's zero values.
const (
	DefaultTimeout          = 15 * time.Second
	DefaultFirstByteTimeout = 10 * time.Second
	connectTimeout          = 5 * time.Second
)

// maxBody bounds a JSON answer (a large voice library is a few hundred KiB).
const maxBody = 8 << 20

// Config is where and how to call ElevenLabs.
type Config struct {
	BaseURL   string            // default DefaultBaseURL; plain http only for loopback hosts (the simulator)
	APIKey    string            // from the keychain; sent as xi-api-key; never in errors or logs
	Transport http.RoundTripper // nil = a tuned transport (connect timeout 5 s, keep-alive)

	// Timeout bounds a whole non-streaming call (default 15 s). A stream
	// is bounded by FirstByteTimeout only: after the first byte, its pace
	// is the player's business (see Stream).
	Timeout          time.Duration
	FirstByteTimeout time.Duration // default 10 s
}

// VoiceSettings override the voice's stored settings for one request.
// WebSocket defaults: stability 0.5, similarity 0.75, style 0, speaker
// boost on, speed 1.0; style and speaker boost cost latency.
type VoiceSettings struct {
	Stability       float64 `json:"stability"`
	SimilarityBoost float64 `json:"similarity_boost"`
	Style           float64 `json:"style"`
	SpeakerBoost    bool    `json:"use_speaker_boost"`
	Speed           float64 `json:"speed,omitempty"` // 0 = the service's default (1.0); range 0.7–1.2
}

// Request is one synthesis.
type Request struct {
	Text         string
	VoiceID      string
	ModelID      string // "" = the service default (eleven_multilingual_v2); eleven_flash_v2_5 for replies
	LanguageCode string // ISO 639-1; only the Turbo/Flash v2.5 models accept it
	Settings     VoiceSettings
	// PreviousText and NextText are the neighbouring sentences of a split
	// reply, so the intonation flows across pieces.
	PreviousText, NextText string
}

// Voice is one voice of the account's library.
type Voice struct {
	ID, Name, Category string
	PreviewURL         string
	Labels             map[string]string // accent, age, gender, use_case, …
}

// Model is one ElevenLabs model.
type Model struct {
	ID, Name  string
	CanDoTTS  bool
	Languages []string // ISO 639-1 codes
}

// Subscription is the account's plan and character quota.
type Subscription struct {
	Tier, Status                   string // status: trialing, active, incomplete, past_due, free, free_disabled
	CharacterCount, CharacterLimit int
	NextReset                      time.Time
}

// Remaining is how many characters can still be spoken before NextReset.
func (s Subscription) Remaining() int { return max(s.CharacterLimit-s.CharacterCount, 0) }

// Client calls ElevenLabs. It is safe for concurrent use; it does not
// retry or serialise (see Error.Retry).
type Client struct {
	cfg  Config
	base string
	http *http.Client
}

// New validates c and builds a client; failures are *Error with ClassConfig.
func New(c Config) (*Client, error) {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &Error{Class: ClassConfig, Err: fmt.Errorf("parse base URL: %w", err)}
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
		return nil, &Error{Class: ClassConfig, Err: fmt.Errorf("base URL %q is not an http(s) URL with a host", c.BaseURL)}
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		// The key and every reply would cross the network in clear.
		return nil, &Error{Class: ClassConfig, Err: fmt.Errorf("https is required for %s; plain http is only allowed for loopback", u.Hostname())}
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, &Error{Class: ClassConfig, Err: errors.New("base URL must not carry credentials, a query or a fragment")}
	case c.APIKey == "":
		return nil, &Error{Class: ClassInvalidKey, Err: errors.New("no API key")}
	case strings.ContainsFunc(c.APIKey, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return nil, &Error{Class: ClassInvalidKey, Err: errors.New("API key contains spaces or control characters")}
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.FirstByteTimeout <= 0 {
		c.FirstByteTimeout = DefaultFirstByteTimeout
	}
	rt := c.Transport
	if rt == nil {
		rt = &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout: connectTimeout,
			ForceAttemptHTTP2:   true,
			MaxIdleConns:        4,
			MaxIdleConnsPerHost: 4, // the next sentence reuses a warm connection
			IdleConnTimeout:     90 * time.Second,
		}
	}
	return &Client{
		cfg:  c,
		base: strings.TrimRight(u.String(), "/"),
		http: &http.Client{
			Transport: rt,
			// A redirect would hand the key to wherever it points.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// isLoopback reports localhost, 127.0.0.0/8 and ::1.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// body is the synthesis JSON body.
type body struct {
	Text         string         `json:"text"`
	ModelID      string         `json:"model_id,omitempty"`
	LanguageCode string         `json:"language_code,omitempty"`
	Settings     *VoiceSettings `json:"voice_settings,omitempty"`
	PreviousText string         `json:"previous_text,omitempty"`
	NextText     string         `json:"next_text,omitempty"`
}

// Stream starts a synthesis (POST /v1/text-to-speech/{voice_id}/stream in
// OutputFormat) and returns the audio as it arrives: raw s16le mono PCM at
// SampleRate. The caller reads it and must Close it.
//
// Stream returns once the first byte is in, so a failure before that —
// refused, an error answer, no first byte within FirstByteTimeout — is an
// *Error, and ctx's own cancellation comes back as ctx.Err() wrapped. After
// the first byte there is no deadline of this package's own: a network stall
// mid-stream makes Read block, not fail, so the player can bridge it with
// silence and decide when to give up by cancelling ctx (or closing the
// reader). A body cut off mid-way reads as an *Error with ClassNetwork, so a
// cache tee never stores it.
func (c *Client) Stream(ctx context.Context, r Request) (io.ReadCloser, error) {
	if r.VoiceID == "" {
		return nil, &Error{Class: ClassConfig, Err: errors.New("no voice chosen")}
	}
	if strings.TrimSpace(r.Text) == "" {
		return nil, &Error{Class: ClassInvalid, Err: errors.New("empty text")}
	}
	b := body{Text: r.Text, ModelID: r.ModelID, LanguageCode: r.LanguageCode,
		PreviousText: r.PreviousText, NextText: r.NextText}
	if r.Settings != (VoiceSettings{}) {
		b.Settings = &r.Settings
	}
	payload, err := json.Marshal(b)
	if err != nil {
		return nil, &Error{Class: ClassInvalid, Err: fmt.Errorf("encode request: %w", err)}
	}

	sctx, cancel := context.WithCancel(ctx)
	var timedOut atomic.Bool
	timer := time.AfterFunc(c.cfg.FirstByteTimeout, func() { timedOut.Store(true); cancel() })
	fail := func(err error) (io.ReadCloser, error) {
		timer.Stop()
		cancel()
		return nil, err
	}
	endpoint := c.base + "/v1/text-to-speech/" + url.PathEscape(r.VoiceID) + "/stream?output_format=" + OutputFormat
	req, err := c.request(sctx, http.MethodPost, endpoint, payload)
	if err != nil {
		return fail(err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fail(c.transportError(ctx, &timedOut, err))
	}
	if resp.StatusCode != http.StatusOK {
		data, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
		if rerr != nil {
			return fail(c.transportError(ctx, &timedOut, rerr))
		}
		return fail(c.parseError(resp.StatusCode, data))
	}
	// Wait for the first byte, so the first-byte deadline covers the
	// model's time to first audio, not just the headers.
	first := make([]byte, 4096)
	n, err := resp.Body.Read(first)
	for n == 0 && err == nil {
		n, err = resp.Body.Read(first)
	}
	if !timer.Stop() || n == 0 {
		resp.Body.Close()
		if err == nil || err == io.EOF {
			if timedOut.Load() {
				return fail(c.transportError(ctx, &timedOut, context.DeadlineExceeded))
			}
			return fail(&Error{Class: ClassBusy, Status: resp.StatusCode, Err: errors.New("empty audio")})
		}
		return fail(c.transportError(ctx, &timedOut, err))
	}
	return &stream{ctx: ctx, cancel: cancel, body: resp.Body, pending: first[:n], err: err}, nil
}

// stream is the audio body: the bytes read while waiting for the first one,
// then the rest.
type stream struct {
	ctx     context.Context // the caller's, to tell cancellation from a cut
	cancel  context.CancelFunc
	body    io.ReadCloser
	pending []byte
	err     error // returned by the first Read along with pending
	close   sync.Once
	closed  atomic.Bool
}

func (s *stream) Read(p []byte) (int, error) {
	if len(s.pending) > 0 {
		n := copy(p, s.pending)
		s.pending = s.pending[n:]
		if len(s.pending) > 0 || s.err == nil {
			return n, nil
		}
		return n, s.wrap(s.err)
	}
	if s.err != nil {
		return 0, s.wrap(s.err)
	}
	n, err := s.body.Read(p)
	if err != nil {
		s.err = err
		return n, s.wrap(err)
	}
	return n, nil
}

// wrap keeps io.EOF as is and turns everything else into an *Error, or
// the caller's cancellation.
func (s *stream) wrap(err error) error {
	if err == io.EOF {
		return io.EOF
	}
	if s.closed.Load() {
		return fmt.Errorf("elevenlabs: stream closed: %w", os.ErrClosed)
	}
	if s.ctx.Err() != nil {
		return fmt.Errorf("elevenlabs: stream cancelled: %w", s.ctx.Err())
	}
	return &Error{Class: ClassNetwork, Err: fmt.Errorf("audio cut off: %w", err)}
}

// Close may be called from another goroutine while a Read blocks (the
// player stops on barge-in); that Read then returns an error.
func (s *stream) Close() error {
	var err error
	s.close.Do(func() {
		s.closed.Store(true)
		s.cancel() // a Close before the end aborts the synthesis on the server too
		err = s.body.Close()
	})
	return err
}

// Voices lists the account's voices (GET /v1/voices).
func (c *Client) Voices(ctx context.Context) ([]Voice, error) {
	var answer struct {
		Voices []struct {
			VoiceID    string            `json:"voice_id"`
			Name       string            `json:"name"`
			Category   string            `json:"category"`
			PreviewURL string            `json:"preview_url"`
			Labels     map[string]string `json:"labels"`
		} `json:"voices"`
	}
	if err := c.getJSON(ctx, "/v1/voices", &answer); err != nil {
		return nil, err
	}
	voices := make([]Voice, 0, len(answer.Voices))
	for _, v := range answer.Voices {
		voices = append(voices, Voice{ID: v.VoiceID, Name: v.Name, Category: v.Category, PreviewURL: v.PreviewURL, Labels: v.Labels})
	}
	return voices, nil
}

// Models lists the models (GET /v1/models).
func (c *Client) Models(ctx context.Context) ([]Model, error) {
	var answer []struct {
		ModelID   string            `json:"model_id"`
		Name      string            `json:"name"`
		CanDoTTS  bool              `json:"can_do_text_to_speech"`
		Languages []json.RawMessage `json:"languages"`
	}
	if err := c.getJSON(ctx, "/v1/models", &answer); err != nil {
		return nil, err
	}
	models := make([]Model, 0, len(answer))
	for _, m := range answer {
		model := Model{ID: m.ModelID, Name: m.Name, CanDoTTS: m.CanDoTTS}
		for _, raw := range m.Languages {
			// The API sends {"language_id","name"}; accept a bare code too.
			var lang struct {
				ID string `json:"language_id"`
			}
			var code string
			if json.Unmarshal(raw, &lang) == nil && lang.ID != "" {
				model.Languages = append(model.Languages, lang.ID)
			} else if json.Unmarshal(raw, &code) == nil && code != "" {
				model.Languages = append(model.Languages, code)
			}
		}
		models = append(models, model)
	}
	return models, nil
}

// Subscription reads the plan and quota (GET /v1/user/subscription).
func (c *Client) Subscription(ctx context.Context) (Subscription, error) {
	var answer struct {
		Tier           string `json:"tier"`
		Status         string `json:"status"`
		CharacterCount int    `json:"character_count"`
		CharacterLimit int    `json:"character_limit"`
		NextReset      int64  `json:"next_character_count_reset_unix"`
	}
	if err := c.getJSON(ctx, "/v1/user/subscription", &answer); err != nil {
		return Subscription{}, err
	}
	s := Subscription{Tier: answer.Tier, Status: answer.Status, CharacterCount: answer.CharacterCount, CharacterLimit: answer.CharacterLimit}
	if answer.NextReset > 0 {
		s.NextReset = time.Unix(answer.NextReset, 0)
	}
	return s, nil
}

// getJSON is one non-streaming GET bounded by Timeout.
func (c *Client) getJSON(ctx context.Context, path string, v any) error {
	rctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var timedOut atomic.Bool
	req, err := c.request(rctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err == nil {
		defer resp.Body.Close()
		var data []byte
		data, err = io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
		switch {
		case err != nil:
		case resp.StatusCode != http.StatusOK:
			return c.parseError(resp.StatusCode, data)
		case len(data) > maxBody:
			return &Error{Class: ClassInvalid, Status: resp.StatusCode, Err: fmt.Errorf("answer larger than %d bytes", maxBody)}
		default:
			if err := json.Unmarshal(data, v); err != nil {
				return &Error{Class: ClassInvalid, Status: resp.StatusCode, Err: fmt.Errorf("decode %s: %w", path, err)}
			}
			return nil
		}
	}
	timedOut.Store(rctx.Err() != nil && ctx.Err() == nil)
	return c.transportError(ctx, &timedOut, err)
}

// request builds a call with the key header.
func (c *Client) request(ctx context.Context, method, endpoint string, payload []byte) (*http.Request, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, endpoint, rd)
	if err != nil {
		return nil, &Error{Class: ClassConfig, Err: fmt.Errorf("build request: %w", err)}
	}
	req.Header.Set("xi-api-key", c.cfg.APIKey)
	req.Header.Set("User-Agent", "TonnyTray")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "audio/*")
	} else {
		req.Header.Set("Accept", "application/json")
	}
	return req, nil
}

// parseError is ParseError with the key scrubbed from the server's text.
func (c *Client) parseError(status int, data []byte) *Error {
	e := ParseError(status, data)
	e.Server = strings.ReplaceAll(e.Server, c.cfg.APIKey, "[redacted]")
	return e
}

// transportError classifies a failure to send or to read; the caller's own
// cancellation is returned as such, not mistaken for a timeout.
func (c *Client) transportError(parent context.Context, timedOut *atomic.Bool, err error) error {
	if parent.Err() != nil {
		return fmt.Errorf("elevenlabs: cancelled: %w", parent.Err())
	}
	if timedOut.Load() || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Class: ClassTimeout, Err: errors.New("no answer in time")}
	}
	// url.Error names the URL, which carries no secret (the key is a header).
	return &Error{Class: ClassNetwork, Err: err}
}
