// Command wlksim runs a simulated WhisperLiveKit server (package
// backend/wlksim) as a process, for supervisor tests: it takes the real
// server's flags where they overlap, logs to stderr like uvicorn, and can be
// told to load slowly, crash, hang or ignore SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tonnytray/tonnytray/backend/wlksim"
)

const defaultScript = "Hello, this is a test of the system."

// options are the flags that shape the process rather than the server.
type options struct {
	host, port      string
	startupDelay    time.Duration
	exitCode        int
	crashOnStart    bool
	ignoreSIGTERM   bool
	model, language string
	backend, policy string
	warmupFile      string
	warmupSet       bool
}

func main() {
	os.Exit(run(os.Args[1:], os.Stderr, os.Getenv))
}

// parseFlags maps the command line onto options and a server Config.
// Flag errors exit with 2, like argparse.
func parseFlags(args []string, stderr io.Writer, getenv func(string) string) (options, wlksim.Config, error) {
	var (
		o                  options
		cfg                wlksim.Config
		script             string
		pauseSeconds       float64
		port               int
		logLevel           string
		disableFastEncoder bool
		exitAfter, latency time.Duration
		commitDelay, lag   time.Duration
		wordDuration       time.Duration
		crashAfterSessions int
		dropAfterBytes     int64
		errorOnConnect     string
		hangAfterConnect   bool
		neverReady, ffmpeg bool
		pcmInput           bool
		apiToken, version  string
		supportedLanguages string
	)
	fs := flag.NewFlagSet("wlksim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	// Flags of the real whisperlivekit-server.
	fs.StringVar(&o.host, "host", "127.0.0.1", "bind address (loopback unless told otherwise)")
	fs.IntVar(&port, "port", 8000, "bind port (0: any free port, printed in the start-up log)")
	fs.StringVar(&o.model, "model", "base", "Whisper model size (echoed, and used by /v1/models)")
	fs.StringVar(&o.language, "language", "auto", "source language or auto")
	fs.StringVar(&o.language, "lan", "auto", "alias of --language")
	fs.BoolVar(&pcmInput, "pcm-input", false, "expect raw s16le 16 kHz mono PCM (config.useAudioWorklet=true)")
	fs.StringVar(&apiToken, "api-token", "", "require this token on /asr (default $WLK_API_TOKEN)")
	fs.StringVar(&o.warmupFile, "warmup-file", "", "warm-up audio (accepted and echoed)")
	fs.StringVar(&o.backend, "backend", "auto", "ASR backend (echoed, reported by /health)")
	fs.StringVar(&o.policy, "backend-policy", "simulstreaming", "streaming policy (echoed)")
	fs.BoolVar(&disableFastEncoder, "disable-fast-encoder", false, "accepted, no effect")
	fs.Float64Var(&pauseSeconds, "pause-segmentation-seconds", 5, "pause that becomes a silence line (0: off)")
	fs.StringVar(&logLevel, "log-level", "INFO", "accepted and unused, as in the real server")
	// Simulator flags.
	fs.StringVar(&version, "version", wlksim.LatestVersion, "WhisperLiveKit version to emulate (e.g. 0.2.8, 0.2.19)")
	fs.StringVar(&script, "script", defaultScript, "transcript to recognise: a file (one utterance per line) or the text itself")
	fs.DurationVar(&wordDuration, "word-duration", wlksim.DefaultWordDuration, "voiced audio per recognised word")
	fs.DurationVar(&latency, "latency", 300*time.Millisecond, "delay before a heard word shows in buffer_transcription")
	fs.DurationVar(&commitDelay, "commit-delay", time.Second, "further delay before a word moves into lines")
	fs.DurationVar(&lag, "lag", 300*time.Millisecond, "remaining_time_transcription while audio flows")
	fs.StringVar(&supportedLanguages, "supported-languages", "", "comma-separated ?language= values accepted (v0.2.25+; empty: all)")
	fs.DurationVar(&o.startupDelay, "startup-delay", 0, "sleep before the port opens (model loading)")
	fs.DurationVar(&exitAfter, "exit-after", 0, "crash this long after the port opened")
	fs.IntVar(&crashAfterSessions, "crash-after-sessions", 0, "crash once this many /asr sessions ended")
	fs.IntVar(&o.exitCode, "exit-code", 1, "exit status of a crash")
	fs.BoolVar(&o.crashOnStart, "crash-on-start", false, "print a traceback and exit before the port opens")
	fs.BoolVar(&o.ignoreSIGTERM, "ignore-sigterm", false, "log SIGTERM and keep running")
	fs.BoolVar(&neverReady, "never-ready", false, "open the port but answer everything with 503")
	fs.BoolVar(&hangAfterConnect, "hang-after-connect", false, "accept /asr sockets and never send")
	fs.Int64Var(&dropAfterBytes, "drop-after-bytes", 0, "cut a session after this many audio bytes")
	fs.StringVar(&errorOnConnect, "error-on-connect", "", "answer every session with this error and close 4400")
	fs.BoolVar(&ffmpeg, "ffmpeg-missing", false, "without --pcm-input: report that FFmpeg failed to start")
	if err := fs.Parse(args); err != nil {
		return o, cfg, err
	}
	if fs.NArg() > 0 {
		return o, cfg, fmt.Errorf("unrecognized arguments: %v", fs.Args())
	}
	fs.Visit(func(f *flag.Flag) { o.warmupSet = o.warmupSet || f.Name == "warmup-file" })
	if apiToken == "" {
		apiToken = getenv("WLK_API_TOKEN")
	}
	o.port = strconv.Itoa(port)

	utterances, err := loadScript(script)
	if err != nil {
		return o, cfg, err
	}
	pause := time.Duration(pauseSeconds * float64(time.Second))
	if pauseSeconds <= 0 {
		pause = -1
	}
	cfg = wlksim.Config{
		Version: version, PCMInput: pcmInput, Backend: o.backend, Model: o.model, Language: o.language,
		APIToken: apiToken, Script: utterances, WordDuration: wordDuration, Latency: latency,
		CommitDelay: commitDelay, Lag: lag, PauseSegmentation: pause, NeverReady: neverReady,
		CrashAfter: exitAfter, CrashAfterSessions: crashAfterSessions, HangAfterConnect: hangAfterConnect,
		DropAfterBytes: dropAfterBytes, ErrorOnConnect: errorOnConnect, FFmpegMissing: ffmpeg,
	}
	if supportedLanguages != "" {
		cfg.SupportedLanguages = strings.FieldsFunc(supportedLanguages, func(r rune) bool { return r == ',' })
	}
	if err := cfg.Validate(); err != nil {
		return o, cfg, err
	}
	return o, cfg, nil
}

// loadScript reads --script as a file when one exists by that name, else as text.
func loadScript(arg string) ([]string, error) {
	if st, err := os.Stat(arg); err == nil && st.Mode().IsRegular() {
		b, err := os.ReadFile(arg)
		if err != nil {
			return nil, fmt.Errorf("read script: %w", err)
		}
		return wlksim.ParseScript(string(b)), nil
	}
	return wlksim.ParseScript(arg), nil
}

func run(args []string, stderr io.Writer, getenv func(string) string) int {
	o, cfg, err := parseFlags(args, stderr, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "wlksim: error: %v\n", err)
		return 2
	}
	logger := log.New(stderr, "", 0) // safe for concurrent use
	cfg.Logf = logger.Printf
	token := "none"
	if cfg.APIToken != "" {
		token = "set" // never the value
	}
	warmup := "default"
	if o.warmupSet {
		warmup = strconv.Quote(o.warmupFile)
	}
	logger.Printf("INFO:     wlksim: simulated WhisperLiveKit %s: model=%s language=%s backend=%s backend-policy=%s pcm-input=%t warmup-file=%s api-token=%s",
		orLatest(cfg.Version), o.model, o.language, o.backend, o.policy, cfg.PCMInput, warmup, token)

	ctx, cancel := context.WithCancel(context.Background())
	sigc := make(chan os.Signal, 4)
	signal.Notify(sigc, syscall.SIGTERM, syscall.SIGINT)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		watchSignals(ctx, sigc, o.ignoreSIGTERM, logger, cancel)
	}()
	defer func() {
		signal.Stop(sigc)
		cancel()
		<-watched
	}()

	pid := os.Getpid()
	logger.Printf("INFO:     Started server process [%d]", pid)
	logger.Printf("INFO:     Waiting for application startup.")
	if o.startupDelay > 0 {
		logger.Printf("INFO:     Loading Whisper %s model (simulated, %v)…", o.model, o.startupDelay)
		t := time.NewTimer(o.startupDelay)
		select {
		case <-ctx.Done():
			t.Stop()
			logger.Printf("INFO:     Finished server process [%d]", pid)
			return 0
		case <-t.C:
		}
	}
	if o.crashOnStart {
		printTraceback(logger)
		return o.exitCode
	}
	logger.Printf("INFO:     Application startup complete.")

	addr := net.JoinHostPort(o.host, o.port)
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		logger.Printf("ERROR:    error while attempting to bind on address (%s): %v", addr, err)
		return 1
	}
	logger.Printf("INFO:     Uvicorn running on http://%s (Press CTRL+C to quit)", ln.Addr())

	srv := wlksim.New(cfg)
	switch err := srv.Serve(ctx, ln); {
	case errors.Is(err, wlksim.ErrCrashed):
		logger.Printf("ERROR:    wlksim: simulated crash, exiting with status %d", o.exitCode)
		return o.exitCode
	case err != nil:
		logger.Printf("ERROR:    %v", err)
		return 1
	}
	logger.Printf("INFO:     Waiting for application shutdown.")
	logger.Printf("INFO:     Application shutdown complete.")
	logger.Printf("INFO:     Finished server process [%d]", pid)
	return 0
}

func orLatest(v string) string {
	if v == "" {
		return wlksim.LatestVersion
	}
	return v
}

// watchSignals turns SIGTERM/SIGINT into a graceful shutdown, unless SIGTERM
// is to be ignored (to exercise a supervisor's SIGKILL fallback).
func watchSignals(ctx context.Context, sigc <-chan os.Signal, ignoreTERM bool, logger *log.Logger, cancel context.CancelFunc) {
	for {
		select {
		case <-ctx.Done():
			return
		case sig := <-sigc:
			if sig == syscall.SIGTERM && ignoreTERM {
				logger.Printf("WARNING:  wlksim: received SIGTERM, ignoring it (--ignore-sigterm)")
				continue
			}
			logger.Printf("INFO:     Shutting down")
			cancel()
			return
		}
	}
}

// printTraceback imitates a model that fails to load during the lifespan.
func printTraceback(logger *log.Logger) {
	for _, l := range []string{
		"ERROR:    Traceback (most recent call last):",
		`  File "starlette/routing.py", line 694, in lifespan`,
		"    async with self.lifespan_context(app) as maybe_state:",
		`  File "whisperlivekit/basic_server.py", line 45, in lifespan`,
		"    transcription_engine = TranscriptionEngine(config=config)",
		"RuntimeError: simulated model load failure (wlksim --crash-on-start)",
		"",
		"ERROR:    Application startup failed. Exiting.",
	} {
		logger.Print(l)
	}
}
