package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tonnytray/tonnytray/backend/audio"
	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/pipeline"
	"github.com/tonnytray/tonnytray/backend/store"
	"github.com/tonnytray/tonnytray/backend/whisper"
)

// mic is the pipeline's audio source: the microphone, opened when an utterance begins and closed after it.
// Opening happens before the utterance marks its start, so everything from the key press on is recorded.
type mic struct {
	d      *Daemon
	mu     sync.Mutex
	cap    *audio.Capturer
	cancel context.CancelFunc
}

// open opens the configured input device if it is not open yet.
func (m *mic) open() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cap != nil {
		return nil
	}
	device := m.d.settings.Get().Audio.InputDevice
	c, err := audio.Open(audio.Options{
		Device: device,
		OnLevel: func(l audio.Level) {
			m.d.bus.Publish(event.AudioLevelPayload{RMS: l.RMS, Peak: l.Peak, Device: device})
		},
		OnNotice: func(n audio.Notice) {
			m.d.component("audio").Warn("microphone: "+n.Message, "kind", string(n.Kind))
			m.d.bus.Publish(event.NoticePayload{Level: "warning", Title: "Microphone", Message: n.Message})
			go func() { m.d.bus.Publish(m.service()) }() // a notice at opening comes while open holds the lock
		},
	})
	if err != nil {
		return fmt.Errorf("open the microphone: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cap, m.cancel = c, cancel
	m.d.bus.Publish(m.serviceLocked())
	go func() {
		if err := c.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			m.d.component("audio").Error("microphone stopped", "err", err)
		}
	}()
	return nil
}

// close releases the device between utterances.
func (m *mic) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cap != nil {
		m.cancel()
		m.cap.Close()
		m.cap = nil
		m.d.bus.Publish(m.serviceLocked())
	}
}

// service is the microphone's Dashboard card: open on which device, or closed until an utterance.
func (m *mic) service() event.ServiceStatePayload {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.serviceLocked()
}

func (m *mic) serviceLocked() event.ServiceStatePayload {
	if m.cap == nil {
		return event.ServiceStatePayload{Service: "microphone", State: "stopped", Detail: "closed until you listen (see audio.keep_warm)"}
	}
	st := m.cap.Stats()
	if st.Fallback {
		return event.ServiceStatePayload{Service: "microphone", State: "degraded", Detail: "recording from " + st.Device + " (the chosen device is missing)"}
	}
	return event.ServiceStatePayload{Service: "microphone", State: "ok", Detail: "recording from " + st.Device}
}

// Mark implements pipeline.Source; the microphone is open whenever an utterance can begin.
func (m *mic) Mark() audio.Position {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cap == nil {
		return 0
	}
	return m.cap.Mark()
}

// Stream implements pipeline.Source.
func (m *mic) Stream(ctx context.Context, from audio.Position) <-chan audio.Frame {
	m.mu.Lock()
	c := m.cap
	m.mu.Unlock()
	if c == nil {
		ch := make(chan audio.Frame)
		close(ch) // the pipeline reports "the audio stream ended"
		return ch
	}
	return c.Stream(ctx, from)
}

// newPipeline joins the microphone, the speech server and the utterance history.
func (d *Daemon) newPipeline() *pipeline.Pipeline {
	d.mic = &mic{d: d}
	return pipeline.New(pipeline.Options{
		Source:  d.mic,
		Dial:    d.dialSpeech,
		Publish: d.publishLive,
		Log:     d.log,
		Done:    d.utteranceDone,
	})
}

// publishLive publishes pipeline events, keeps the latest live transcript for `tonnytray listen` and notes
// listening and final text in the app state.
func (d *Daemon) publishLive(e event.Payload) {
	if _, ok := e.(event.ListeningStatePayload); ok {
		d.noteState(e)
	}
	switch p := e.(type) {
	case event.TranscriptUpdatePayload:
		d.liveMu.Lock()
		d.live = p
		d.liveMu.Unlock()
	case event.ListeningStatePayload:
		if p.State == "listening" {
			d.liveMu.Lock()
			d.live = event.TranscriptUpdatePayload{}
			d.liveMu.Unlock()
			if d.settings.Get().Response.BargeIn && d.speaking() {
				d.component("tts").Info("barge-in: Tonny stops talking")
				d.StopSpeaking()
			}
		}
	}
	d.bus.Publish(e)
}

// dialSpeech opens an /asr session on the speech server with the current settings and token, in the active
// profile's language when it has one.
func (d *Daemon) dialSpeech(ctx context.Context) (*whisper.Session, error) {
	token, err := d.speechToken()
	if err != nil {
		return nil, err
	}
	return whisper.Dial(ctx, d.speechDialOptions(token))
}

func (d *Daemon) speechDialOptions(token string) whisper.DialOptions {
	return whisper.DialOptions{URL: whisper.BaseURL(d.settings.Get().Whisper), Token: token, ConfigWait: 3 * time.Second,
		Language: speechLanguage(d.profiles.Active().Language)}
}

// speechLanguage is a profile's language as the speech server takes it: the primary subtag of a BCP 47 tag
// ("de-AT" → "de"); "" leaves the server's own.
func speechLanguage(tag string) string {
	primary, _, _ := strings.Cut(tag, "-")
	return strings.ToLower(strings.TrimSpace(primary))
}

// utteranceDone stores a finished utterance in the history (unless history is off), routes it to dictation or
// Tonny, and releases the mic unless it is kept warm.
func (d *Daemon) utteranceDone(u pipeline.Utterance) {
	if !d.micWanted() {
		d.mic.close()
	}
	log := d.component("pipeline")
	if u.Err != nil {
		d.bus.Publish(event.NoticePayload{Level: "error", Title: "Transcription failed", Message: u.Err.Error()})
	}
	log.Info("utterance finished", "mode", u.Mode, "chars", len(u.Text), "final_ms", u.Timings.Final.Sub(u.Timings.KeyDown).Milliseconds())
	var row *store.Transcription
	if d.keepsHistory() {
		row = d.saveUtterance(u)
	}
	var id *uint
	if row != nil {
		id = &row.ID
	}
	route := d.route(u, id)
	if row != nil && route != pipeline.RouteNone {
		if err := d.store.DB().Model(row).Update("route", string(route)).Error; err != nil {
			log.Error("utterance route not saved", "err", err)
		}
	}
}

// saveUtterance writes the utterance to history (route "none" until it is routed); nil when that failed.
func (d *Daemon) saveUtterance(u pipeline.Utterance) *store.Transcription {
	speakers, _ := json.Marshal(u.Speakers)
	at := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		t = t.UTC()
		return &t
	}
	row := store.Transcription{
		Text: u.Text, Mode: u.Mode, Route: string(pipeline.RouteNone), Language: d.settings.Get().Whisper.Language, Speakers: string(speakers),
		ProfileID: profileID(d.profiles.Active().ID),
		KeyDownAt: at(u.Timings.KeyDown), FirstSampleAt: at(u.Timings.FirstSample), SocketReadyAt: at(u.Timings.SocketReady),
		FirstPartialAt: at(u.Timings.FirstPartial), SpeechEndAt: at(u.Timings.SpeechEnd), FinalAt: at(u.Timings.Final),
	}
	if err := d.store.DB().Create(&row).Error; err != nil {
		d.component("pipeline").Error("utterance not saved to history", "err", err)
		return nil
	}
	return &row
}

// micWanted says whether the microphone stays open between utterances: kept warm, or listening for voice.
func (d *Daemon) micWanted() bool {
	if d.Paused() {
		return false
	}
	a := d.settings.Get().Audio
	return a.KeepWarm || a.Mode == "voice_activation" || a.Mode == "continuous"
}

// applyKeepWarm opens the microphone when it is wanted between utterances, or closes it when it no longer is
// (never under an utterance being captured).
func (d *Daemon) applyKeepWarm() {
	switch {
	case d.micWanted():
		if err := d.mic.open(); err != nil {
			d.component("audio").Warn("cannot keep the microphone warm", "err", err)
		}
	case !d.pipe.Active():
		d.mic.close()
	}
}

// StartListening opens the microphone and begins an utterance (toggle on, push-to-talk press). hint is the
// route the trigger asks for: "" lets the spoken prefix and the settings decide, RouteNone only transcribes.
func (d *Daemon) StartListening(mode string, hint pipeline.Route) error {
	if d.Paused() {
		return ErrPaused
	}
	if mode == "" {
		mode = d.settings.Get().Audio.Mode
	}
	if err := d.mic.open(); err != nil {
		d.bus.Publish(event.NoticePayload{Level: "error", Title: "Microphone", Message: err.Error()})
		return err
	}
	if err := d.pipe.Begin(mode, hint); err != nil {
		return err
	}
	d.component("pipeline").Info("listening", "mode", mode)
	return nil
}

// StopListening ends the utterance in progress; its final text follows as a transcript:final event.
func (d *Daemon) StopListening() error { return d.pipe.End() }

// ToggleListening starts listening, or stops it when an utterance is in progress.
func (d *Daemon) ToggleListening() error {
	if d.pipe.Active() {
		return d.StopListening()
	}
	return d.StartListening("toggle", "")
}

// registerListenControl adds `tonnytray listen --seconds N`: listen for N seconds, answer the final text;
// "live" answers the transcript so far, which the CLI polls meanwhile.
func (d *Daemon) registerListenControl() {
	d.control.Handle("live", func(context.Context, json.RawMessage) (any, error) {
		d.liveMu.Lock()
		defer d.liveMu.Unlock()
		return d.live, nil
	})
	d.control.Handle("listen", func(ctx context.Context, args json.RawMessage) (any, error) {
		var a struct {
			Seconds float64 `json:"seconds"`
		}
		if err := json.Unmarshal(args, &a); err != nil || a.Seconds <= 0 || a.Seconds > 110 {
			return nil, &control.RemoteError{Code: control.CodeBadRequest, Message: "listen: seconds must be between 0 and 110"}
		}
		finals := d.bus.Subscribe(4, event.TranscriptFinal)
		defer finals.Close()
		if err := d.StartListening("toggle", pipeline.RouteNone); err != nil { // only transcribe: the CLI prints the text
			return nil, err
		}
		select {
		case <-time.After(time.Duration(a.Seconds * float64(time.Second))):
		case <-ctx.Done():
		}
		if err := d.StopListening(); err != nil {
			return nil, err
		}
		select {
		case ev := <-finals.C:
			return ev.Payload, nil
		case <-time.After(30 * time.Second):
			return nil, errors.New("no final text within 30 s of the end of listening")
		}
	})
}

// runVoice is the service behind voice activation: while the audio mode is voice_activation or continuous, the
// microphone stays open and every detected speech segment becomes an utterance. A settings change restarts it.
func (d *Daemon) runVoice(ctx context.Context) error {
	for {
		a := d.settings.Get().Audio
		changed := d.bus.Subscribe(1, event.SettingsChanged)
		if (a.Mode == "voice_activation" || a.Mode == "continuous") && !d.Paused() {
			if err := d.mic.open(); err != nil {
				d.bus.Publish(event.NoticePayload{Level: "error", Title: "Voice activation", Message: err.Error()})
			} else {
				vctx, stop := context.WithCancel(ctx)
				go func() {
					select {
					case <-changed.C:
					case <-d.pauseChanged:
					case <-vctx.Done():
					}
					stop()
				}()
				d.component("pipeline").Info("voice activation on", "mode", a.Mode, "vad", a.VADAggressiveness, "silence_ms", a.SilenceMs)
				err := d.pipe.RunVoice(vctx, pipeline.VoiceOptions{Mode: a.Mode, Preroll: time.Duration(a.PrerollMs) * time.Millisecond,
					VAD:   audio.VADOptions{Aggressiveness: a.VADAggressiveness, Silence: time.Duration(a.SilenceMs) * time.Millisecond},
					Muted: d.muted})
				stop()
				changed.Close()
				if err != nil {
					return err // the supervisor restarts the service with backoff, and logs why
				}
				if ctx.Err() != nil {
					return nil
				}
				d.applyKeepWarm() // leaving voice activation closes the mic unless it is kept warm
				continue
			}
		}
		select {
		case <-changed.C:
		case <-d.pauseChanged:
		case <-ctx.Done():
			changed.Close()
			return nil
		}
		changed.Close()
	}
}

// MicTest is the result of "Test microphone" in Settings.
type MicTest struct {
	Device   string   `json:"device"`   // the device that was recorded (the default when the chosen one is missing)
	Seconds  float64  `json:"seconds"`  // how long it listened
	PeakDBFS float64  `json:"peakDbfs"` // the loudest moment
	RMSDBFS  float64  `json:"rmsDbfs"`  // the loudest meter period's average
	Sound    bool     `json:"sound"`    // anything above the noise a working microphone always has
	Notices  []string `json:"notices"`  // fallback, no signal, …
}

// AudioDevices lists the input and output devices for the Settings pickers.
func (d *Daemon) AudioDevices() ([]audio.Device, error) { return audio.Devices() }

// TestMicrophone records from device ("" = default) for a moment and reports how loud it was, so the user
// can see the microphone works before relying on it. It refuses while an utterance is being captured.
func (d *Daemon) TestMicrophone(ctx context.Context, device string, seconds float64) (MicTest, error) {
	if d.pipe.Active() {
		return MicTest{}, errors.New("stop listening before testing the microphone")
	}
	if seconds <= 0 || seconds > 10 {
		seconds = 2
	}
	res := MicTest{Device: device, PeakDBFS: -100, RMSDBFS: -100, Seconds: seconds, Notices: []string{}}
	var mu sync.Mutex
	c, err := audio.Open(audio.Options{
		Device: device,
		OnLevel: func(l audio.Level) {
			mu.Lock()
			res.PeakDBFS, res.RMSDBFS = max(res.PeakDBFS, l.Peak), max(res.RMSDBFS, l.RMS)
			mu.Unlock()
		},
		OnNotice: func(n audio.Notice) {
			mu.Lock()
			res.Notices = append(res.Notices, n.Message)
			mu.Unlock()
		},
	})
	if err != nil {
		return res, fmt.Errorf("open the microphone: %w", err)
	}
	rctx, cancel := context.WithTimeout(ctx, time.Duration(seconds*float64(time.Second)))
	defer cancel()
	_ = c.Run(rctx) // returns when the test time is up, closing the device
	mu.Lock()
	defer mu.Unlock()
	if st := c.Stats(); st.Device != "" {
		res.Device = st.Device
	}
	res.Sound = res.PeakDBFS > -70 // digital silence is -100; any real microphone hisses above -70 dBFS
	d.component("audio").Info("microphone tested", "device", res.Device, "peak_dbfs", res.PeakDBFS, "sound", res.Sound)
	return res, nil
}
