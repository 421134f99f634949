// Package logging is TonnyTray's log/slog set-up: one logger whose records carry a component attribute and
// go, redacted, to the console (text), a rotating file (JSON lines) and the SQLite logs table (batched by a
// background writer that never blocks the caller). Query, Components and Export serve the logs viewer.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"
	"gorm.io/gorm"

	"github.com/tonnytray/tonnytray/backend/event"
)

// ComponentKey is the attribute that names the part of TonnyTray a record comes from ("audio", "n8n", …).
// The database writer stores it in its own column.
const ComponentKey = "component"

// Defaults for Options.
const (
	defaultQueueSize     = 8192
	defaultBatchSize     = 256
	defaultFlushInterval = 200 * time.Millisecond
	defaultFileMaxMB     = 10
	fileMaxBackups       = 5
)

// For returns l with the component attribute set. A nil l means slog.Default().
func For(l *slog.Logger, component string) *slog.Logger {
	if l == nil {
		l = slog.Default()
	}
	return l.With(slog.String(ComponentKey, component))
}

// Options configures New. Every output is optional.
type Options struct {
	// Level is shared with the settings: changing it with Set takes effect at once. Nil means a fresh
	// LevelVar at INFO.
	Level *slog.LevelVar
	// Console receives human-readable text lines; nil means no console output.
	Console io.Writer
	// FilePath is the JSON-lines log file, rotated at 10 MB keeping 5 compressed backups; "" means no file.
	FilePath string
	// DB is the database holding the logs table; nil means no database output (and Run only waits).
	DB *gorm.DB
	// Redactor scrubs every record before any output sees it; nil means a redactor with no known values
	// (URL passwords, bearer tokens and secret-keyed attributes are still redacted).
	Redactor *Redactor
	// OnEntry is called by the database writer for each record after its batch committed, with its ID. It
	// runs on the writer goroutine: keep it quick and non-blocking (event.Bus.Publish is). May be nil.
	OnEntry func(event.LogAppendedPayload)
	// QueueSize bounds the records waiting for the database writer (default 8192); beyond it records are
	// dropped and counted, never waited for.
	QueueSize int
	// BatchSize is the most records written in one transaction (default 256).
	BatchSize int
	// FlushInterval is the longest a record waits in a partial batch (default 200 ms).
	FlushInterval time.Duration

	// fileMaxMB overrides the 10 MB rotation size; tests use it to rotate quickly.
	fileMaxMB int
}

// Logging owns the handlers, the log file and the database writer queue.
type Logging struct {
	logger *slog.Logger
	level  *slog.LevelVar
	file   *fileSink // nil without a file

	// side reaches the console and file only: the writer reports its own failures there, since writing
	// them to the database it failed to write to would loop.
	side *slog.Logger

	db            *gorm.DB
	queue         chan queued
	batchSize     int
	flushInterval time.Duration
	onEntry       func(event.LogAppendedPayload)
	running       atomic.Bool

	dropped atomic.Uint64 // queue full
	failed  atomic.Uint64 // batch could not be written
	written atomic.Uint64 // committed to the database
}

// New builds the handlers. With a DB, start Run to drain the queue; call Close when done to close the file.
func New(o Options) (*Logging, error) {
	if o.Level == nil {
		o.Level = new(slog.LevelVar)
	}
	if o.Redactor == nil {
		o.Redactor = NewRedactor()
	}
	if o.QueueSize <= 0 {
		o.QueueSize = defaultQueueSize
	}
	if o.BatchSize <= 0 {
		o.BatchSize = defaultBatchSize
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = defaultFlushInterval
	}
	if o.fileMaxMB <= 0 {
		o.fileMaxMB = defaultFileMaxMB
	}
	l := &Logging{
		level:         o.Level,
		db:            o.DB,
		batchSize:     o.BatchSize,
		flushInterval: o.FlushInterval,
		onEntry:       o.OnEntry,
	}

	var side []slog.Handler
	if o.Console != nil {
		side = append(side, slog.NewTextHandler(o.Console, &slog.HandlerOptions{Level: o.Level}))
	}
	if o.FilePath != "" {
		f, err := openFile(o.FilePath, o.fileMaxMB)
		if err != nil {
			return nil, err
		}
		l.file = f
		side = append(side, slog.NewJSONHandler(f, &slog.HandlerOptions{Level: o.Level, ReplaceAttr: utcTime}))
	}
	all := side
	if o.DB != nil {
		l.queue = make(chan queued, o.QueueSize)
		all = append(all[:len(all):len(all)], &dbHandler{l: l})
	}
	l.side = slog.New(&redactHandler{next: fanOut(side), red: o.Redactor}).With(slog.String(ComponentKey, "logging"))
	l.logger = slog.New(&redactHandler{next: fanOut(all), red: o.Redactor})
	return l, nil
}

func fanOut(hs []slog.Handler) slog.Handler {
	switch len(hs) {
	case 0:
		return slog.DiscardHandler
	case 1:
		return hs[0]
	default:
		return slog.NewMultiHandler(hs...)
	}
}

// utcTime writes the file's record times in UTC, like the database.
func utcTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey && a.Value.Kind() == slog.KindTime {
		a.Value = slog.TimeValue(a.Value.Time().UTC())
	}
	return a
}

// Logger returns the root logger. Use For to give it a component.
func (l *Logging) Logger() *slog.Logger { return l.logger }

// Dropped is the number of records the database writer never saw because its queue was full.
func (l *Logging) Dropped() uint64 { return l.dropped.Load() }

// Failed is the number of records lost because their batch could not be written to the database.
func (l *Logging) Failed() uint64 { return l.failed.Load() }

// Close closes the log file. Records logged afterwards still reach the console and the queue, not the
// file. Calling it again returns nil.
func (l *Logging) Close() error {
	if l.file == nil {
		return nil
	}
	return l.file.Close()
}

// fileSink is the rotating log file. It refuses writes after Close, because lumberjack would quietly
// reopen the file on the next write.
type fileSink struct {
	mu     sync.Mutex
	lj     *lumberjack.Logger
	closed bool
}

func openFile(path string, maxMB int) (*fileSink, error) {
	lj := &lumberjack.Logger{Filename: path, MaxSize: maxMB, MaxBackups: fileMaxBackups, Compress: true}
	// An empty write opens the file now, so a bad path fails New instead of every later log call.
	if _, err := lj.Write(nil); err != nil {
		return nil, fmt.Errorf("open log file: %w", err)
	}
	return &fileSink{lj: lj}, nil
}

func (f *fileSink) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, os.ErrClosed
	}
	return f.lj.Write(p)
}

func (f *fileSink) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	if err := f.lj.Close(); err != nil {
		return fmt.Errorf("close log file: %w", err)
	}
	return nil
}
