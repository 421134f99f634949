package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/google/uuid"

	"github.com/tonnytray/tonnytray/backend/audio"
	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/paths"
	"github.com/tonnytray/tonnytray/backend/player"
	"github.com/tonnytray/tonnytray/backend/secret"
	"github.com/tonnytray/tonnytray/backend/tts"
)

// muteTail keeps the microphone deaf a moment after Tonny stops: the last audio is still in the device buffers
// and the room.
const muteTail = 400 * time.Millisecond

// voice is Tonny's voice: replies synthesized by ElevenLabs (through the cache) into the player's queue.
// Replies are synthesized one at a time, sentence after sentence, so requests never run concurrently.
type voice struct {
	player *player.Player
	jobs   chan *speakJob

	mu        sync.Mutex
	client    *tts.Client
	clientErr error
	cache     *tts.Cache
	cacheMB   int
	current   *speakJob // being synthesized or played; barge-in cancels it
	state     player.State
	quietAt   time.Time                 // when speaking last stopped
	quotaSaid bool                      // the quota notice was shown; again only after a reply got through
	quota     chan struct{}             // asks the quota service to read the subscription again
	card      event.ServiceStatePayload // the ElevenLabs Dashboard card
}

// speakJob is one reply to speak.
type speakJob struct {
	id, text string
	voiceID  string // "" = the configured voice
	ctx      context.Context
	cancel   context.CancelFunc
	done     chan error // receives the outcome once: nil when every sentence played
}

func (d *Daemon) newVoice() *voice {
	v := &voice{jobs: make(chan *speakJob, 8), quota: make(chan struct{}, 1),
		card: event.ServiceStatePayload{Service: "elevenlabs", State: "unavailable", Detail: "checking…"}}
	v.player = d.newPlayer(v)
	return v
}

// newPlayer makes a player on the configured output device; v, when set, is told when speaking starts and
// stops (the microphone's mute and the UI follow it).
func (d *Daemon) newPlayer(v *voice) *player.Player {
	s := d.settings.Get()
	o := player.Options{Device: s.Audio.OutputDevice, Volume: s.Response.Volume, Log: d.component("player")}
	if v != nil {
		o.OnState = func(st player.State) { d.speechState(st) }
	}
	return player.New(o)
}

// speechState follows the player: the mute gate and the speech:state event.
func (d *Daemon) speechState(st player.State) {
	v := d.voice
	v.mu.Lock()
	if v.state.Speaking && !st.Speaking {
		v.quietAt = time.Now()
	}
	v.state = st
	v.mu.Unlock()
	d.bus.Publish(event.SpeechStatePayload{Speaking: st.Speaking, ID: st.ID, Text: st.Text, Underruns: st.Underruns})
}

// muted says whether voice activation must ignore speech: Tonny is speaking (or just stopped) and the setting
// keeps the microphone from transcribing its own voice.
func (d *Daemon) muted() bool {
	if !d.settings.Get().Audio.MuteWhileSpeaking {
		return false
	}
	v := d.voice
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.state.Speaking || time.Since(v.quietAt) < muteTail
}

// Speak queues text to be spoken (it implements Speaker for replies). It returns at once; failures are shown
// as notices, and the text is on screen anyway.
func (d *Daemon) Speak(ctx context.Context, text string) error {
	_, err := d.queueSpeech(ctx, text, "")
	return err
}

// speakIfSetUp speaks text, unless voice was never set up (no ElevenLabs key: the card says so, and a notice
// per message would only nag); other failures are returned.
func (d *Daemon) speakIfSetUp(text string) error {
	err := d.Speak(context.Background(), text)
	var missing keyMissing
	if errors.As(err, &missing) {
		return nil
	}
	return err
}

// SpeakAndWait speaks text and returns when it has been played (or failed).
func (d *Daemon) SpeakAndWait(ctx context.Context, text string) error {
	job, err := d.queueSpeech(ctx, text, "")
	if err != nil {
		return err
	}
	return d.waitJob(ctx, job)
}

// PreviewVoice speaks a sample sentence with voiceID ("" = the configured voice), for Settings, and returns
// when it has been played.
func (d *Daemon) PreviewVoice(ctx context.Context, voiceID string) error {
	job, err := d.queueSpeech(ctx, "Hello, I am Tonny. This is how I sound.", voiceID)
	if err != nil {
		return err
	}
	return d.waitJob(ctx, job)
}

func (d *Daemon) waitJob(ctx context.Context, job *speakJob) error {
	select {
	case err := <-job.done:
		return err
	case <-ctx.Done():
		job.cancel()
		return ctx.Err()
	}
}

func (d *Daemon) queueSpeech(ctx context.Context, text, voiceID string) (*speakJob, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, errors.New("text: nothing to say")
	}
	if _, err := d.ttsClient(); err != nil {
		return nil, err
	}
	jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	job := &speakJob{id: uuid.NewString(), text: text, voiceID: voiceID, ctx: jctx, cancel: cancel, done: make(chan error, 1)}
	select {
	case d.voice.jobs <- job:
		return job, nil
	default:
		cancel()
		return nil, errors.New("too many replies waiting to be spoken")
	}
}

// StopSpeaking stops what is being said and drops what waits (barge-in, the Stop button, "stop").
func (d *Daemon) StopSpeaking() {
	v := d.voice
	v.mu.Lock()
	if v.current != nil {
		v.current.cancel()
	}
	v.mu.Unlock()
	for {
		select {
		case job := <-v.jobs:
			job.cancel()
			job.done <- player.ErrCleared
			continue
		default:
		}
		break
	}
	v.player.Clear()
}

// speaking says whether Tonny is talking.
func (d *Daemon) speaking() bool {
	v := d.voice
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.state.Speaking || v.current != nil
}

// spokeWithin says whether Tonny is speaking or stopped less than d ago.
func (d *Daemon) spokeWithin(window time.Duration) bool {
	v := d.voice
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.state.Speaking || v.current != nil || (!v.quietAt.IsZero() && time.Since(v.quietAt) < window)
}

// runSpeech is the service that synthesizes queued replies, one at a time.
func (d *Daemon) runSpeech(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case job := <-d.voice.jobs:
			d.voice.mu.Lock()
			d.voice.current = job
			d.voice.mu.Unlock()
			err := d.synthesize(job, d.voice.player)
			d.voice.mu.Lock()
			d.voice.current = nil
			d.voice.mu.Unlock()
			job.cancel()
			job.done <- err
		}
	}
}

// synthesize speaks job sentence by sentence: the first sentence plays while the next is generated, and
// the next request starts only when the previous stream has arrived (ElevenLabs counts concurrent requests).
func (d *Daemon) synthesize(job *speakJob, p *player.Player) error {
	log := d.component("tts")
	sentences := tts.SplitSentences(job.text)
	var ended []<-chan error
	prev := ""
	for i, sentence := range sentences {
		if job.ctx.Err() != nil {
			break
		}
		pcm, cached, err := d.ttsStream(job.ctx, d.ttsRequest(sentence, prev, job.voiceID))
		if err != nil {
			if job.ctx.Err() == nil {
				d.ttsFailed(err)
			}
			return err
		}
		log.Debug("sentence synthesizing", "reply", job.id, "sentence", i, "cached", cached)
		arrived := &arrival{ReadCloser: pcm, done: make(chan struct{})}
		itemEnded := p.Enqueue(player.Item{ID: fmt.Sprintf("%s/%d", job.id, i), Text: sentence, PCM: arrived, Rate: tts.SampleRate, Priority: player.Normal})
		ended = append(ended, itemEnded)
		select {
		case <-arrived.done:
		case <-job.ctx.Done():
		case err := <-itemEnded:
			ended[len(ended)-1] = closedWith(err)
		}
		prev = sentence
	}
	for _, ch := range ended {
		select {
		case err := <-ch:
			if err != nil {
				if errors.Is(err, audio.ErrNoOutput) {
					log.Error("reply not spoken: no speaker", "err", err)
					d.bus.Publish(event.NoticePayload{Level: "error", Title: "No speaker", Message: "Tonny's reply could not be played: " + err.Error()})
				}
				return err
			}
		case <-job.ctx.Done():
			return job.ctx.Err()
		}
	}
	d.voice.mu.Lock()
	d.voice.quotaSaid = false
	d.voice.mu.Unlock()
	d.refreshQuota()
	return job.ctx.Err()
}

// closedWith is a channel that already holds err (an item's end that was read early).
func closedWith(err error) <-chan error {
	ch := make(chan error, 1)
	ch <- err
	return ch
}

// arrival tells when a stream has been received to its end (or closed), so the next request may start.
type arrival struct {
	io.ReadCloser
	once sync.Once
	done chan struct{}
}

func (a *arrival) Read(p []byte) (int, error) {
	n, err := a.ReadCloser.Read(p)
	if err != nil {
		a.once.Do(func() { close(a.done) })
	}
	return n, err
}

func (a *arrival) Close() error {
	a.once.Do(func() { close(a.done) })
	return a.ReadCloser.Close()
}

func (d *Daemon) ttsRequest(text, previous, voiceID string) tts.Request {
	e := d.settings.Get().ElevenLabs
	if voiceID == "" {
		voiceID = d.profiles.Active().Voice // the profile's own voice, else the settings'
	}
	if voiceID == "" {
		voiceID = e.VoiceID
	}
	return tts.Request{Text: text, VoiceID: voiceID, ModelID: e.ModelID, LanguageCode: e.LanguageCode, PreviousText: previous,
		Settings: tts.VoiceSettings{Stability: e.Stability, SimilarityBoost: e.SimilarityBoost, Style: e.Style,
			SpeakerBoost: e.UseSpeakerBoost, Speed: e.Speed}}
}

// ttsStream returns the sentence's audio: from the cache, or streamed from ElevenLabs (and cached on the way)
// with retries for the failures worth retrying.
func (d *Daemon) ttsStream(ctx context.Context, req tts.Request) (io.ReadCloser, bool, error) {
	cache := d.ttsCache()
	var key string
	if cache != nil {
		key = cache.Key(req)
		if rc, ok := cache.Get(key); ok {
			return rc, true, nil
		}
	}
	client, err := d.ttsClient()
	if err != nil {
		return nil, false, err
	}
	rc, err := backoff.Retry(ctx, func() (io.ReadCloser, error) {
		rc, err := client.Stream(ctx, req)
		var te *tts.Error
		// Too many concurrent requests means another app shares the key: wait like for a busy server.
		if errors.As(err, &te) && !te.Retry() && te.Class != tts.ClassConcurrency {
			return nil, backoff.Permanent(err)
		}
		return rc, err
	}, backoff.WithBackOff(&backoff.ExponentialBackOff{InitialInterval: 500 * time.Millisecond, RandomizationFactor: 0.2,
		Multiplier: 2, MaxInterval: 4 * time.Second}), backoff.WithMaxTries(4))
	if err != nil {
		return nil, false, err
	}
	if cache != nil {
		rc = cache.Put(key, rc)
	}
	return rc, false, nil
}

// ttsFailed tells the user why a reply was not spoken; the reply text is on screen already.
func (d *Daemon) ttsFailed(err error) {
	log := d.component("tts")
	var te *tts.Error
	if !errors.As(err, &te) {
		log.Error("reply not spoken", "err", err)
		d.bus.Publish(event.NoticePayload{Level: "warning", Title: "Reply not spoken", Message: humanError(err)})
		return
	}
	log.Error("reply not spoken", "class", string(te.Class), "status", te.Status, "err", err)
	switch te.Class {
	case tts.ClassQuota:
		v := d.voice
		v.mu.Lock()
		said := v.quotaSaid
		v.quotaSaid = true
		v.mu.Unlock()
		if !said { // once per exhaustion, not once per reply
			d.bus.Publish(event.NoticePayload{Level: "error", Title: "ElevenLabs quota used up", Message: te.Message()})
		}
		d.refreshQuota()
	case tts.ClassInvalidKey:
		d.bus.Publish(event.NoticePayload{Level: "error", Title: "ElevenLabs key rejected", Message: te.Message()})
	default:
		d.bus.Publish(event.NoticePayload{Level: "warning", Title: "Reply not spoken", Message: te.Message()})
	}
}

// ttsClient returns the ElevenLabs client for the current key, building it on first use.
func (d *Daemon) ttsClient() (*tts.Client, error) {
	v := d.voice
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.client == nil && v.clientErr == nil {
		key, err := d.secretValue(secret.ElevenLabsAPIKey)
		if err == nil {
			v.client, err = tts.New(tts.Config{BaseURL: d.opts.ElevenLabsURL, APIKey: key})
		}
		v.clientErr = err
	}
	return v.client, v.clientErr
}

// ttsCache opens the reply cache at the configured size (nil when caching is off or the folder failed).
func (d *Daemon) ttsCache() *tts.Cache {
	mb := d.settings.Get().ElevenLabs.CacheMB
	v := d.voice
	v.mu.Lock()
	defer v.mu.Unlock()
	if mb == 0 {
		v.cache = nil
		return nil
	}
	if v.cache == nil || v.cacheMB != mb {
		c, err := tts.OpenCache(filepath.Join(paths.CacheDir(), "tts"), int64(mb)<<20)
		if err != nil {
			d.component("tts").Warn("reply cache unavailable", "err", err)
			return nil
		}
		v.cache, v.cacheMB = c, mb
	}
	return v.cache
}

// resetTTS drops the client after the key changed.
func (d *Daemon) resetTTS() {
	v := d.voice
	v.mu.Lock()
	v.client, v.clientErr, v.quotaSaid = nil, nil, false
	v.mu.Unlock()
	d.refreshQuota()
}

// Voices lists the ElevenLabs voices for the Settings picker.
func (d *Daemon) Voices(ctx context.Context) ([]tts.Voice, error) {
	c, err := d.ttsClient()
	if err != nil {
		return nil, err
	}
	return c.Voices(ctx)
}

// refreshQuota asks the quota service to read the subscription again.
func (d *Daemon) refreshQuota() {
	select {
	case d.voice.quota <- struct{}{}:
	default:
	}
}

// quotaEvery bounds how often the subscription is read: at start, after replies (at most this often), when
// the key changes, and every half hour.
const quotaEvery = time.Minute

// runQuota is the service behind the ElevenLabs Dashboard card: the key's state and the characters left.
func (d *Daemon) runQuota(ctx context.Context) error {
	tick := time.NewTicker(30 * time.Minute)
	defer tick.Stop()
	d.refreshQuota()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		case <-d.voice.quota:
		}
		card := d.readQuota(ctx)
		d.voice.mu.Lock()
		d.voice.card = card
		d.voice.mu.Unlock()
		d.bus.Publish(card)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(quotaEvery):
		}
	}
}

func (d *Daemon) readQuota(ctx context.Context) event.ServiceStatePayload {
	card := event.ServiceStatePayload{Service: "elevenlabs"}
	if d.settings.Get().Response.Mode == "text" {
		card.State, card.Detail = "unavailable", "replies are text only (Settings → Response)"
		return card
	}
	c, err := d.ttsClient()
	if err != nil {
		card.State, card.Detail = "unavailable", humanError(err)
		return card
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	sub, err := c.Subscription(ctx)
	if err != nil {
		card.State, card.Detail = "down", humanError(err)
		return card
	}
	card.State, card.Detail = "ok", fmt.Sprintf("%d characters left this period (%s)", sub.Remaining(), sub.Tier)
	if sub.Remaining() <= 0 {
		card.State, card.Detail = "degraded", "quota used up — replies are shown as text until "+sub.NextReset.Local().Format("2 Jan 15:04")
	}
	return card
}

// elevenLabsService is the last ElevenLabs card.
func (d *Daemon) elevenLabsService() event.ServiceStatePayload {
	d.voice.mu.Lock()
	defer d.voice.mu.Unlock()
	return d.voice.card
}

// SpeechState is what Tonny is saying now.
func (d *Daemon) SpeechState() event.SpeechStatePayload {
	d.voice.mu.Lock()
	defer d.voice.mu.Unlock()
	st := d.voice.state
	return event.SpeechStatePayload{Speaking: st.Speaking, ID: st.ID, Text: st.Text, Underruns: st.Underruns}
}

// VoiceInfo is one ElevenLabs voice as Settings and `tonnytray tts --list-voices` show it.
type VoiceInfo struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Category    string `json:"category"`
	Description string `json:"description"` // the voice's labels, e.g. "american, young, female"
}

// VoiceList lists the account's voices.
func (d *Daemon) VoiceList(ctx context.Context) ([]VoiceInfo, error) {
	c, err := d.ttsClient()
	if err != nil {
		return nil, err
	}
	voices, err := c.Voices(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]VoiceInfo, len(voices))
	for i, v := range voices {
		labels := make([]string, 0, len(v.Labels))
		for _, k := range []string{"accent", "age", "gender", "use_case", "description"} {
			if l := v.Labels[k]; l != "" {
				labels = append(labels, l)
			}
		}
		out[i] = VoiceInfo{ID: v.ID, Name: v.Name, Category: v.Category, Description: strings.Join(labels, ", ")}
	}
	return out, nil
}

// registerSpeechControl adds `tts` and `voices` to the control socket.
func (d *Daemon) registerSpeechControl() {
	d.control.Handle("tts", func(ctx context.Context, args json.RawMessage) (any, error) {
		var a struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, &control.RemoteError{Code: control.CodeBadRequest, Message: "tts: bad arguments"}
		}
		return struct{}{}, d.SpeakAndWait(ctx, a.Text)
	})
	d.control.Handle("voices", func(ctx context.Context, _ json.RawMessage) (any, error) {
		return d.VoiceList(ctx)
	})
}

// SpeakStandalone speaks text when no instance runs: a player of its own, for `tonnytray tts`.
func (d *Daemon) SpeakStandalone(ctx context.Context, text string) error {
	if _, err := d.ttsClient(); err != nil {
		return err
	}
	p := d.newPlayer(nil)
	pctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- p.Serve(pctx) }()
	defer func() { stop(); <-served }()
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	return d.synthesize(&speakJob{id: uuid.NewString(), text: strings.TrimSpace(text), ctx: jctx, cancel: cancel}, p)
}
