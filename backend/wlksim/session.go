package wlksim

import (
	"bytes"
	"fmt"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// sessionParams are the per-connection query parameters.
type sessionParams struct {
	language  string // effective: ?language= or the server's
	requested string // ?language= as sent, "" if absent
	mode      string
}

type eventKind int

const (
	evStop   eventKind = iota // empty binary frame, the recognizer is flushed
	evFailed                  // ffmpeg mode: the input cannot be decoded
	evText                    // a text frame: the session ends
)

// session is one /asr connection. The run goroutine is the only writer; the
// reader goroutine owns reading and feeds the recognizer under mu.
type session struct {
	s      *Server
	conn   *websocket.Conn
	params sessionParams
	wire   wire

	mu  sync.Mutex
	rec *recognizer

	events     chan eventKind
	readerDone chan struct{}
	last       []byte
	diff       *diffTracker
}

func newSession(s *Server, conn *websocket.Conn, p sessionParams) *session {
	ss := &session{
		s:      s,
		conn:   conn,
		params: p,
		wire: wire{f: s.feat, language: p.language,
			detected: orDefault(s.cfg.DetectedLanguage, DefaultDetectedLanguage)},
		rec:        newRecognizer(s.cfg),
		events:     make(chan eventKind, 4), // at most one of each kind is sent
		readerDone: make(chan struct{}),
	}
	if s.feat.v020 && p.mode == "diff" {
		ss.diff = &diffTracker{}
	}
	return ss
}

func (ss *session) send(o obj) error {
	_ = ss.conn.SetWriteDeadline(time.Now().Add(writeWait))
	if err := ss.conn.WriteMessage(websocket.TextMessage, marshal(o)); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// closeWith sends a close frame, waits (bounded) for the reader to see the
// peer's answer, then closes the connection.
func (ss *session) closeWith(code int, reason string) {
	_ = ss.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason),
		time.Now().Add(closeWait))
	t := time.NewTimer(closeWait)
	defer t.Stop()
	select {
	case <-ss.readerDone:
	case <-t.C:
	}
	_ = ss.conn.Close()
}

func (ss *session) run() {
	cfg := ss.s.cfg
	if cfg.HangAfterConnect {
		ss.hang()
		return
	}
	go ss.read()
	defer func() {
		_ = ss.conn.Close()
		<-ss.readerDone // the closed connection ends the reader
	}()

	if cfg.ErrorOnConnect != "" || (ss.s.feat.sessionErrors && !ss.s.languageSupported(ss.params.requested)) {
		msg := cfg.ErrorOnConnect
		if msg == "" {
			msg = fmt.Sprintf("Unsupported language: %s", ss.params.requested)
		}
		_ = ss.send(obj{{"type", "error"}, {"error", msg}})
		ss.s.logf("WARNING:  WebSocket rejected: %s", msg)
		ss.closeWith(4400, "invalid session parameters")
		return
	}
	if ss.s.feat.configMsg {
		c := obj{{"type", "config"}, {"useAudioWorklet", cfg.PCMInput}}
		if ss.s.feat.v020 {
			c = append(c, kv{"mode", ss.params.mode})
		}
		if ss.send(c) != nil {
			return
		}
	}
	stopped := false
	if cfg.FFmpegMissing && !cfg.PCMInput {
		// create_tasks returns a one-shot error generator; then ready_to_stop.
		if ss.sendState(ss.wire.errorUpdate("FFmpeg failed to start. Please check that FFmpeg is installed."), true) != nil ||
			ss.readyToStop() != nil {
			return
		}
		stopped = true
	} else if ss.push(true) != nil { // the first update is always sent
		return
	}

	tick := time.NewTicker(cfg.tick())
	defer tick.Stop()
	for {
		var err error
		select {
		case <-ss.s.crashed:
			return // Crash already cut the connection
		case <-ss.s.closing:
			ss.closeWith(websocket.CloseServiceRestart, "")
			return
		case <-ss.readerDone:
			return
		case ev := <-ss.events:
			switch ev {
			case evText:
				ss.closeWith(websocket.CloseNormalClosure, "")
				return
			case evFailed:
				if !stopped {
					err = ss.sendState(ss.wire.errorUpdate("FFmpeg error: write_error"), true)
				}
			case evStop:
				if !stopped {
					stopped = true
					if err = ss.push(false); err == nil {
						err = ss.readyToStop()
					}
				}
			}
		case <-tick.C:
			if !stopped {
				err = ss.push(false)
			}
		}
		if err != nil {
			return
		}
	}
}

func (ss *session) readyToStop() error {
	if !ss.s.feat.readyToStop {
		return nil // before 0.1.6 the stream just went quiet
	}
	return ss.send(obj{{"type", "ready_to_stop"}})
}

// push sends the current state if it differs from the last one sent.
func (ss *session) push(force bool) error {
	ss.mu.Lock()
	snap := ss.rec.snapshot(time.Now(), ss.s.feat.liveSilence)
	ss.mu.Unlock()
	return ss.sendState(ss.wire.update(snap, ss.s.cfg.Lag.Seconds()), force)
}

func (ss *session) sendState(full obj, force bool) error {
	enc := marshal(full)
	if !force && bytes.Equal(enc, ss.last) {
		return nil
	}
	ss.last = enc
	if ss.diff != nil {
		return ss.send(ss.diff.message(full))
	}
	return ss.send(full)
}

// read consumes frames until the connection fails or closes.
func (ss *session) read() {
	defer close(ss.readerDone)
	cfg := ss.s.cfg
	dec := newInputDecoder(cfg.PCMInput)
	stopping := cfg.FFmpegMissing && !cfg.PCMInput
	var received int64
	ending := false // each event is sent at most once, so events never blocks
	for {
		mt, data, err := ss.conn.ReadMessage()
		if err != nil {
			return
		}
		if ending {
			continue
		}
		if mt == websocket.TextMessage {
			// receive_bytes() raises KeyError('bytes'): the session is torn down.
			ending = true
			ss.events <- evText
			continue // keep reading so the close handshake completes
		}
		if len(data) == 0 {
			if !stopping {
				stopping = true
				ss.mu.Lock()
				ss.rec.flush(time.Now())
				ss.mu.Unlock()
				ss.events <- evStop
			}
			continue
		}
		if stopping {
			continue // "AudioProcessor is stopping. Ignoring incoming audio."
		}
		ss.s.addAudio(len(data))
		received += int64(len(data))
		if cfg.DropAfterBytes > 0 && received >= cfg.DropAfterBytes {
			_ = ss.conn.NetConn().Close() // abrupt: no close frame
			return
		}
		pcm, failed := dec.decode(data)
		if failed {
			ss.events <- evFailed
		}
		if len(pcm) > 0 {
			ss.mu.Lock()
			ss.rec.feed(pcm, time.Now())
			ss.mu.Unlock()
		}
	}
}

// hang accepts the socket and then never writes: no pong, no close reply.
func (ss *session) hang() {
	ss.conn.SetPingHandler(func(string) error { return nil })
	ss.conn.SetCloseHandler(func(int, string) error { return nil })
	go func() {
		defer close(ss.readerDone)
		for {
			if _, _, err := ss.conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	select {
	case <-ss.s.crashed:
	case <-ss.s.closing:
	case <-ss.readerDone:
	}
	_ = ss.conn.NetConn().Close()
	<-ss.readerDone
}
