package settings

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultsValidate(t *testing.T) {
	if err := Defaults().Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
}

// Every field has a default: a zero value anywhere would mean a forgotten default, except where zero/empty/false
// is the intended default.
func TestDefaultsCoverEveryField(t *testing.T) {
	zeroOK := map[string]bool{
		"n8n.webhook_url": true, "n8n.sign_requests": true, "n8n.health_url": true,
		"elevenlabs.language_code": true, "elevenlabs.style": true,
		"whisper.tls": true, "whisper.backend": true, "whisper.backend_policy": true, "whisper.diarization": true,
		"whisper.warmup_file": true, "whisper.extra_args": true,
		"rabbitmq.enabled": true, "rabbitmq.host_id": true,
		"audio.input_device": true, "audio.output_device": true, "audio.keep_warm": true,
		"hotkeys.push_to_talk": true, "hotkeys.double_tap_lock": true, "hotkeys.hold_threshold_ms": true,
		"general.start_hidden": true, "general.launch_at_login": true, "general.setup_complete": true,
		"response.type_replies": true,
	}
	d := Defaults()
	for _, l := range leaves() {
		v := valueAt(d, l)
		if v.IsZero() && !zeroOK[l.path] {
			t.Errorf("%s has no default (zero value)", l.path)
		}
	}
	if d.Whisper.ExtraArgs == nil {
		t.Error("whisper.extra_args default is nil; want [] so exports show a list")
	}
}

func TestValidateNamesExactlyTheBadField(t *testing.T) {
	cases := []struct {
		name  string
		field string
		edit  func(*Settings)
	}{
		{"webhook not a URL", "n8n.webhook_url", func(s *Settings) { s.N8N.WebhookURL = "://nope" }},
		{"webhook ftp scheme", "n8n.webhook_url", func(s *Settings) { s.N8N.WebhookURL = "ftp://example.com/x" }},
		{"webhook no scheme", "n8n.webhook_url", func(s *Settings) { s.N8N.WebhookURL = "localhost:5678/webhook" }},
		{"webhook http remote", "n8n.webhook_url", func(s *Settings) { s.N8N.WebhookURL = "http://n8n.example.com/webhook/t" }},
		{"webhook http lan ip", "n8n.webhook_url", func(s *Settings) { s.N8N.WebhookURL = "http://192.168.1.5:5678/webhook/t" }},
		{"webhook port out of range", "n8n.webhook_url", func(s *Settings) { s.N8N.WebhookURL = "https://example.com:70000/w" }},
		{"webhook port zero", "n8n.webhook_url", func(s *Settings) { s.N8N.WebhookURL = "https://example.com:0/w" }},
		{"webhook credentials", "n8n.webhook_url", func(s *Settings) { s.N8N.WebhookURL = "https://u:p@example.com/w" }},
		{"webhook key query", "n8n.webhook_url", func(s *Settings) { s.N8N.WebhookURL = "https://example.com/w?api_key=x" }},
		{"webhook token query", "n8n.webhook_url", func(s *Settings) { s.N8N.WebhookURL = "https://example.com/w?access-token=x" }},
		{"webhook no host", "n8n.webhook_url", func(s *Settings) { s.N8N.WebhookURL = "https:///w" }},
		{"health http remote", "n8n.health_url", func(s *Settings) { s.N8N.HealthURL = "http://example.com/healthz" }},
		{"header name space", "n8n.auth_header_name", func(s *Settings) { s.N8N.AuthHeaderName = "X Tonny" }},
		{"header name colon", "n8n.auth_header_name", func(s *Settings) { s.N8N.AuthHeaderName = "X-Tonny-Key:" }},
		{"connect timeout 0", "n8n.connect_timeout_s", func(s *Settings) { s.N8N.ConnectTimeoutS = 0 }},
		{"reply timeout big", "n8n.reply_timeout_s", func(s *Settings) { s.N8N.ReplyTimeoutS = 601 }},

		{"voice empty", "elevenlabs.voice_id", func(s *Settings) { s.ElevenLabs.VoiceID = "" }},
		{"voice bad chars", "elevenlabs.voice_id", func(s *Settings) { s.ElevenLabs.VoiceID = "bad id!" }},
		{"unknown tts model", "elevenlabs.model_id", func(s *Settings) { s.ElevenLabs.ModelID = "eleven_foo" }},
		{"language code 3 letters", "elevenlabs.language_code", func(s *Settings) { s.ElevenLabs.LanguageCode = "eng" }},
		{"language code wrong model", "elevenlabs.language_code", func(s *Settings) {
			s.ElevenLabs.LanguageCode = "de"
			s.ElevenLabs.ModelID = "eleven_multilingual_v2"
		}},
		{"stability > 1", "elevenlabs.stability", func(s *Settings) { s.ElevenLabs.Stability = 1.5 }},
		{"similarity < 0", "elevenlabs.similarity_boost", func(s *Settings) { s.ElevenLabs.SimilarityBoost = -0.1 }},
		{"style NaN", "elevenlabs.style", func(s *Settings) { s.ElevenLabs.Style = math.NaN() }},
		{"speed 2", "elevenlabs.speed", func(s *Settings) { s.ElevenLabs.Speed = 2 }},
		{"speed inf", "elevenlabs.speed", func(s *Settings) { s.ElevenLabs.Speed = math.Inf(1) }},
		{"cache negative", "elevenlabs.cache_mb", func(s *Settings) { s.ElevenLabs.CacheMB = -1 }},

		{"command empty managed", "whisper.command", func(s *Settings) { s.Whisper.Command = "  " }},
		{"command newline", "whisper.command", func(s *Settings) { s.Whisper.Command = "wlk\nrm -rf /" }},
		{"host all interfaces managed", "whisper.host", func(s *Settings) { s.Whisper.Host = "0.0.0.0" }},
		{"host remote managed", "whisper.host", func(s *Settings) { s.Whisper.Host = "gpu.lan" }},
		{"host remote no tls", "whisper.host", func(s *Settings) {
			s.Whisper.Managed = false
			s.Whisper.Host = "gpu.lan"
		}},
		{"host with scheme", "whisper.host", func(s *Settings) { s.Whisper.Host = "http://localhost" }},
		{"host with port", "whisper.host", func(s *Settings) { s.Whisper.Host = "localhost:8000" }},
		{"host empty", "whisper.host", func(s *Settings) { s.Whisper.Host = "" }},
		{"port 0", "whisper.port", func(s *Settings) { s.Whisper.Port = 0 }},
		{"port 65536", "whisper.port", func(s *Settings) { s.Whisper.Port = 65536 }},
		{"tls on managed", "whisper.tls", func(s *Settings) { s.Whisper.TLS = true }},
		{"unknown model", "whisper.model", func(s *Settings) { s.Whisper.Model = "huge" }},
		{"relative model path", "whisper.model", func(s *Settings) { s.Whisper.Model = "models/base" }},
		{"model wrong case", "whisper.model", func(s *Settings) { s.Whisper.Model = "Base" }},
		{"language word", "whisper.language", func(s *Settings) { s.Whisper.Language = "english" }},
		{"language upper", "whisper.language", func(s *Settings) { s.Whisper.Language = "EN" }},
		{"language empty", "whisper.language", func(s *Settings) { s.Whisper.Language = "" }},
		{"english-only model", "whisper.language", func(s *Settings) {
			s.Whisper.Model = "small.en"
			s.Whisper.Language = "de"
		}},
		{"unknown backend", "whisper.backend", func(s *Settings) { s.Whisper.Backend = "tensorrt" }},
		{"unknown policy", "whisper.backend_policy", func(s *Settings) { s.Whisper.BackendPolicy = "alignatt" }},
		{"openai-api needs localagreement", "whisper.backend_policy", func(s *Settings) { s.Whisper.Backend = "openai-api" }},
		{"relative warmup", "whisper.warmup_file", func(s *Settings) { s.Whisper.WarmupFile = "jfk.wav" }},
		{"extra arg repeats port", "whisper.extra_args[1]", func(s *Settings) {
			s.Whisper.ExtraArgs = []string{"--no-vac", "--port=9000"}
		}},
		{"extra arg token", "whisper.extra_args[0]", func(s *Settings) { s.Whisper.ExtraArgs = []string{"--api-token", "x"} }},
		{"extra arg empty", "whisper.extra_args[0]", func(s *Settings) { s.Whisper.ExtraArgs = []string{""} }},
		{"startup timeout", "whisper.startup_timeout_s", func(s *Settings) { s.Whisper.StartupTimeoutS = 1 }},

		{"rabbit password", "rabbitmq.url", func(s *Settings) { s.RabbitMQ.URL = "amqp://guest:guest@127.0.0.1:5672/" }},
		{"rabbit http", "rabbitmq.url", func(s *Settings) { s.RabbitMQ.URL = "http://127.0.0.1:5672/" }},
		{"rabbit plain remote", "rabbitmq.url", func(s *Settings) { s.RabbitMQ.URL = "amqp://tonny@broker.lan/" }},
		{"rabbit port", "rabbitmq.url", func(s *Settings) { s.RabbitMQ.URL = "amqps://broker.lan:99999/" }},
		{"rabbit empty", "rabbitmq.url", func(s *Settings) { s.RabbitMQ.URL = "" }},
		{"exchange empty", "rabbitmq.exchange", func(s *Settings) { s.RabbitMQ.Exchange = "" }},
		{"exchange space", "rabbitmq.exchange", func(s *Settings) { s.RabbitMQ.Exchange = "tonny events" }},
		{"host id dot", "rabbitmq.host_id", func(s *Settings) { s.RabbitMQ.HostID = "living.room" }},
		{"host id wildcard", "rabbitmq.host_id", func(s *Settings) { s.RabbitMQ.HostID = "#" }},

		{"audio mode", "audio.mode", func(s *Settings) { s.Audio.Mode = "hold" }},
		{"vad 4", "audio.vad_aggressiveness", func(s *Settings) { s.Audio.VADAggressiveness = 4 }},
		{"vad -1", "audio.vad_aggressiveness", func(s *Settings) { s.Audio.VADAggressiveness = -1 }},
		{"silence short", "audio.silence_ms", func(s *Settings) { s.Audio.SilenceMs = 50 }},
		{"preroll negative", "audio.preroll_ms", func(s *Settings) { s.Audio.PrerollMs = -1 }},
		{"sample rate", "audio.sample_rate", func(s *Settings) { s.Audio.SampleRate = 44100 }},
		{"input device control", "audio.input_device", func(s *Settings) { s.Audio.InputDevice = "mic\x00" }},
		{"output device long", "audio.output_device", func(s *Settings) { s.Audio.OutputDevice = strings.Repeat("x", 300) }},

		{"response mode", "response.mode", func(s *Settings) { s.Response.Mode = "loud" }},
		{"volume", "response.volume", func(s *Settings) { s.Response.Volume = 1.1 }},

		{"hotkey modifiers only", "hotkeys.toggle", func(s *Settings) { s.Hotkeys.Toggle = "Ctrl+Shift" }},
		{"hotkey two keys", "hotkeys.toggle", func(s *Settings) { s.Hotkeys.Toggle = "Ctrl+Shift+V+B" }},
		{"hotkey empty part", "hotkeys.toggle", func(s *Settings) { s.Hotkeys.Toggle = "Ctrl++V" }},
		{"hotkey unknown modifier", "hotkeys.toggle", func(s *Settings) { s.Hotkeys.Toggle = "Hyper+V" }},
		{"hotkey plain letter", "hotkeys.toggle", func(s *Settings) { s.Hotkeys.Toggle = "V" }},
		{"hotkey shift letter", "hotkeys.toggle", func(s *Settings) { s.Hotkeys.Toggle = "Shift+V" }},
		{"hotkey repeated modifier", "hotkeys.pause", func(s *Settings) { s.Hotkeys.Pause = "Ctrl+Control+P" }},
		{"hotkey F25", "hotkeys.push_to_talk", func(s *Settings) { s.Hotkeys.PushToTalk = "Ctrl+F25" }},
		{"hotkey conflict", "hotkeys.pause", func(s *Settings) { s.Hotkeys.Pause = "shift+ctrl+v" }},
		{"hotkey conflict ptt", "hotkeys.push_to_talk", func(s *Settings) { s.Hotkeys.PushToTalk = "Ctrl+Shift+P" }},
		{"hold threshold", "hotkeys.hold_threshold_ms", func(s *Settings) { s.Hotkeys.HoldThresholdMs = -5 }},

		{"typing method", "typing.method", func(s *Settings) { s.Typing.Method = "xdo" }},
		{"key delay", "typing.key_delay_ms", func(s *Settings) { s.Typing.KeyDelayMs = 2000 }},
		{"clipboard restore", "typing.clipboard_restore_ms", func(s *Settings) { s.Typing.ClipboardRestoreMs = -1 }},
		{"replacement from empty", "typing.replacements[3].from", func(s *Settings) { s.Typing.Replacements[3].From = "  " }},
		{"replacement from punctuation only", "typing.replacements[0].from", func(s *Settings) { s.Typing.Replacements[0].From = ",!" }},
		{"replacement from long", "typing.replacements[1].from", func(s *Settings) { s.Typing.Replacements[1].From = strings.Repeat("é", 101) }},
		{"replacement from newline", "typing.replacements[2].from", func(s *Settings) { s.Typing.Replacements[2].From = "full\nstop" }},
		{"replacement duplicate", "typing.replacements[12].from", func(s *Settings) {
			s.Typing.Replacements = append(s.Typing.Replacements, Replacement{From: " New   LINE ", To: "¶"})
		}},
		{"replacement to long", "typing.replacements[0].to", func(s *Settings) { s.Typing.Replacements[0].To = strings.Repeat("x", 101) }},
		{"replacement to real newline", "typing.replacements[8].to", func(s *Settings) { s.Typing.Replacements[8].To = "\n" }},
		{"too many replacements", "typing.replacements", func(s *Settings) {
			s.Typing.Replacements = nil
			for i := range MaxReplacements + 1 {
				s.Typing.Replacements = append(s.Typing.Replacements, Replacement{From: fmt.Sprintf("word %d", i)})
			}
		}},

		{"prefix long", "general.command_prefix", func(s *Settings) { s.General.CommandPrefix = strings.Repeat("a", 65) }},
		{"prefix newline", "general.command_prefix", func(s *Settings) { s.General.CommandPrefix = "Computer\n" }},
		{"route", "general.default_route", func(s *Settings) { s.General.DefaultRoute = "n8n" }},
		{"log level upper", "general.log_level", func(s *Settings) { s.General.LogLevel = "INFO" }},
		{"retention", "general.retention_days", func(s *Settings) { s.General.RetentionDays = -1 }},
		{"health interval", "general.health_check_interval_s", func(s *Settings) { s.General.HealthCheckIntervalS = 1 }},
		{"keyring", "general.keyring_backend", func(s *Settings) { s.General.KeyringBackend = "vault" }},
		{"theme", "general.theme", func(s *Settings) { s.General.Theme = "pink" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Defaults()
			tc.edit(&s)
			err := s.Validate()
			var verrs ValidationErrors
			if !errors.As(err, &verrs) {
				t.Fatalf("Validate() = %v, want ValidationErrors", err)
			}
			if len(verrs) != 1 || verrs[0].Field != tc.field {
				t.Fatalf("errors = %+v, want exactly one for %s", verrs, tc.field)
			}
			if !strings.HasPrefix(verrs[0].Message, basePath(tc.field)) {
				t.Errorf("message %q does not name the field %s", verrs[0].Message, tc.field)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Settings)
	}{
		{"webhook https remote", func(s *Settings) { s.N8N.WebhookURL = "https://n8n.example.com/webhook/abc-123/tonny" }},
		{"webhook http localhost", func(s *Settings) { s.N8N.WebhookURL = "http://localhost:5678/webhook/tonny" }},
		{"webhook http 127/8", func(s *Settings) { s.N8N.WebhookURL = "http://127.0.0.5:5678/webhook/tonny" }},
		{"webhook http ::1", func(s *Settings) { s.N8N.WebhookURL = "http://[::1]:5678/webhook/tonny" }},
		{"webhook harmless query", func(s *Settings) { s.N8N.WebhookURL = "https://example.com/w?room=kitchen&design=1&author=x" }},
		{"header authorization", func(s *Settings) { s.N8N.AuthHeaderName = "Authorization" }},
		{"no header auth", func(s *Settings) { s.N8N.AuthHeaderName = "" }},
		{"unmanaged without command", func(s *Settings) {
			s.Whisper.Managed = false
			s.Whisper.Command = ""
		}},
		{"unmanaged remote tls", func(s *Settings) {
			s.Whisper.Managed = false
			s.Whisper.Host = "gpu.lan"
			s.Whisper.TLS = true
		}},
		{"managed ipv6 loopback", func(s *Settings) { s.Whisper.Host = "::1" }},
		{"uv command", func(s *Settings) { s.Whisper.Command = "uv run whisperlivekit-server" }},
		{"model path", func(s *Settings) { s.Whisper.Model = "/opt/models/faster-whisper-base" }},
		{"english model auto", func(s *Settings) { s.Whisper.Model = "base.en" }},
		{"yue", func(s *Settings) { s.Whisper.Language = "yue" }},
		{"openai-api localagreement", func(s *Settings) {
			s.Whisper.Backend = "openai-api"
			s.Whisper.BackendPolicy = "localagreement"
		}},
		{"extra args", func(s *Settings) { s.Whisper.ExtraArgs = []string{"--no-vac", "--min-chunk-size", "0.2"} }},
		{"warmup path", func(s *Settings) { s.Whisper.WarmupFile = "/usr/share/tonnytray/jfk.wav" }},
		{"rabbit amqps remote", func(s *Settings) { s.RabbitMQ.URL = "amqps://tonny@broker.lan:5671/home" }},
		{"rabbit no port", func(s *Settings) { s.RabbitMQ.URL = "amqp://localhost/" }},
		{"rabbit host id", func(s *Settings) { s.RabbitMQ.HostID = "living-room" }},
		{"tts language", func(s *Settings) { s.ElevenLabs.LanguageCode = "de" }},
		{"no hotkeys", func(s *Settings) { s.Hotkeys = HotkeySettings{} }},
		{"ptt F-key alone", func(s *Settings) { s.Hotkeys.PushToTalk = "F9" }},
		{"ptt super space", func(s *Settings) { s.Hotkeys.PushToTalk = "Super+Space" }},
		{"empty prefix", func(s *Settings) { s.General.CommandPrefix = "" }},
		{"unicode prefix", func(s *Settings) { s.General.CommandPrefix = "Tönny," }},
		{"no replacements", func(s *Settings) { s.Typing.Replacements = nil }},
		{"replacement deletes a phrase", func(s *Settings) {
			s.Typing.Replacements = append(s.Typing.Replacements, Replacement{From: "um", To: ""})
		}},
		{"replacement limits", func(s *Settings) {
			s.Typing.Replacements = []Replacement{{From: strings.Repeat("ü", 100), To: strings.Repeat("ß", 100)}}
		}},
		{"replacement escapes", func(s *Settings) {
			s.Typing.Replacements = append(s.Typing.Replacements, Replacement{From: "tab key", To: `\t`})
		}},
		{"max replacements", func(s *Settings) {
			s.Typing.Replacements = nil
			for i := range MaxReplacements {
				s.Typing.Replacements = append(s.Typing.Replacements, Replacement{From: fmt.Sprintf("word %d", i), To: "x"})
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Defaults()
			tc.edit(&s)
			if err := s.Validate(); err != nil {
				t.Fatalf("Validate() = %v, want nil", err)
			}
		})
	}
	for _, m := range whisperModels {
		s := Defaults()
		s.Whisper.Model = m
		if err := s.Validate(); err != nil {
			t.Errorf("model %s: %v", m, err)
		}
	}
}

func TestValidateReportsEveryFieldInOrder(t *testing.T) {
	s := Defaults()
	s.General.LogLevel = "loud"
	s.N8N.WebhookURL = "http://example.com/w"
	s.Audio.VADAggressiveness = 9
	s.Hotkeys.Toggle = "Ctrl+Shift"
	err := s.Validate()
	var verrs ValidationErrors
	if !errors.As(err, &verrs) {
		t.Fatalf("Validate() = %v", err)
	}
	var got []string
	for _, e := range verrs {
		got = append(got, e.Field)
	}
	want := []string{"n8n.webhook_url", "audio.vad_aggressiveness", "hotkeys.toggle", "general.log_level"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("fields = %v, want %v", got, want)
	}
	if e, ok := verrs.For("audio.vad_aggressiveness"); !ok || !strings.Contains(e.Message, "between 0 and 3") {
		t.Errorf("vad message = %q", e.Message)
	}
	if !strings.Contains(err.Error(), "general.log_level must be one of debug, info, warn, error") {
		t.Errorf("Error() = %q", err.Error())
	}
}

// Messages about URLs never repeat the URL: it may carry a password the user pasted by mistake.
func TestValidateDoesNotEchoCredentials(t *testing.T) {
	s := Defaults()
	s.N8N.WebhookURL = "https://admin:hunter2secret@n8n.example.com/webhook/x"
	s.RabbitMQ.URL = "amqp://tonny:hunter2secret@127.0.0.1:5672/"
	err := s.Validate()
	if err == nil {
		t.Fatal("want errors")
	}
	if strings.Contains(err.Error(), "hunter2secret") {
		t.Fatalf("error echoes the password: %v", err)
	}
	var verrs ValidationErrors
	errors.As(err, &verrs)
	if e, _ := verrs.For("rabbitmq.url"); !strings.Contains(e.Message, "keychain") {
		t.Errorf("rabbitmq.url message does not point to the keychain: %q", e.Message)
	}
}

func TestParseHotkey(t *testing.T) {
	good := map[string]string{
		"Ctrl+Shift+V":       "Ctrl+Shift+V",
		"shift+ctrl+v":       "Ctrl+Shift+V",
		" Ctrl + Alt + F12 ": "Ctrl+Alt+F12",
		"Control+Option+7":   "Ctrl+Alt+7",
		"Meta+Space":         "Super+Space",
		"Cmd+Shift+PgDn":     "Shift+Super+PageDown",
		"F24":                "F24",
		"Pause":              "Pause",
		"Ctrl+-":             "Ctrl+Minus",
		"Alt+Return":         "Alt+Enter",
		"Shift+F1":           "Shift+F1",
	}
	for in, want := range good {
		h, err := ParseHotkey(in)
		if err != nil {
			t.Errorf("ParseHotkey(%q): %v", in, err)
			continue
		}
		if h.String() != want {
			t.Errorf("ParseHotkey(%q) = %s, want %s", in, h, want)
		}
	}
	for _, in := range []string{"", " ", "+", "Ctrl+", "Ctrl+Shift", "Ctrl+V+B", "Ctrl+F0", "Ctrl+F25", "Ctrl+F01",
		"Hyper+V", "V", "Shift+V", "Space", "Ctrl+Ctrl+V", "Ctrl+Shift+Enter+Tab", "Ctrl+é"} {
		if h, err := ParseHotkey(in); err == nil {
			t.Errorf("ParseHotkey(%q) = %s, want an error", in, h)
		}
	}
}

// valueAt is the value of one settings field.
func valueAt(s Settings, l leaf) reflect.Value {
	return reflect.ValueOf(s).FieldByIndex(l.index)
}

// Every bad rule is named by its own path, in list order, after the fields before typing.
func TestValidateReplacementsNameEachRule(t *testing.T) {
	s := Defaults()
	s.Typing.Replacements[1].From = ""
	s.Typing.Replacements[4].To = "a\tb"
	s.Typing.Replacements[5].From = "COMMA"
	s.Audio.VADAggressiveness = 9
	var verrs ValidationErrors
	if !errors.As(s.Validate(), &verrs) {
		t.Fatal("want ValidationErrors")
	}
	var got []string
	for _, e := range verrs {
		got = append(got, e.Field)
	}
	want := "audio.vad_aggressiveness,typing.replacements[1].from,typing.replacements[4].to,typing.replacements[5].from"
	if strings.Join(got, ",") != want {
		t.Fatalf("fields = %v, want %s", got, want)
	}
	if e, _ := verrs.For("typing.replacements[5].from"); !strings.Contains(e.Message, "typing.replacements[0].from") {
		t.Errorf("duplicate message does not name the other rule: %q", e.Message)
	}
}

// The new typing and reply fields survive export and import, including a rule list shorter than the
// defaults whose rules lack a field (encoding/json would otherwise keep the default rule's value).
func TestReplacementsTransfer(t *testing.T) {
	s := Defaults()
	s.Typing.Replacements = []Replacement{{From: "smiley", To: ":-)"}, {From: "new line", To: `\n`}}
	s.Typing.Capitalize = false
	s.Response.TypeReplies = true
	data, err := Export(s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import(data)
	if err != nil {
		t.Fatalf("Import(Export()): %v", err)
	}
	if !reflect.DeepEqual(res.Settings, s) {
		t.Errorf("round trip differs in %v", Diff(s, res.Settings).Changed)
	}

	res, err = Import([]byte(`{"version":1,"typing":{"replacements":[{"from":"um"},{"from":"uh"}]}}`))
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if want := []Replacement{{From: "um"}, {From: "uh"}}; !reflect.DeepEqual(res.Settings.Typing.Replacements, want) {
		t.Errorf("replacements = %q, want %q", res.Settings.Typing.Replacements, want)
	}

	res, err = Import([]byte(`{"version":1,"typing":{"replacements":null}}`))
	if err != nil {
		t.Fatalf("Import null: %v", err)
	}
	if r := res.Settings.Typing.Replacements; r == nil || len(r) != 0 {
		t.Errorf("null replacements = %#v, want an empty list", r)
	}

	_, err = Import([]byte(`{"version":1,"typing":{"replacements":[{"from":5}]}}`))
	var verrs ValidationErrors
	if !errors.As(err, &verrs) || !strings.HasPrefix(verrs[0].Field, "typing.replacements") {
		t.Errorf("Import of a bad rule = %v, want an error naming typing.replacements", err)
	}
}

func TestCloneCopiesReplacements(t *testing.T) {
	s := Defaults()
	c := s.Clone()
	c.Typing.Replacements[0].To = ";"
	if s.Typing.Replacements[0].To != "," {
		t.Error("Clone shares the replacements with the original")
	}
	s.Typing.Replacements = nil
	if r := s.Clone().Typing.Replacements; r == nil {
		t.Error("Clone of nil replacements is nil; want [] so exports show a list")
	}
}
