package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/tonnytray/tonnytray/backend/store"
)

const (
	// drainTimeout bounds the final flush after Run's context ends, so shutdown cannot hang on the database.
	drainTimeout = 2 * time.Second
	// insertChunk keeps one INSERT's bound parameters (6 per row) far below SQLite's limit whatever BatchSize is.
	insertChunk = 500
)

// queued is one record waiting for the writer, with the handler that holds its WithAttrs/WithGroup state.
type queued struct {
	r slog.Record
	h *dbHandler
}

// kv is one flattened attribute.
type kv struct{ k, v string }

// dbHandler hands records to the writer's queue. Flattening and encoding happen on the writer goroutine:
// the caller pays for a clone and a channel send, and a full queue costs it nothing but a counter.
type dbHandler struct {
	l         *Logging
	component string
	attrs     []kv   // from WithAttrs, flattened
	prefix    string // open groups, "a.b."
}

func (h *dbHandler) Enabled(_ context.Context, lv slog.Level) bool { return lv >= h.l.level.Level() }

func (h *dbHandler) Handle(_ context.Context, r slog.Record) error {
	select {
	case h.l.queue <- queued{r: r.Clone(), h: h}:
	default:
		h.l.dropped.Add(1)
	}
	return nil
}

func (h *dbHandler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	n := *h
	n.attrs = slices.Clip(h.attrs) // the next append copies; loggers sharing h keep their attributes
	for _, a := range as {
		flatten(h.prefix, a, &n.component, func(k, v string) { n.attrs = append(n.attrs, kv{k, v}) })
	}
	return &n
}

func (h *dbHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	n := *h
	n.prefix = h.prefix + name + "."
	return &n
}

// flatten emits a's leaves with dotted keys, following slog's rules (empty groups vanish, an empty group
// key inlines its members, an empty key drops the attribute). A top-level component attribute goes to
// *component instead.
func flatten(prefix string, a slog.Attr, component *string, emit func(k, v string)) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p = prefix + a.Key + "."
		}
		for _, ga := range v.Group() {
			flatten(p, ga, component, emit)
		}
		return
	}
	switch {
	case a.Key == "":
	case prefix == "" && a.Key == ComponentKey:
		*component = v.String()
	default:
		emit(prefix+a.Key, valueString(v))
	}
}

func valueString(v slog.Value) string {
	if v.Kind() == slog.KindTime {
		return v.Time().UTC().Format(time.RFC3339Nano)
	}
	return v.String()
}

// Run is the database writer service. It drains the queue in batches of up to BatchSize records, one
// transaction per batch, writing a partial batch after FlushInterval. When ctx ends it writes what is
// queued, for at most 2 s, and returns nil. Without a DB it only waits for ctx.
func (l *Logging) Run(ctx context.Context) error {
	if l.db == nil {
		<-ctx.Done()
		return nil
	}
	if !l.running.CompareAndSwap(false, true) {
		return errors.New("log writer: already running")
	}
	defer l.running.Store(false)

	w := newWriter(l)
	timer := time.NewTimer(l.flushInterval)
	timer.Stop()
	var due <-chan time.Time // armed while a partial batch waits
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			w.drain(ctx)
			return nil
		case q := <-l.queue:
			if len(w.entries) == 0 {
				timer.Reset(l.flushInterval)
				due = timer.C
			}
			w.add(q)
			w.fill()
			if len(w.entries) < l.batchSize {
				continue
			}
		case <-due:
		}
		timer.Stop()
		due = nil
		w.flush(ctx)
		if ctx.Err() != nil { // the write was cut short; drain retries it
			w.drain(ctx)
			return nil
		}
	}
}

// writer is Run's state; it lives on the writer goroutine only.
type writer struct {
	l       *Logging
	entries []store.LogEntry
	attrs   []map[string]string
	buf     bytes.Buffer
	enc     *json.Encoder
	failing bool   // the last batch failed; report the next success
	lost    uint64 // records lost since failing began
}

func newWriter(l *Logging) *writer {
	w := &writer{l: l}
	w.enc = json.NewEncoder(&w.buf)
	w.enc.SetEscapeHTML(false) // keep "<", ">" and "&" searchable as themselves
	return w
}

// fill takes what is already queued, without waiting, up to a full batch.
func (w *writer) fill() {
	for len(w.entries) < w.l.batchSize {
		select {
		case q := <-w.l.queue:
			w.add(q)
		default:
			return
		}
	}
}

// add converts a queued record to a row.
func (w *writer) add(q queued) {
	component := q.h.component
	attrs := make(map[string]string, len(q.h.attrs)+q.r.NumAttrs())
	for _, a := range q.h.attrs {
		attrs[a.k] = a.v
	}
	put := func(k, v string) { attrs[k] = v }
	q.r.Attrs(func(a slog.Attr) bool {
		flatten(q.h.prefix, a, &component, put)
		return true
	})
	t := q.r.Time
	if t.IsZero() {
		t = time.Now()
	}
	w.buf.Reset()
	js := "{}"
	if len(attrs) > 0 {
		if err := w.enc.Encode(attrs); err == nil { // a map of strings always encodes
			js = string(bytes.TrimSuffix(w.buf.Bytes(), []byte{'\n'}))
		}
	}
	w.entries = append(w.entries, store.LogEntry{
		Time: t.UTC(), Level: int(q.r.Level), Component: component, Message: q.r.Message, Attrs: js,
	})
	w.attrs = append(w.attrs, attrs)
}

// flush writes the batch. If ctx ended during the write the batch is kept for drain; any other failure
// (after one retry, e.g. for a busy timeout) loses the batch, counts it and reports it on the console/file.
func (w *writer) flush(ctx context.Context) {
	if len(w.entries) == 0 {
		return
	}
	err := w.write(ctx)
	if err != nil && ctx.Err() == nil {
		err = w.write(ctx)
	}
	if err != nil && ctx.Err() != nil {
		return
	}
	n := uint64(len(w.entries))
	if err != nil {
		w.l.failed.Add(n)
		w.lost += n
		if !w.failing {
			w.failing = true
			w.l.side.Error("log records not written to the database", "records", n, "error", err)
		}
	} else {
		w.l.written.Add(n)
		if w.failing {
			w.failing = false
			w.l.side.Warn("log records written to the database again", "lost", w.lost)
			w.lost = 0
		}
		if w.l.onEntry != nil {
			for i, e := range w.entries {
				w.l.onEntry(toEntry(e, w.attrs[i]))
			}
		}
	}
	w.reset()
}

func (w *writer) write(ctx context.Context) error {
	for i := range w.entries {
		w.entries[i].ID = 0 // a failed attempt may have assigned some
	}
	err := w.l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.CreateInBatches(&w.entries, insertChunk).Error
	})
	if err != nil {
		return fmt.Errorf("write log batch: %w", err)
	}
	return nil
}

func (w *writer) reset() {
	clear(w.attrs) // let the maps go
	w.entries, w.attrs = w.entries[:0], w.attrs[:0]
}

// drain writes the records queued when Run's context ended (not ones logged later: a busy logger must not
// keep shutdown waiting) within drainTimeout; what is left then is counted as failed.
func (w *writer) drain(ctx context.Context) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainTimeout)
	defer cancel()
	left := len(w.l.queue)
	for {
		for ; left > 0 && len(w.entries) < w.l.batchSize; left-- {
			w.add(<-w.l.queue)
		}
		if len(w.entries) == 0 {
			return
		}
		w.flush(dctx)
		if dctx.Err() != nil {
			w.l.failed.Add(uint64(len(w.entries) + left))
			w.reset()
			for ; left > 0; left-- {
				<-w.l.queue
			}
			return
		}
	}
}
