package whisper

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/tonnytray/tonnytray/backend/settings"
	"github.com/tonnytray/tonnytray/backend/supervisor"
)

// TokenEnv is how the API token reaches the server: the environment, never the command line, where any user
// could read it in the process table.
const TokenEnv = "WLK_API_TOKEN"

// Launch is a server command line built from settings, with what it had to leave out.
type Launch struct {
	Command  supervisor.Command
	Warnings []string // settings this server version cannot honour, for the log and the Dashboard
}

// Argv splits the configured command (no shell: words separated by spaces).
func Argv(s settings.WhisperSettings) []string { return strings.Fields(s.Command) }

// BuildCommand turns the settings into the server's command line for a server with features f. baseEnv is
// the environment the child inherits; token, when set, is added to it as WLK_API_TOKEN.
func BuildCommand(s settings.WhisperSettings, f Features, token string, baseEnv []string) (Launch, error) {
	argv := Argv(s)
	if len(argv) == 0 {
		return Launch{}, fmt.Errorf("whisper.command is empty")
	}
	var l Launch
	args := append([]string{}, argv[1:]...)
	if isWlk(argv) && len(args) == 0 && f.Health {
		args = append(args, "serve") // wlk 0.2.20+ has subcommands; serve is the server
	}
	args = append(args, "--host", s.Host, "--port", strconv.Itoa(s.Port))
	if s.Model != "" {
		args = append(args, "--model", s.Model)
	}
	if s.Language != "" {
		args = append(args, "--language", s.Language)
	}
	if f.PCMInput {
		args = append(args, "--pcm-input")
	} else {
		l.Warnings = append(l.Warnings, "this WhisperLiveKit has no --pcm-input (it is older than 0.2.9): TonnyTray streams raw PCM, so upgrade the server (pip install -U whisperlivekit)")
	}
	switch {
	case s.Backend != "" && (f.BackendPolicy || s.Backend != "auto"):
		args = append(args, "--backend", s.Backend)
	case s.Backend != "":
		l.Warnings = append(l.Warnings, "whisper.backend \"auto\" needs WhisperLiveKit 0.2.14 or newer; left out")
	}
	if s.BackendPolicy != "" {
		if f.BackendPolicy {
			args = append(args, "--backend-policy", s.BackendPolicy)
		} else {
			l.Warnings = append(l.Warnings, "whisper.backend_policy needs WhisperLiveKit 0.2.14 or newer; left out")
		}
	}
	if s.Diarization {
		args = append(args, "--diarization")
	}
	// "" means no warm-up: say so explicitly, or the server fetches jfk.wav from the internet.
	args = append(args, "--warmup-file", s.WarmupFile)
	args = append(args, s.ExtraArgs...)

	env := append([]string{}, baseEnv...)
	env = withoutVar(env, TokenEnv)
	if token != "" {
		if !f.APIToken {
			l.Warnings = append(l.Warnings, "this WhisperLiveKit is older than 0.2.23 and ignores the API token: the server is open to every local user")
		}
		env = append(env, TokenEnv+"="+token)
	}
	env = withoutVar(env, "PYTHONUNBUFFERED")
	env = append(env, "PYTHONUNBUFFERED=1") // log lines arrive as they are written, not in 4 KiB blocks

	l.Command = supervisor.Command{Path: argv[0], Args: args, Env: env}
	return l, nil
}

// BaseURL is where the server answers HTTP.
func BaseURL(s settings.WhisperSettings) string {
	scheme := "http"
	if s.TLS {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
}

func isWlk(argv []string) bool {
	for _, a := range argv {
		if a == "wlk" || strings.HasSuffix(a, "/wlk") {
			return true
		}
	}
	return false
}

func withoutVar(env []string, name string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
