package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// secretLooking matches json keys that would suggest a secret in an export.
var secretLooking = regexp.MustCompile(`(?i)(api_?key|secret|passw|token|hmac|credential|private)`)

// jsonKeys lists every object key in a JSON document, as dotted paths.
func jsonKeys(t *testing.T, data []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	var out []string
	var walk func(v any, prefix string)
	walk = func(v any, prefix string) {
		if m, ok := v.(map[string]any); ok {
			for k, child := range m {
				out = append(out, prefix+k)
				walk(child, prefix+k+".")
			}
		}
	}
	walk(v, "")
	return out
}

func customized() Settings {
	s := Defaults()
	s.N8N.WebhookURL = "https://n8n.example.com/webhook/tonny"
	s.N8N.SignRequests = true
	s.ElevenLabs.Speed = 1.1
	s.Whisper.Model = "small.en"
	s.Whisper.Language = "en"
	s.Whisper.ExtraArgs = []string{"--no-vac"}
	s.RabbitMQ.Enabled = true
	s.RabbitMQ.HostID = "kitchen"
	s.Audio.Mode = AudioPushToTalk
	s.Hotkeys.PushToTalk = "Super+Space"
	s.General.CommandPrefix = "Hey House,"
	return s
}

func TestExportRoundTrips(t *testing.T) {
	for name, s := range map[string]Settings{"defaults": Defaults(), "customized": customized()} {
		t.Run(name, func(t *testing.T) {
			data, err := Export(s)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, []byte("\n  \"version\": 1,\n")) {
				t.Errorf("export is not indented or has no version:\n%s", data)
			}
			res, err := Import(data)
			if err != nil {
				t.Fatalf("Import(Export()): %v", err)
			}
			if !reflect.DeepEqual(res.Settings, s) {
				t.Errorf("round trip differs: %+v", Diff(s, res.Settings).Changed)
			}
			if len(res.Secrets) != 0 || len(res.Warnings) != 0 {
				t.Errorf("secrets %v, warnings %v; want none", res.Secrets, res.Warnings)
			}
		})
	}
}

func TestExportHasNoSecrets(t *testing.T) {
	data, err := Export(customized())
	if err != nil {
		t.Fatal(err)
	}
	keys := jsonKeys(t, data)
	if len(keys) < 50 {
		t.Fatalf("only %d keys exported", len(keys))
	}
	for _, k := range keys {
		if secretLooking.MatchString(k) {
			t.Errorf("export has a secret-looking key %q", k)
		}
	}

	// Even settings that bypassed validation do not leak a URL password.
	s := Defaults()
	s.RabbitMQ.URL = "amqp://tonny:s3cr3t-pw@127.0.0.1:5672/"
	s.N8N.WebhookURL = "https://admin:s3cr3t-pw@n8n.example.com/webhook/x"
	data, err = Export(s)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("s3cr3t-pw")) {
		t.Fatalf("export leaks a URL password:\n%s", data)
	}
	if !bytes.Contains(data, []byte(`"amqp://tonny@127.0.0.1:5672/"`)) {
		t.Errorf("rabbit URL not kept without its password:\n%s", data)
	}
}

func TestImportSeedConfig(t *testing.T) {
	data, err := os.ReadFile("testdata/seed-config.json")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import(data)
	if err != nil {
		t.Fatalf("Import(seed config): %v", err)
	}
	wantSecrets := map[string]string{
		SecretN8NAuth:          "your-api-key",
		SecretN8NHMAC:          "your-webhook-secret",
		SecretElevenLabsAPIKey: "your-elevenlabs-key",
		SecretRabbitMQPassword: "guest",
	}
	if !reflect.DeepEqual(res.Secrets, wantSecrets) {
		t.Errorf("Secrets = %v, want %v", res.Secrets, wantSecrets)
	}

	want := Defaults()
	want.N8N.WebhookURL = "http://localhost:5678/webhook/tonny"
	want.N8N.SignRequests = true
	want.ElevenLabs.VoiceID = "voice-id"
	want.Whisper.Host = "localhost"
	want.Whisper.Port = 9090
	want.Whisper.Model = "base"
	want.Whisper.Language = "en"
	want.RabbitMQ.Enabled = false
	want.RabbitMQ.URL = "amqp://guest@localhost/"
	want.Audio.Mode = AudioVoiceActivation
	want.General.LogLevel = "info"
	want.General.HealthCheckIntervalS = 30
	if !reflect.DeepEqual(res.Settings, want) {
		t.Errorf("settings differ from the expected mapping in %v", Diff(want, res.Settings).Changed)
	}

	// No secret value reaches the settings, neither as a field nor inside a URL.
	exported, err := Export(res.Settings)
	if err != nil {
		t.Fatal(err)
	}
	for key, v := range res.Secrets {
		if key == SecretRabbitMQPassword {
			continue // "guest" is also the user name; checked through the URL below
		}
		if bytes.Contains(exported, []byte(v)) {
			t.Errorf("settings contain the secret %s", key)
		}
	}
	if u, err := url.Parse(res.Settings.RabbitMQ.URL); err != nil {
		t.Fatal(err)
	} else if _, set := u.User.Password(); set {
		t.Errorf("rabbitmq.url still has a password: %s", res.Settings.RabbitMQ.URL)
	}

	warnings := strings.Join(res.Warnings, "\n")
	for _, ignored := range []string{"database_path", "n8n_websocket_url", "elevenlabs_cache_dir", "enable_logging"} {
		if !strings.Contains(warnings, ignored+" ignored") {
			t.Errorf("no warning for %s in:\n%s", ignored, warnings)
		}
	}
	if strings.Contains(warnings, "your-") {
		t.Errorf("warnings repeat a secret value:\n%s", warnings)
	}
}

func TestImportSeedVariants(t *testing.T) {
	res, err := Import([]byte(`{
		"whisper_websocket_url": "wss://speech.example.com/asr",
		"rabbitmq_enabled": true,
		"rabbitmq_url": "amqps://tonny:p%40ss@broker.example.com:5671/home",
		"log_level": "WARNING",
		"audio_mode": "vad",
		"audio_input_device": 3,
		"audio_output_device": "Speakers",
		"health_check_interval": 12.6,
		"mystery_option": 1
	}`))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Settings
	if s.Whisper.Managed || !s.Whisper.TLS || s.Whisper.Host != "speech.example.com" || s.Whisper.Port != 443 {
		t.Errorf("whisper = %+v, want unmanaged wss speech.example.com:443", s.Whisper)
	}
	if s.RabbitMQ.URL != "amqps://tonny@broker.example.com:5671/home" || res.Secrets[SecretRabbitMQPassword] != "p@ss" {
		t.Errorf("rabbit url %q, password %q", s.RabbitMQ.URL, res.Secrets[SecretRabbitMQPassword])
	}
	if s.General.LogLevel != "warn" || s.Audio.Mode != AudioVoiceActivation || s.General.HealthCheckIntervalS != 13 {
		t.Errorf("log %q mode %q interval %d", s.General.LogLevel, s.Audio.Mode, s.General.HealthCheckIntervalS)
	}
	if s.Audio.InputDevice != "" || s.Audio.OutputDevice != "Speakers" {
		t.Errorf("devices %q %q", s.Audio.InputDevice, s.Audio.OutputDevice)
	}
	w := strings.Join(res.Warnings, "\n")
	for _, want := range []string{"audio_input_device ignored", "mystery_option ignored", "whisper_websocket_url points at"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
}

func TestImportErrorsNameTheField(t *testing.T) {
	cases := []struct {
		name, doc, field string
	}{
		{"unknown top-level", `{"version":1,"colour":"red"}`, "colour"},
		{"unknown nested", `{"version":1,"n8n":{"webhook_urll":"https://x.example.com"}}`, "n8n.webhook_urll"},
		{"secret in our shape", `{"version":1,"elevenlabs":{"api_key":"sk_live_123"}}`, "elevenlabs.api_key"},
		{"wrong type", `{"version":1,"audio":{"vad_aggressiveness":"high"}}`, "audio.vad_aggressiveness"},
		{"group wrong type", `{"version":1,"hotkeys":"Ctrl+Shift+V"}`, "hotkeys"},
		{"list wrong type", `{"version":1,"whisper":{"extra_args":"--no-vac"}}`, "whisper.extra_args"},
		{"invalid value", `{"version":1,"audio":{"mode":"hold"}}`, "audio.mode"},
		{"newer version", `{"version":99,"audio":{}}`, "version"},
		{"bad version", `{"version":"one"}`, "version"},
		{"seed bad type", `{"n8n_webhook_url":"http://localhost:5678/w","n8n_api_key":42}`, "n8n_api_key"},
		{"seed bad mode", `{"audio_mode":"whisper"}`, "audio_mode"},
		{"seed bad level", `{"log_level":"LOUD"}`, "log_level"},
		{"seed bad whisper url", `{"whisper_websocket_url":"tcp://localhost:9090"}`, "whisper_websocket_url"},
		{"seed invalid model", `{"whisper_model":"gigantic"}`, "whisper.model"},
		{"seed http remote", `{"n8n_webhook_url":"http://n8n.example.com/webhook/t"}`, "n8n.webhook_url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Import([]byte(tc.doc))
			var verrs ValidationErrors
			if !errors.As(err, &verrs) {
				t.Fatalf("Import() = %v, want ValidationErrors", err)
			}
			if len(verrs) != 1 || verrs[0].Field != tc.field {
				t.Fatalf("errors = %+v, want one for %s", verrs, tc.field)
			}
			if strings.Contains(err.Error(), "sk_live_123") {
				t.Errorf("error repeats a secret: %v", err)
			}
		})
	}
}

func TestImportBadJSON(t *testing.T) {
	cases := map[string]string{
		"{\n  \"version\": 1,\n  \"audio\": {\"mode\": \"toggle\",}\n}": "line 3",
		`{"version": 1`: "not valid JSON",
		`[1, 2]`:        "must hold a JSON object",
		`"settings"`:    "must hold a JSON object",
		`null`:          "must hold a JSON object",
		``:              "not valid JSON",
	}
	for doc, want := range cases {
		_, err := Import([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "import settings: ") {
			t.Errorf("Import(%q) = %v, want an error mentioning %q", doc, err, want)
		}
	}
}

func TestImportPartialKeepsDefaults(t *testing.T) {
	res, err := Import([]byte(`{"audio":{"mode":"continuous"}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Defaults()
	want.Audio.Mode = AudioContinuous
	if !reflect.DeepEqual(res.Settings, want) {
		t.Errorf("changed: %v", Diff(want, res.Settings).Changed)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "no version") {
		t.Errorf("warnings = %v", res.Warnings)
	}
	res, err = Import([]byte(`{"version":1,"whisper":{"extra_args":null}}`))
	if err != nil || res.Settings.Whisper.ExtraArgs == nil {
		t.Errorf("null extra_args: %v, %#v", err, res.Settings.Whisper.ExtraArgs)
	}
}
