package main

import (
	"context"
	"log/slog"
	"os"
	"sync/atomic"
)

// wailsLogger sends Wails' own log lines through slog with component "wails": to the console until the
// backend runs, then through the backend's handlers (console, file, database) like everything else.
type wailsLogger struct{ l atomic.Pointer[slog.Logger] }

func newWailsLogger() *wailsLogger {
	w := &wailsLogger{}
	w.use(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})).With("component", "wails"))
	return w
}

// use switches the destination, e.g. to the backend's logger once it has started.
func (w *wailsLogger) use(l *slog.Logger) { w.l.Store(l) }

func (w *wailsLogger) log(level slog.Level, msg string) {
	w.l.Load().Log(context.Background(), level, msg)
}

func (w *wailsLogger) Print(m string)   { w.log(slog.LevelInfo, m) }
func (w *wailsLogger) Trace(m string)   { w.log(slog.LevelDebug-4, m) }
func (w *wailsLogger) Debug(m string)   { w.log(slog.LevelDebug, m) }
func (w *wailsLogger) Info(m string)    { w.log(slog.LevelInfo, m) }
func (w *wailsLogger) Warning(m string) { w.log(slog.LevelWarn, m) }
func (w *wailsLogger) Error(m string)   { w.log(slog.LevelError, m) }
func (w *wailsLogger) Fatal(m string)   { w.log(slog.LevelError+4, m); os.Exit(1) }
