// Package whisper is TonnyTray's side of WhisperLiveKit: how the local server is launched, probed and
// supervised (features.go, command.go, server.go), and the /asr streaming client with its message parser and
// transcript assembly (client.go, message.go, transcript.go).
package whisper

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Features are the differences between WhisperLiveKit versions that change how TonnyTray starts the server
// and talks to it (spec §1.3 and §6).
type Features struct {
	Version       string `json:"version"`       // "" when it could not be told
	PCMInput      bool   `json:"pcmInput"`      // --pcm-input (0.2.9+); without it the server wants WebM through ffmpeg
	BackendPolicy bool   `json:"backendPolicy"` // --backend-policy and --backend auto (0.2.14+)
	Health        bool   `json:"health"`        // GET /health (0.2.20+)
	APIToken      bool   `json:"apiToken"`      // --api-token / WLK_API_TOKEN (0.2.23+)
}

// latest is assumed when the version cannot be told: a current install is the likeliest.
var latest = Features{PCMInput: true, BackendPolicy: true, Health: true, APIToken: true}

// FeaturesFor returns the features of a version string such as "0.2.26" or "0.2.8.dev3".
func FeaturesFor(version string) (Features, error) {
	v, err := parseVersion(version)
	if err != nil {
		return Features{}, err
	}
	return Features{
		Version:       version,
		PCMInput:      !v.less(0, 2, 9),
		BackendPolicy: !v.less(0, 2, 14),
		Health:        !v.less(0, 2, 20),
		APIToken:      !v.less(0, 2, 23),
	}, nil
}

type semver [3]int

func (v semver) less(a, b, c int) bool {
	for i, w := range [3]int{a, b, c} {
		if v[i] != w {
			return v[i] < w
		}
	}
	return false
}

func parseVersion(s string) (semver, error) {
	var v semver
	parts := strings.SplitN(strings.TrimPrefix(strings.TrimSpace(s), "v"), ".", 4)
	if len(parts) < 2 {
		return v, fmt.Errorf("version %q: want MAJOR.MINOR[.PATCH]", s)
	}
	for i := 0; i < 3 && i < len(parts); i++ {
		digits := parts[i]
		if j := strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }); j >= 0 {
			digits = digits[:j] // "9rc1" → 9
		}
		n, err := strconv.Atoi(digits)
		if err != nil {
			return v, fmt.Errorf("version %q: %w", s, err)
		}
		v[i] = n
	}
	return v, nil
}

// Runner runs a command and returns its combined output; tests replace it.
type Runner func(ctx context.Context, name string, args ...string) ([]byte, error)

func runCommand(ctx context.Context, name string, args ...string) ([]byte, error) {
	return exec.CommandContext(ctx, name, args...).CombinedOutput()
}

// DetectFeatures finds out which WhisperLiveKit the command runs. A console script's own Python reports the
// installed version in milliseconds; anything else (uv run, a wrapper) is asked for --help, which imports
// the server (seconds). When neither works it assumes a current version and says so in the error.
func DetectFeatures(ctx context.Context, argv []string, run Runner) (Features, error) {
	if len(argv) == 0 {
		return latest, fmt.Errorf("no server command")
	}
	if run == nil {
		run = runCommand
	}
	if py := scriptPython(argv[0]); py != "" {
		out, err := run(ctx, py, "-c", "import importlib.metadata as m; print(m.version('whisperlivekit'))")
		if err == nil {
			if f, ferr := FeaturesFor(lastLine(out)); ferr == nil {
				return f, nil
			}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	out, err := run(ctx, argv[0], append(argv[1:], "--help")...)
	if err != nil && len(out) == 0 {
		return latest, fmt.Errorf("cannot tell the WhisperLiveKit version (%s --help: %w); assuming a current one", argv[0], err)
	}
	help := string(out)
	return Features{
		PCMInput:      strings.Contains(help, "-pcm-input"),
		BackendPolicy: strings.Contains(help, "-backend-policy"),
		Health:        strings.Contains(help, "-api-token"), // 0.2.23 implies /health; older ones fall back to GET /
		APIToken:      strings.Contains(help, "-api-token"),
	}, nil
}

// scriptPython returns the interpreter of a Python console script (its #! line), or "".
func scriptPython(name string) string {
	path, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "#!") {
		return ""
	}
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if len(fields) != 1 || !strings.Contains(filepath.Base(fields[0]), "python") {
		return "" // "/usr/bin/env python3" and friends: not worth guessing
	}
	return fields[0]
}

func lastLine(b []byte) string {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[i+1:]
	}
	return string(b)
}
