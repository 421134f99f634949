package whisper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// The PCM TonnyTray streams to a --pcm-input server: s16le, 16 kHz, mono.
const (
	PCMSampleRate     = 16000
	PCMBytesPerSecond = PCMSampleRate * 2
	MinFrame          = 20 * time.Millisecond  // shortest frame FrameSize allows
	MaxFrame          = 100 * time.Millisecond // longest frame FrameSize allows
	// maxSendBytes is MaxFrame of PCM: the longest frame Send takes.
	maxSendBytes = int(MaxFrame/time.Millisecond) * PCMBytesPerSecond / 1000
)

// Defaults of DialOptions.
const (
	DefaultConfigWait       = 2 * time.Second
	DefaultHandshakeTimeout = 10 * time.Second
	DefaultWriteTimeout     = 5 * time.Second
	DefaultCloseTimeout     = time.Second
	DefaultLagWindow        = 3 * time.Second
	DefaultLagGrowth        = time.Second
	DefaultUpdateBuffer     = 64
)

// Errors of the /asr client; match them with errors.Is. Each reads as a sentence for the user.
var (
	ErrUnavailable    = errors.New("the speech server is not reachable")
	ErrUnauthorized   = errors.New("the speech server refused the API token")
	ErrBadSession     = errors.New("the speech server rejected the session")
	ErrNeedsPCMInput  = errors.New("the speech server expects compressed audio: start the speech server with --pcm-input (TonnyTray sends raw 16 kHz PCM)")
	ErrConnectionLost = errors.New("the connection to the speech server was lost")
	ErrServer         = errors.New("the speech server reported an error")
	ErrFinished       = errors.New("the audio stream was already finished")
	ErrClosed         = errors.New("the speech session is closed")
)

// Close codes WhisperLiveKit uses on /asr (spec §2.2).
const (
	CloseBadSession   = 4400
	CloseUnauthorized = 4401
)

// FrameSize is the byte length of d of s16le 16 kHz mono PCM; d must be
// within 20–100 ms (spec §3.3), so a frame is 640–3200 bytes.
func FrameSize(d time.Duration) (int, error) {
	if d < MinFrame || d > MaxFrame {
		return 0, fmt.Errorf("frame duration %v is outside %v–%v", d, MinFrame, MaxFrame)
	}
	return int(int64(d)*PCMSampleRate/int64(time.Second)) * 2, nil
}

// DialOptions configure Dial. Only URL is required.
type DialOptions struct {
	// URL is the server: its HTTP base ("http://127.0.0.1:8000", see BaseURL)
	// or a ws:// / wss:// URL; with no path, /asr is used.
	URL string
	// Token is the API token (v0.2.23+); "" when the server is open. It is
	// sent as "Authorization: Bearer" unless TokenInQuery is set, which sends
	// ?token= instead (for proxies that drop the header; it may end up in logs).
	Token        string
	TokenInQuery bool
	// Language is the session's ?language= ("" leaves the server's; v0.2.20+).
	Language string
	// ConfigWait bounds the wait for the server's first message: the config
	// message, or a first update from a server older than 0.2.10 that sends
	// none. A server that sends nothing at all in this time is an error.
	ConfigWait       time.Duration
	HandshakeTimeout time.Duration // the HTTP upgrade (ignored with Dialer)
	WriteTimeout     time.Duration // bounds each frame written
	CloseTimeout     time.Duration // bounds the wait for the server's close reply
	// LagWindow and LagGrowth define "the lag keeps growing": the lag has not
	// fallen in any update for at least LagWindow and has risen by at least
	// LagGrowth over that run.
	LagWindow time.Duration
	LagGrowth time.Duration
	// UpdateBuffer is the capacity of the Updates channel; when it is full the
	// oldest pending update is dropped (each one supersedes the last anyway).
	UpdateBuffer int
	Header       http.Header       // extra handshake headers
	Dialer       *websocket.Dialer // nil: a dialer with HandshakeTimeout and the environment's proxy
}

func (o DialOptions) withDefaults() DialOptions {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.ConfigWait, DefaultConfigWait)
	def(&o.HandshakeTimeout, DefaultHandshakeTimeout)
	def(&o.WriteTimeout, DefaultWriteTimeout)
	def(&o.CloseTimeout, DefaultCloseTimeout)
	def(&o.LagWindow, DefaultLagWindow)
	def(&o.LagGrowth, DefaultLagGrowth)
	if o.UpdateBuffer <= 0 {
		o.UpdateBuffer = DefaultUpdateBuffer
	}
	return o
}

// ASRURL builds the WebSocket URL of a session from the options, and a copy
// safe to log (the token masked).
func ASRURL(o DialOptions) (dial, redacted string, err error) {
	u, err := url.Parse(strings.TrimSpace(o.URL))
	if err != nil {
		return "", "", fmt.Errorf("speech server URL %q: %w", o.URL, err)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return "", "", fmt.Errorf("speech server URL %q: want http(s):// or ws(s)://", o.URL)
	}
	if u.Host == "" {
		return "", "", fmt.Errorf("speech server URL %q has no host", o.URL)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/asr"
	}
	q := u.Query()
	if o.Language != "" {
		q.Set("language", o.Language)
	}
	if o.Token != "" && o.TokenInQuery {
		q.Set("token", o.Token)
	}
	u.RawQuery = q.Encode()
	dial = u.String()
	if q.Has("token") {
		q.Set("token", "REDACTED")
		u.RawQuery = q.Encode()
	}
	return dial, u.String(), nil
}

// Progress is what a session reports on every update.
type Progress struct {
	Update    Update
	Committed string // the transcript's settled text so far
	Volatile  string // the hypothesis that may still change
	// Lag is the server's transcription lag (remaining_time_transcription).
	Lag time.Duration
	// LagGrowing says the lag keeps growing (see DialOptions.LagWindow): the
	// server cannot keep up with real time.
	LagGrowing bool
}

// Session is one /asr stream: Dial, Send frames, then Finish (or Close to
// abandon it). Send, Finish and Close may be called from different
// goroutines; one goroutine owned by the session reads the server.
type Session struct {
	conn     *websocket.Conn
	opts     DialOptions
	redacted string

	writeMu  sync.Mutex // one writer at a time (gorilla's rule)
	finished bool       // the empty frame was sent; guarded by writeMu

	closing   atomic.Bool
	closeOnce sync.Once

	mu        sync.Mutex
	cfg       Config
	hasConfig bool
	tr        Transcript
	lag       lagTracker
	readErr   error  // why the session failed: the reader stopped, or a write did
	serverErr string // a {"type":"error"} message's text
	bad       int    // unparseable messages skipped
	dropped   int    // updates dropped because Updates was full

	updates   chan Progress
	firstOnce sync.Once
	first     chan struct{} // closed at the first message
	readyOnce sync.Once
	ready     chan struct{} // closed at ready_to_stop
	done      chan struct{} // closed when the reader has ended
}

// Dial opens a session and waits for the server's first message (bounded by
// ConfigWait and ctx). It fails with ErrUnavailable (nothing listening, HTTP
// 404/503, no answer), ErrUnauthorized (HTTP 401/403 or close 4401),
// ErrBadSession (an error message and close 4400, e.g. an unsupported
// language) or ErrNeedsPCMInput (the server reports useAudioWorklet:false).
func Dial(ctx context.Context, o DialOptions) (*Session, error) {
	o = o.withDefaults()
	dialURL, redacted, err := ASRURL(o)
	if err != nil {
		return nil, err
	}
	d := o.Dialer
	if d == nil {
		d = &websocket.Dialer{HandshakeTimeout: o.HandshakeTimeout, Proxy: http.ProxyFromEnvironment}
	}
	h := o.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if o.Token != "" && !o.TokenInQuery {
		h.Set("Authorization", "Bearer "+o.Token)
	}
	conn, resp, err := d.DialContext(ctx, dialURL, h)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		return nil, dialError(ctx, redacted, resp, err)
	}
	s := &Session{
		conn:     conn,
		opts:     o,
		redacted: redacted,
		lag:      lagTracker{window: o.LagWindow, growth: o.LagGrowth},
		updates:  make(chan Progress, o.UpdateBuffer),
		first:    make(chan struct{}),
		ready:    make(chan struct{}),
		done:     make(chan struct{}),
	}
	go s.read()

	t := time.NewTimer(o.ConfigWait)
	defer t.Stop()
	select {
	case <-s.first:
	case <-s.done:
	case <-t.C:
		s.Close()
		return nil, fmt.Errorf("%w: %s accepted the connection but sent nothing usable within %v", ErrUnavailable, redacted, o.ConfigWait)
	case <-ctx.Done():
		s.Close()
		return nil, fmt.Errorf("connect to %s: %w", redacted, ctx.Err())
	}
	s.mu.Lock()
	serverErr := s.serverErr
	s.mu.Unlock()
	if serverErr != "" {
		// The close 4400 follows the error message; its classification is the answer.
		ct := time.NewTimer(o.CloseTimeout)
		defer ct.Stop()
		select {
		case <-s.done:
		case <-ct.C:
		}
	}
	if err := s.failure(); err != nil {
		s.Close()
		return nil, err
	}
	if serverErr != "" {
		s.Close()
		return nil, fmt.Errorf("%w: %s", ErrBadSession, serverErr)
	}
	if cfg, ok := s.Config(); ok && !cfg.UseAudioWorklet {
		s.Close()
		return nil, ErrNeedsPCMInput
	}
	return s, nil
}

// dialError turns a failed handshake into one of the package's errors.
func dialError(ctx context.Context, where string, resp *http.Response, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("connect to %s: %w", where, ctx.Err())
	}
	if resp != nil {
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return fmt.Errorf("%w (HTTP %d): check that the API token in TonnyTray's speech server settings matches the server's API token (--api-token or WLK_API_TOKEN)",
				ErrUnauthorized, resp.StatusCode)
		case http.StatusNotFound:
			return fmt.Errorf("%w: %s answered HTTP 404: is this a WhisperLiveKit server?", ErrUnavailable, where)
		case http.StatusServiceUnavailable:
			return fmt.Errorf("%w: %s answered HTTP 503: the speech server is starting or shutting down", ErrUnavailable, where)
		}
		return fmt.Errorf("%w: %s answered HTTP %d to the WebSocket upgrade", ErrUnavailable, where, resp.StatusCode)
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("%w: nothing is listening at %s: the speech server is not running or is still loading its model",
			ErrUnavailable, where)
	}
	return fmt.Errorf("%w: connect to %s: %w", ErrUnavailable, where, err)
}

// read is the session's only reader: it parses every message, applies
// updates to the transcript and ends when the connection does.
func (s *Session) read() {
	defer close(s.done)
	defer close(s.updates)
	for {
		mt, b, err := s.conn.ReadMessage()
		if err != nil {
			err = s.classify(err) // takes mu itself
			s.mu.Lock()
			if s.readErr == nil { // a failed write may have said it first
				s.readErr = err
			}
			s.mu.Unlock()
			s.firstOnce.Do(func() { close(s.first) })
			return
		}
		if mt != websocket.TextMessage {
			continue // the server sends only JSON text frames
		}
		m, err := ParseMessage(b)
		if err != nil {
			s.mu.Lock()
			s.bad++ // one malformed update must not end the session
			s.mu.Unlock()
			continue
		}
		s.handle(m)
		s.firstOnce.Do(func() { close(s.first) })
	}
}

func (s *Session) handle(m Message) {
	switch m.Kind {
	case KindConfig:
		s.mu.Lock()
		s.cfg, s.hasConfig = m.Config, true
		s.mu.Unlock()
	case KindError:
		s.mu.Lock()
		s.serverErr = m.Error
		if s.serverErr == "" {
			s.serverErr = "invalid session parameters"
		}
		s.mu.Unlock()
	case KindReadyToStop:
		s.mu.Lock()
		s.tr.Finalize()
		s.mu.Unlock()
		s.readyOnce.Do(func() { close(s.ready) })
	case KindUpdate:
		s.mu.Lock()
		s.tr.Apply(m.Update)
		p := Progress{
			Update:     m.Update,
			Committed:  s.tr.Committed(),
			Volatile:   s.tr.Volatile(),
			Lag:        m.Update.Lag,
			LagGrowing: s.lag.observe(time.Now(), m.Update.Lag),
		}
		s.mu.Unlock()
		s.publish(p)
	}
}

// publish never blocks the reader: when the channel is full the oldest
// pending update gives way.
func (s *Session) publish(p Progress) {
	select {
	case s.updates <- p:
		return
	default:
	}
	select {
	case <-s.updates:
		s.mu.Lock()
		s.dropped++
		s.mu.Unlock()
	default:
	}
	select {
	case s.updates <- p:
	default:
		s.mu.Lock()
		s.dropped++
		s.mu.Unlock()
	}
}

// classify explains why reading stopped.
func (s *Session) classify(err error) error {
	if s.closing.Load() {
		return ErrClosed
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case CloseBadSession:
			s.mu.Lock()
			text := s.serverErr
			s.mu.Unlock()
			if text == "" {
				text = ce.Text
			}
			return fmt.Errorf("%w: %s", ErrBadSession, text)
		case CloseUnauthorized:
			return fmt.Errorf("%w (close %d): check that the API token in TonnyTray's speech server settings matches the server's API token (--api-token or WLK_API_TOKEN)",
				ErrUnauthorized, ce.Code)
		case websocket.CloseAbnormalClosure: // gorilla's code for a connection cut without a close frame
			return fmt.Errorf("%w: the connection dropped without a close frame (did the speech server crash?)", ErrConnectionLost)
		case websocket.CloseServiceRestart, websocket.CloseGoingAway:
			return fmt.Errorf("%w: the speech server shut down (close %d)", ErrUnavailable, ce.Code)
		}
		return fmt.Errorf("%w: the server closed the session (close %d %q)", ErrConnectionLost, ce.Code, ce.Text)
	}
	return fmt.Errorf("%w: %w", ErrConnectionLost, err)
}

// failure is why the session failed (the reader stopped or a write failed), or nil.
func (s *Session) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readErr
}

// Config returns the server's config message; ok is false when the server
// sent none (before v0.2.10).
func (s *Session) Config() (cfg Config, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg, s.hasConfig
}

// Updates delivers a Progress per state update. It is closed when the
// session's reader ends (after Close or Finish, or when the connection is lost).
func (s *Session) Updates() <-chan Progress { return s.updates }

// Lag is the server's latest reported transcription lag, and whether it keeps growing.
func (s *Session) Lag() (lag time.Duration, growing bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lag.cur, s.lag.growing
}

// Transcript returns a copy of the transcript so far.
func (s *Session) Transcript() Transcript {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tr.clone()
}

// Stats are counters of what the session tolerated.
type Stats struct {
	Malformed int // messages that could not be parsed and were skipped
	Dropped   int // updates dropped because nobody read Updates in time
}

// Stats returns the session's counters.
func (s *Session) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Malformed: s.bad, Dropped: s.dropped}
}

// Send writes one binary frame of s16le 16 kHz mono PCM of at most 100 ms
// (see FrameSize; a shorter last frame is fine). Pacing is the caller's job.
// An empty frame would end the stream: use Finish.
func (s *Session) Send(frame []byte) error {
	switch {
	case len(frame) == 0:
		return errors.New("send audio: an empty frame ends the stream: call Finish")
	case len(frame) > maxSendBytes:
		return fmt.Errorf("send audio: a %d-byte frame is longer than %v (%d bytes): split it (see FrameSize)",
			len(frame), MaxFrame, maxSendBytes)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	switch {
	case s.finished:
		return ErrFinished
	case s.closing.Load():
		return ErrClosed
	}
	if cfg, ok := s.Config(); ok && !cfg.UseAudioWorklet {
		return ErrNeedsPCMInput // Dial refuses such a server; this guards the invariant
	}
	if err := s.failure(); err != nil {
		return err
	}
	return s.write(websocket.BinaryMessage, frame)
}

// write sends a frame with the write deadline; the caller holds writeMu.
func (s *Session) write(mt int, b []byte) error {
	_ = s.conn.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout))
	if err := s.conn.WriteMessage(mt, b); err != nil {
		if s.closing.Load() {
			return ErrClosed
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.readErr == nil { // sticky: later calls report the same loss
			s.readErr = fmt.Errorf("%w: send audio: %w", ErrConnectionLost, err)
		}
		return s.readErr // the reader's reason when it has one (e.g. close 4400)
	}
	return nil
}

// Finish ends the stream: it sends the one empty binary frame, reads until
// ready_to_stop (bounded by ctx), closes the socket (the server does not)
// and returns the utterance's final text. Any error update the server sent
// is returned wrapped in ErrServer, with the text heard so far.
func (s *Session) Finish(ctx context.Context) (string, error) {
	s.writeMu.Lock()
	if s.finished {
		s.writeMu.Unlock()
		return "", ErrFinished
	}
	s.finished = true
	err := s.failure()
	if err == nil {
		err = s.write(websocket.BinaryMessage, []byte{})
	}
	s.writeMu.Unlock()
	if err == nil {
		select {
		case <-s.ready:
		case <-s.done:
			select {
			case <-s.ready: // ready_to_stop came just before the connection ended
			default:
				err = s.failure()
				if err == nil || errors.Is(err, ErrClosed) {
					err = fmt.Errorf("%w: the connection ended before ready_to_stop", ErrConnectionLost)
				}
			}
		case <-ctx.Done():
			err = fmt.Errorf("waiting for the speech server to finish (ready_to_stop): %w", ctx.Err())
		}
	}
	s.Close()
	s.mu.Lock()
	text, serverErr := s.tr.Text(), s.tr.Err()
	s.mu.Unlock()
	if err == nil && serverErr != "" {
		err = fmt.Errorf("%w: %s", ErrServer, serverErr)
	}
	return text, err
}

// Close abandons the session: a normal close frame, a bounded wait for the
// server's reply, then the connection is closed and the reader has ended.
// It is safe to call more than once and concurrently with Send.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		s.closing.Store(true)
		// WriteControl may run concurrently with a Send (gorilla allows it).
		_ = s.conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(s.opts.CloseTimeout))
		t := time.NewTimer(s.opts.CloseTimeout)
		defer t.Stop()
		select {
		case <-s.done:
		case <-t.C: // a hung server never answers
		}
		_ = s.conn.Close()
		<-s.done
	})
	return nil
}

// lagTracker decides whether the lag keeps growing: it has not fallen in any
// update for at least window and has risen by at least growth over that run.
type lagTracker struct {
	window, growth time.Duration

	cur     time.Duration
	base    time.Duration // the lag when the current non-falling run began
	since   time.Time     // when it began
	growing bool
}

func (l *lagTracker) observe(now time.Time, lag time.Duration) bool {
	if l.since.IsZero() || lag < l.cur {
		l.base, l.since = lag, now
	}
	l.cur = lag
	l.growing = now.Sub(l.since) >= l.window && lag-l.base >= l.growth
	return l.growing
}
