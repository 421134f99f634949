// Package pipeline owns the life of an utterance: from the key press (or the start of speech) through the
// audio stream to the speech server, to the final text, which it stores and hands on. Audio from the moment
// of the key press is never lost: the microphone records into a ring buffer, the utterance marks its start
// there, and streaming begins from that mark whenever the socket is ready.
package pipeline

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tonnytray/tonnytray/backend/audio"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/whisper"
)

// Source is where audio comes from: the microphone (audio.Capturer) or a test's scripted source.
type Source interface {
	// Mark is the position of the next sample to be captured.
	Mark() audio.Position
	// Stream delivers consecutive frames from a position until ctx ends.
	Stream(ctx context.Context, from audio.Position) <-chan audio.Frame
}

// Timings are the moments of one utterance, for the latency breakdown on the Dashboard and in history.
type Timings struct {
	KeyDown      time.Time // the key press, toggle or detected start of speech
	FirstSample  time.Time // the first audio of the utterance reached the pipeline
	SocketReady  time.Time // the speech server accepted the session
	FirstPartial time.Time // the first text came back
	SpeechEnd    time.Time // the key release, toggle or detected end of speech
	Final        time.Time // the final text is known
}

// Utterance is one finished utterance.
type Utterance struct {
	Text     string
	Mode     string // push_to_talk | toggle | voice_activation | continuous
	Hint     Route  // the route the trigger asked for (a command hotkey, the CLI); "" = decided by text and settings
	Speakers []int
	Timings  Timings
	Err      error // set when the session failed; Text then holds what was heard before
}

// Options configure a Pipeline.
type Options struct {
	Source  Source
	Dial    func(ctx context.Context) (*whisper.Session, error) // a session with the current settings
	Publish func(event.Payload)                                 // live transcript events
	Done    func(Utterance)                                     // the final utterance: store it, route it
	Log     *slog.Logger
	Now     func() time.Time
	// FinishTimeout bounds the wait for the final text after the end of speech (30 s).
	FinishTimeout time.Duration
	// OnSent, when set, is told the position of each frame just written to the socket (latency metrics).
	OnSent func(pos audio.Position)
}

// ErrBusy is returned by Begin while an utterance is being captured.
var ErrBusy = errors.New("an utterance is already in progress")

// Pipeline captures one utterance at a time; utterances that have ended may still be finishing (waiting for
// their final text) while the next one is captured, so speech right after speech is never turned away.
type Pipeline struct {
	o        Options
	mu       sync.Mutex
	cur      *utterance              // being captured
	inflight map[*utterance]struct{} // captured or finishing
	wg       sync.WaitGroup
}

type utterance struct {
	mode   string
	hint   Route
	from   audio.Position
	end    chan audio.Position // receives the position where speech ended
	cancel context.CancelFunc
	t      Timings
}

// New returns a pipeline.
func New(o Options) *Pipeline {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.FinishTimeout == 0 {
		o.FinishTimeout = 30 * time.Second
	}
	return &Pipeline{o: o, inflight: map[*utterance]struct{}{}}
}

// Begin starts an utterance at this moment (key press, toggle on). Audio from now on is kept and sent. hint is
// the route the trigger asks for ("" = let the text and settings decide).
func (p *Pipeline) Begin(mode string, hint Route) error {
	return p.BeginAt(mode, hint, p.o.Source.Mark(), p.o.Now())
}

// BeginAt starts an utterance whose audio starts at from (voice activation passes the detected start, minus
// its pre-roll), timed as starting at at.
func (p *Pipeline) BeginAt(mode string, hint Route, from audio.Position, at time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur != nil {
		return ErrBusy
	}
	ctx, cancel := context.WithCancel(context.Background())
	u := &utterance{mode: mode, hint: hint, from: from, end: make(chan audio.Position, 1), cancel: cancel, t: Timings{KeyDown: at}}
	p.cur = u
	p.inflight[u] = struct{}{}
	p.publishState("listening", mode)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.run(ctx, u)
	}()
	return nil
}

// End ends the current utterance here (key release, toggle off); its audio up to now is still sent.
func (p *Pipeline) End() error { return p.EndAt(p.o.Source.Mark()) }

// EndAt ends the current utterance at position pos (voice activation passes the detected end of speech).
func (p *Pipeline) EndAt(pos audio.Position) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur == nil {
		return errors.New("no utterance in progress")
	}
	select {
	case p.cur.end <- pos:
	default: // already ending
	}
	mode := p.cur.mode
	p.cur = nil // capturing is over; the next utterance may begin while this one finishes
	p.publishState("processing", mode)
	return nil
}

// Active says whether an utterance is being captured.
func (p *Pipeline) Active() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur != nil
}

// Cancel abandons every utterance, captured or finishing, without a final text (shutting down).
func (p *Pipeline) Cancel() {
	p.mu.Lock()
	for u := range p.inflight {
		u.cancel()
	}
	p.mu.Unlock()
}

// Wait waits for the utterance in progress, if any, to finish.
func (p *Pipeline) Wait() { p.wg.Wait() }

func (p *Pipeline) run(ctx context.Context, u *utterance) {
	defer u.cancel()
	res := p.stream(ctx, u)
	res.Mode, res.Hint, res.Timings.Final = u.mode, u.hint, p.o.Now()
	p.mu.Lock()
	if p.cur == u { // it ended on its own (failure, cancel) rather than through End
		p.cur = nil
	}
	delete(p.inflight, u)
	// The state after this one: another utterance may be capturing, or still finishing.
	next := "idle"
	switch {
	case p.cur != nil:
		next = ""
	case len(p.inflight) > 0:
		next = "processing"
	}
	p.mu.Unlock()
	if res.Err != nil {
		p.o.Log.Warn("utterance failed", "component", "pipeline", "mode", u.mode, "err", res.Err, "heard", len(res.Text))
	}
	p.publish(event.TranscriptFinalPayload{Text: res.Text, Mode: res.Mode, Error: errText(res.Err), Timings: timingsOf(res.Timings)})
	if next != "" {
		p.publishState(next, u.mode)
	}
	if p.o.Done != nil {
		p.o.Done(res)
	}
}

// stream sends the utterance's audio from its start mark while the session connects and runs, then asks for
// the final text.
func (p *Pipeline) stream(ctx context.Context, u *utterance) Utterance {
	res := Utterance{Timings: u.t}
	frames := p.o.Source.Stream(ctx, u.from) // buffered by the ring from the mark on, even before the socket is up

	type dialed struct {
		s   *whisper.Session
		err error
	}
	dialc := make(chan dialed, 1)
	go func() { s, err := p.o.Dial(ctx); dialc <- dialed{s, err} }()

	var (
		sess    *whisper.Session
		pending []audio.Frame // frames captured before the socket was ready
		endPos  audio.Position
		ending  bool
		buf     []byte
	)
	send := func(f audio.Frame) error {
		if ending && f.Pos >= endPos {
			return nil
		}
		samples := f.Samples
		if ending && f.Pos+audio.Position(len(samples)) > endPos {
			samples = samples[:endPos-f.Pos] // the end fell inside this frame
		}
		buf = pcmBytes(buf[:0], samples)
		if err := sess.Send(buf); err != nil {
			return err
		}
		if p.o.OnSent != nil {
			p.o.OnSent(f.Pos)
		}
		return nil
	}
	var lastPos audio.Position
	followed := make(chan time.Time, 1) // the first partial's time, once the session's updates end
	for {
		if ending && lastPos >= endPos && sess != nil && len(pending) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			res.Err = fmt.Errorf("utterance cancelled: %w", ctx.Err())
			if sess != nil {
				sess.Close()
			}
			return res
		case d := <-dialc:
			if d.err != nil {
				res.Err = fmt.Errorf("connect to the speech server: %w", d.err)
				return res
			}
			sess = d.s
			res.Timings.SocketReady = p.o.Now()
			go func(s *whisper.Session) { followed <- p.follow(s) }(sess)
			for _, f := range pending {
				if err := send(f); err != nil {
					res.Err = err
					sess.Close()
					return res
				}
			}
			pending = nil
			dialc = nil
		case pos := <-u.end:
			ending, endPos = true, pos
			res.Timings.SpeechEnd = p.o.Now()
			u.end = nil
		case f, ok := <-frames:
			if !ok {
				res.Err = errors.New("the audio stream ended")
				if sess != nil {
					sess.Close()
				}
				return res
			}
			if res.Timings.FirstSample.IsZero() {
				res.Timings.FirstSample = p.o.Now()
			}
			lastPos = f.Pos + audio.Position(len(f.Samples))
			if sess == nil {
				pending = append(pending, f)
				continue
			}
			if err := send(f); err != nil {
				res.Err = err
				sess.Close()
				return res
			}
		}
	}
	fctx, cancel := context.WithTimeout(ctx, p.o.FinishTimeout)
	defer cancel()
	text, err := sess.Finish(fctx)
	tr := sess.Transcript()
	res.Text, res.Speakers, res.Err = text, tr.Speakers(), err
	select { // Finish closed the session, so its updates end
	case res.Timings.FirstPartial = <-followed:
	case <-time.After(time.Second):
	}
	return res
}

// follow publishes the live transcript while the session runs and returns when the first text came back.
func (p *Pipeline) follow(sess *whisper.Session) (firstPartial time.Time) {
	for pr := range sess.Updates() {
		if firstPartial.IsZero() && (pr.Committed != "" || pr.Volatile != "") {
			firstPartial = p.o.Now()
		}
		p.publish(event.TranscriptUpdatePayload{Committed: pr.Committed, Volatile: pr.Volatile,
			LagMs: pr.Lag.Milliseconds(), LagGrowing: pr.LagGrowing})
	}
	return firstPartial
}

func (p *Pipeline) publish(e event.Payload) {
	if p.o.Publish != nil {
		p.o.Publish(e)
	}
}

func (p *Pipeline) publishState(state, mode string) {
	p.publish(event.ListeningStatePayload{State: state, Mode: mode})
}

// pcmBytes appends samples as 16-bit little-endian PCM, what the server expects with --pcm-input.
func pcmBytes(dst []byte, samples []int16) []byte {
	for _, s := range samples {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(s))
	}
	return dst
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func timingsOf(t Timings) event.UtteranceTimings {
	ms := func(a, b time.Time) int64 {
		if a.IsZero() || b.IsZero() {
			return -1
		}
		return b.Sub(a).Milliseconds()
	}
	return event.UtteranceTimings{
		FirstSampleMs: ms(t.KeyDown, t.FirstSample), SocketReadyMs: ms(t.KeyDown, t.SocketReady),
		FirstPartialMs: ms(t.KeyDown, t.FirstPartial), SpeechEndMs: ms(t.KeyDown, t.SpeechEnd),
		FinalMs: ms(t.KeyDown, t.Final),
	}
}
