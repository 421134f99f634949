package whisper

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tonnytray/tonnytray/backend/settings"
)

func TestFeaturesFor(t *testing.T) {
	for _, c := range []struct {
		version                          string
		pcm, policy, health, token, fail bool
	}{
		{version: "0.2.8", pcm: false},
		{version: "0.2.8.dev3"},
		{version: "0.2.9", pcm: true},
		{version: "0.2.14", pcm: true, policy: true},
		{version: "0.2.20", pcm: true, policy: true, health: true},
		{version: "v0.2.26", pcm: true, policy: true, health: true, token: true},
		{version: "0.3.0rc1", pcm: true, policy: true, health: true, token: true},
		{version: "1.0", pcm: true, policy: true, health: true, token: true},
		{version: "banana", fail: true},
		{version: "", fail: true},
	} {
		f, err := FeaturesFor(c.version)
		if c.fail {
			if err == nil {
				t.Errorf("%q: no error", c.version)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", c.version, err)
		}
		got := [4]bool{f.PCMInput, f.BackendPolicy, f.Health, f.APIToken}
		if want := [4]bool{c.pcm, c.policy, c.health, c.token}; got != want {
			t.Errorf("%q: pcm/policy/health/token = %v, want %v", c.version, got, want)
		}
	}
}

func TestDetectFeaturesFromHelp(t *testing.T) {
	run := func(_ context.Context, name string, args ...string) ([]byte, error) {
		if name != "uv" || !slices.Equal(args, []string{"run", "whisperlivekit-server", "--help"}) {
			return nil, errors.New("unexpected command")
		}
		return []byte("usage: whisperlivekit-server [--pcm-input] [--backend-policy P] [--api-token T]"), nil
	}
	f, err := DetectFeatures(context.Background(), []string{"uv", "run", "whisperlivekit-server"}, run)
	if err != nil || !f.PCMInput || !f.BackendPolicy || !f.APIToken || !f.Health {
		t.Fatalf("features = %+v, %v", f, err)
	}
	failing := func(context.Context, string, ...string) ([]byte, error) { return nil, errors.New("not found") }
	f, err = DetectFeatures(context.Background(), []string{"no-such-server"}, failing)
	if err == nil || f != latest {
		t.Fatalf("unknown server: %+v, %v — want the latest features and an explanation", f, err)
	}
}

func baseSettings() settings.WhisperSettings {
	w := settings.Defaults().Whisper
	w.Command, w.Host, w.Port, w.Model, w.Language = "whisperlivekit-server", "127.0.0.1", 8123, "base", "en"
	return w
}

func TestBuildCommandKeepsTheTokenOffTheCommandLine(t *testing.T) {
	f, _ := FeaturesFor("0.2.26")
	l, err := BuildCommand(baseSettings(), f, "s3cret-token", []string{"PATH=/usr/bin", TokenEnv + "=stale"})
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Join(l.Command.Args, " ")
	if strings.Contains(args, "s3cret-token") || strings.Contains(args, "--api-token") {
		t.Fatalf("token on the command line: %s", args)
	}
	if !slices.Contains(l.Command.Env, TokenEnv+"=s3cret-token") || slices.Contains(l.Command.Env, TokenEnv+"=stale") {
		t.Fatalf("env = %v, want exactly the new token", l.Command.Env)
	}
	want := "--host 127.0.0.1 --port 8123 --model base --language en --pcm-input --warmup-file "
	if args != strings.TrimSpace(want) && args != want {
		t.Fatalf("args = %q, want %q", args, want)
	}
	if l.Command.Path != "whisperlivekit-server" || len(l.Warnings) != 0 {
		t.Fatalf("path %q warnings %v", l.Command.Path, l.Warnings)
	}
}

func TestBuildCommandAdaptsToTheVersion(t *testing.T) {
	s := baseSettings()
	s.Backend, s.BackendPolicy = "faster-whisper", "localagreement"
	old, _ := FeaturesFor("0.2.8")
	l, err := BuildCommand(s, old, "tok", nil)
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Join(l.Command.Args, " ")
	if strings.Contains(args, "--pcm-input") || strings.Contains(args, "--backend-policy") || !strings.Contains(args, "--backend faster-whisper") {
		t.Fatalf("0.2.8 args = %q", args)
	}
	if len(l.Warnings) != 3 { // no --pcm-input, no --backend-policy, token ignored
		t.Fatalf("warnings = %q", l.Warnings)
	}

	s = baseSettings()
	s.Command = "wlk"
	s.ExtraArgs = []string{"--no-vac"}
	cur, _ := FeaturesFor("0.2.26")
	l, _ = BuildCommand(s, cur, "", nil)
	if l.Command.Args[0] != "serve" || l.Command.Args[len(l.Command.Args)-1] != "--no-vac" {
		t.Fatalf("wlk args = %q", l.Command.Args)
	}
	s.Command = "uv run whisperlivekit-server"
	l, _ = BuildCommand(s, cur, "", nil)
	if l.Command.Path != "uv" || l.Command.Args[0] != "run" || l.Command.Args[1] != "whisperlivekit-server" {
		t.Fatalf("uv command = %s %q", l.Command.Path, l.Command.Args)
	}
	s.Command = "  "
	if _, err := BuildCommand(s, cur, "", nil); err == nil {
		t.Fatal("an empty command was accepted")
	}
}

func TestBaseURL(t *testing.T) {
	if BaseURL(baseSettings()) != "http://127.0.0.1:8123" {
		t.Fatalf("BaseURL = %s", BaseURL(baseSettings()))
	}
	s := baseSettings()
	s.Host, s.TLS = "::1", true
	if BaseURL(s) != "https://[::1]:8123" {
		t.Fatalf("BaseURL = %s", BaseURL(s))
	}
}
