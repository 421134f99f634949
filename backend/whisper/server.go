package whisper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tonnytray/tonnytray/backend/settings"
	"github.com/tonnytray/tonnytray/backend/supervisor"
)

// Name is the supervised service's name, also the log component of the server's own output.
const Name = "whisper-server"

// ServerOptions configure a Server.
type ServerOptions struct {
	Settings func() settings.WhisperSettings // read at every start, so changes apply on restart
	Token    func() (string, error)          // the API token from the keychain; "" when none is set
	Log      *slog.Logger                    // TonnyTray's logger; the server's own lines use component whisper-server
	OnState  func(ServerState)               // every state change, for the UI
	HTTP     *http.Client                    // for readiness probes; default has a short timeout
	Env      []string                        // the child's base environment; default os.Environ()
	Runner   Runner                          // runs version probes; default os/exec
	// StopGrace is how long a stopping server may take after SIGTERM before SIGKILL; 0 = 5 s.
	StopGrace time.Duration
	// Supervisor internals, replaced in tests.
	Clock   supervisor.Clock
	Spawner supervisor.Spawner
}

// ServerState is the speech server's state as the Dashboard and `tonnytray server status` show it.
type ServerState struct {
	supervisor.Status
	Managed  bool     `json:"managed"`
	Address  string   `json:"address"`
	Model    string   `json:"model"`
	Version  string   `json:"version"`
	Warnings []string `json:"warnings"`
}

// Server starts, watches and stops the local WhisperLiveKit server, or adopts one that already runs.
type Server struct {
	o   ServerOptions
	sup *supervisor.Supervisor

	mu       sync.Mutex
	probed   map[string]Features // by command line, so a restart doesn't re-import torch just to ask
	features Features
	warnings []string
}

// ErrNotManaged is returned when the settings say someone else runs the server and nothing answers.
var ErrNotManaged = errors.New("the speech server is set as external (not started by TonnyTray)")

// NewServer returns a Server; call Serve to run it.
func NewServer(o ServerOptions) *Server {
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 2 * time.Second}
	}
	if o.Env == nil {
		o.Env = os.Environ()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{o: o, probed: map[string]Features{}}
	cur := o.Settings()
	s.sup = supervisor.New(supervisor.Spec{
		Name:           Name,
		AutoStart:      true,
		Command:        s.command,
		Ready:          s.ready,
		ReadyTimeout:   time.Duration(cur.StartupTimeoutS) * time.Second,
		Adopt:          s.adopt,
		HealthInterval: 5 * time.Second,
		OnLine:         s.line,
		OnState:        func(st supervisor.Status) { s.publish(st) },
		StopGrace:      o.StopGrace,
		Clock:          o.Clock,
		Spawner:        o.Spawner,
	})
	return s
}

// Serve runs the supervisor until ctx is done, then stops a server it started (never an adopted one).
func (s *Server) Serve(ctx context.Context) error { return s.sup.Serve(ctx) }

// Start starts the server (or adopts a running one).
func (s *Server) Start() { s.sup.Start() }

// Stop stops a server TonnyTray started; it stays stopped until Start.
func (s *Server) Stop() { s.sup.Stop() }

// Restart stops and starts the server, e.g. after its settings changed.
func (s *Server) Restart() { s.sup.Restart() }

// Wait waits until the state satisfies ok or ctx ends.
func (s *Server) Wait(ctx context.Context, ok func(ServerState) bool) (ServerState, error) {
	st, err := s.sup.Wait(ctx, func(st supervisor.Status) bool { return ok(s.stateOf(st)) })
	return s.stateOf(st), err
}

// State is the current state.
func (s *Server) State() ServerState { return s.stateOf(s.sup.Status()) }

func (s *Server) stateOf(st supervisor.Status) ServerState {
	cur := s.o.Settings()
	s.mu.Lock()
	defer s.mu.Unlock()
	return ServerState{
		Status:   st,
		Managed:  cur.Managed,
		Address:  BaseURL(cur),
		Model:    cur.Model,
		Version:  s.features.Version,
		Warnings: append([]string{}, s.warnings...),
	}
}

func (s *Server) publish(st supervisor.Status) {
	state := s.stateOf(st)
	log := s.o.Log.With("component", "supervisor", "service", Name)
	switch st.State {
	case supervisor.Failed:
		log.Error("speech server failed", "reason", st.Reason)
	case supervisor.Backoff:
		log.Warn("speech server stopped unexpectedly; restarting", "restarts", st.Restarts, "next_try", st.NextTry.Format(time.RFC3339), "err", st.LastError)
	case supervisor.Running:
		log.Info("speech server ready", "pid", st.PID, "external", st.External, "address", state.Address)
	default:
		log.Info("speech server "+string(st.State), "pid", st.PID)
	}
	if s.o.OnState != nil {
		s.o.OnState(state)
	}
}

// command builds the command line for this start from the current settings.
func (s *Server) command(ctx context.Context) (supervisor.Command, error) {
	cur := s.o.Settings()
	if !cur.Managed {
		return supervisor.Command{}, fmt.Errorf("%w, and nothing answers at %s", ErrNotManaged, BaseURL(cur))
	}
	f := s.featuresFor(ctx, Argv(cur))
	token := ""
	if s.o.Token != nil {
		t, err := s.o.Token()
		if err != nil {
			return supervisor.Command{}, fmt.Errorf("read the speech server's API token: %w", err)
		}
		token = t
	}
	l, err := BuildCommand(cur, f, token, s.o.Env)
	if err != nil {
		return supervisor.Command{}, err
	}
	s.mu.Lock()
	s.warnings = l.Warnings
	s.mu.Unlock()
	for _, w := range l.Warnings {
		s.o.Log.Warn(w, "component", Name)
	}
	s.o.Log.Info("starting speech server", "component", "supervisor", "command", l.Command.Path, "args", strings.Join(l.Command.Args, " "), "version", f.Version)
	return l.Command, nil
}

func (s *Server) featuresFor(ctx context.Context, argv []string) Features {
	key := strings.Join(argv, "\x00")
	s.mu.Lock()
	f, ok := s.probed[key]
	s.mu.Unlock()
	if !ok {
		var err error
		if f, err = DetectFeatures(ctx, argv, s.o.Runner); err != nil {
			s.o.Log.Warn("speech server version unknown", "component", Name, "err", err)
		}
		s.mu.Lock()
		s.probed[key] = f
		s.mu.Unlock()
	}
	s.mu.Lock()
	s.features = f
	s.mu.Unlock()
	return f
}

// ready is the readiness probe: GET /health (0.2.20+), falling back to GET / on older servers.
func (s *Server) ready(ctx context.Context) error {
	base := BaseURL(s.o.Settings())
	code, err := s.get(ctx, base+"/health")
	if err != nil {
		return err
	}
	if code == http.StatusNotFound {
		if code, err = s.get(ctx, base+"/"); err != nil {
			return err
		}
	}
	if code != http.StatusOK {
		return fmt.Errorf("%s answered HTTP %d", base, code)
	}
	return nil
}

// adopt says whether a speech server already answers on the configured address (started by the user or a
// previous TonnyTray): then it is used as it is, and never killed.
func (s *Server) adopt(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return s.ready(ctx) == nil
}

func (s *Server) get(ctx context.Context, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := s.o.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // drain so the connection is reused
	return resp.StatusCode, nil
}

// line logs one line of the server's output at the level uvicorn/Python logging gave it.
func (s *Server) line(stream, text string) {
	level := slog.LevelInfo
	switch t := strings.TrimSpace(text); {
	case strings.HasPrefix(t, "ERROR"), strings.HasPrefix(t, "CRITICAL"), strings.HasPrefix(t, "Traceback"):
		level = slog.LevelError
	case strings.HasPrefix(t, "WARNING"):
		level = slog.LevelWarn
	case strings.HasPrefix(t, "DEBUG"):
		level = slog.LevelDebug
	}
	s.o.Log.Log(context.Background(), level, text, "component", Name, "stream", stream)
}
