package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// seedIgnored are config.json keys of the Python integration layer that TonnyTray has no use for, with why.
var seedIgnored = map[string]string{
	"database_path":        "TonnyTray keeps everything in its own database",
	"n8n_websocket_url":    "TonnyTray reaches n8n through the webhook only",
	"elevenlabs_cache_dir": "TonnyTray keeps its TTS cache in its cache directory (size: elevenlabs.cache_mb)",
	"enable_logging":       "TonnyTray always logs; use general.log_level to change how much",
}

// seedMapped are the config.json keys Import translates.
var seedMapped = []string{
	"n8n_webhook_url", "n8n_api_key", "n8n_webhook_secret", "elevenlabs_api_key", "elevenlabs_voice_id",
	"whisper_websocket_url", "whisper_http_url", "whisper_model", "whisper_language", "rabbitmq_enabled",
	"rabbitmq_url", "rabbitmq_exchange", "audio_mode", "audio_input_device", "audio_output_device", "log_level",
	"health_check_interval",
}

// isSeedShape reports whether a top-level object is the integration layer's flat config.json rather than our
// grouped export: it has a seed key and none of our group names.
func isSeedShape(top map[string]json.RawMessage) bool {
	for _, l := range leaves() {
		group, _, _ := strings.Cut(l.path, ".")
		if _, ok := top[group]; ok {
			return false
		}
	}
	if _, ok := top["version"]; ok {
		return false
	}
	for k := range top {
		if _, ok := seedIgnored[k]; ok {
			return true
		}
		for _, m := range seedMapped {
			if k == m {
				return true
			}
		}
	}
	return false
}

// seedReader decodes config.json values, collecting type errors under the seed's own key names.
type seedReader struct {
	top  map[string]json.RawMessage
	errs ValidationErrors
}

// str reads a string; null counts as absent.
func (r *seedReader) str(key string) (string, bool) {
	raw := r.top[key]
	if raw == nil || string(raw) == "null" {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		r.errs = append(r.errs, FieldError{Field: key, Message: key + " must be a string."})
		return "", false
	}
	return strings.TrimSpace(s), true
}

func (r *seedReader) boolean(key string) (bool, bool) {
	raw := r.top[key]
	if raw == nil || string(raw) == "null" {
		return false, false
	}
	var b bool
	if json.Unmarshal(raw, &b) != nil {
		r.errs = append(r.errs, FieldError{Field: key, Message: key + " must be true or false."})
		return false, false
	}
	return b, true
}

func (r *seedReader) number(key string) (float64, bool) {
	raw := r.top[key]
	if raw == nil || string(raw) == "null" {
		return 0, false
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil {
		r.errs = append(r.errs, FieldError{Field: key, Message: key + " must be a number."})
		return 0, false
	}
	return f, true
}

// importSeed maps the integration layer's config.json onto Defaults, moving its secrets into res.Secrets.
func importSeed(top map[string]json.RawMessage) (ImportResult, error) {
	res := ImportResult{Settings: Defaults(), Secrets: map[string]string{}}
	s := &res.Settings
	r := &seedReader{top: top}
	warn := func(format string, args ...any) { res.Warnings = append(res.Warnings, fmt.Sprintf(format, args...)) }
	secret := func(key, dest string) bool {
		v, ok := r.str(key)
		if !ok || v == "" {
			return false
		}
		res.Secrets[dest] = v
		if strings.HasPrefix(strings.ToLower(v), "your-") {
			warn("%s looks like a placeholder, not a real secret; replace it in the keychain", key)
		}
		return true
	}

	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if why, ok := seedIgnored[k]; ok {
			warn("%s ignored: %s", k, why)
			continue
		}
		switch k {
		case "n8n_webhook_url":
			if v, ok := r.str(k); ok {
				s.N8N.WebhookURL = v
			}
		case "n8n_api_key":
			if secret(k, SecretN8NAuth) {
				warn("n8n_api_key was sent as \"Authorization: Bearer …\" by the integration layer; TonnyTray "+
					"sends it as the value of the %s header (n8n.auth_header_name): match the workflow's Header auth",
					s.N8N.AuthHeaderName)
			}
		case "n8n_webhook_secret":
			if secret(k, SecretN8NHMAC) {
				s.N8N.SignRequests = true
			}
		case "elevenlabs_api_key":
			secret(k, SecretElevenLabsAPIKey)
		case "elevenlabs_voice_id":
			if v, ok := r.str(k); ok && v != "" {
				s.ElevenLabs.VoiceID = v
			}
		case "whisper_websocket_url", "whisper_http_url":
			// handled together below: the WebSocket URL wins
		case "whisper_model":
			if v, ok := r.str(k); ok && v != "" {
				s.Whisper.Model = v
			}
		case "whisper_language":
			if v, ok := r.str(k); ok && v != "" {
				s.Whisper.Language = strings.ToLower(v)
			}
		case "rabbitmq_enabled":
			if v, ok := r.boolean(k); ok {
				s.RabbitMQ.Enabled = v
			}
		case "rabbitmq_url":
			if v, ok := r.str(k); ok && v != "" {
				s.RabbitMQ.URL = v
				if u, err := url.Parse(v); err == nil && u.User != nil {
					if pw, set := u.User.Password(); set {
						if pw != "" {
							res.Secrets[SecretRabbitMQPassword] = pw
						}
						u.User = url.User(u.User.Username())
						s.RabbitMQ.URL = u.String()
					}
				}
			}
		case "rabbitmq_exchange":
			if v, ok := r.str(k); ok && v != "" {
				s.RabbitMQ.Exchange = v
			}
		case "audio_mode":
			if v, ok := r.str(k); ok {
				if mode, known := seedAudioModes[strings.ToLower(v)]; known {
					s.Audio.Mode = mode
				} else {
					r.errs = append(r.errs, FieldError{Field: k, Message: fmt.Sprintf(
						"audio_mode %q is not a capture mode; use continuous, voice_activation, push_to_talk or toggle.", v)})
				}
			}
		case "audio_input_device", "audio_output_device":
			raw := top[k]
			var name string
			switch {
			case raw == nil || string(raw) == "null":
			case json.Unmarshal(raw, &name) == nil:
				if k == "audio_input_device" {
					s.Audio.InputDevice = name
				} else {
					s.Audio.OutputDevice = name
				}
			default:
				warn("%s ignored: device numbers change between machines and boots; pick the device by name in "+
					"Settings (the system default is used until then)", k)
			}
		case "log_level":
			if v, ok := r.str(k); ok {
				if lvl, known := seedLogLevels[strings.ToUpper(v)]; known {
					s.General.LogLevel = lvl
				} else {
					r.errs = append(r.errs, FieldError{Field: k, Message: fmt.Sprintf(
						"log_level %q is not a log level; use DEBUG, INFO, WARNING or ERROR.", v)})
				}
			}
		case "health_check_interval":
			if f, ok := r.number(k); ok {
				s.General.HealthCheckIntervalS = clampInt(math.Round(f))
			}
		default:
			warn("%s ignored: not a setting TonnyTray knows", k)
		}
	}
	importSeedWhisper(r, s, warn)
	if len(r.errs) > 0 {
		return ImportResult{}, r.errs
	}
	return res, nil
}

// seedAudioModes maps the integration layer's capture modes (and common spellings) to ours.
var seedAudioModes = map[string]string{
	"continuous": AudioContinuous, "voice_activation": AudioVoiceActivation, "vad": AudioVoiceActivation,
	"push_to_talk": AudioPushToTalk, "ptt": AudioPushToTalk, "toggle": AudioToggle,
}

// seedLogLevels maps Python logging level names to ours.
var seedLogLevels = map[string]string{
	"DEBUG": "debug", "INFO": "info", "WARNING": "warn", "WARN": "warn", "ERROR": "error", "CRITICAL": "error",
	"FATAL": "error",
}

// clampInt converts a rounded float, mapping values beyond int32 to -1 so validation reports them.
func clampInt(f float64) int {
	if f > math.MaxInt32 || f < math.MinInt32 {
		return -1
	}
	return int(f)
}

// importSeedWhisper turns whisper_websocket_url / whisper_http_url into host, port and tls. A server on
// another machine cannot be started by us, so it becomes unmanaged.
func importSeedWhisper(r *seedReader, s *Settings, warn func(string, ...any)) {
	key := "whisper_websocket_url"
	raw, ok := r.str(key)
	httpRaw, httpOK := r.str("whisper_http_url")
	if !ok || raw == "" {
		key, raw, ok = "whisper_http_url", httpRaw, httpOK
		httpOK = false
	}
	if !ok || raw == "" {
		return
	}
	host, port, tls, err := parseServerURL(raw)
	if err != nil {
		r.errs = append(r.errs, FieldError{Field: key, Message: key + " " + err.Error()})
		return
	}
	if httpOK && httpRaw != "" {
		if h, p, _, err := parseServerURL(httpRaw); err == nil && (h != host || p != port) {
			warn("whisper_http_url ignored: it names a different server than whisper_websocket_url, which is used")
		}
	}
	s.Whisper.Host, s.Whisper.Port, s.Whisper.TLS = host, port, tls
	if tls || !isLoopback(host) {
		s.Whisper.Managed = false
		warn("%s points at a server TonnyTray cannot start itself (%s); it will connect to it (whisper.managed off)",
			key, host)
	}
}

// parseServerURL reads ws, wss, http or https URLs; a missing port takes the scheme's default.
func parseServerURL(raw string) (host string, port int, tls bool, err error) {
	u, perr := url.Parse(raw)
	if perr != nil {
		return "", 0, false, errors.New("is not a valid URL")
	}
	switch strings.ToLower(u.Scheme) {
	case "ws", "http":
		port = 80
	case "wss", "https":
		port, tls = 443, true
	default:
		return "", 0, false, errors.New("must start with ws://, wss://, http:// or https://")
	}
	host = u.Hostname()
	if host == "" {
		return "", 0, false, errors.New("has no host name")
	}
	if p := u.Port(); p != "" {
		n, aerr := strconv.Atoi(p)
		if aerr != nil || n < 1 || n > 65535 {
			return "", 0, false, fmt.Errorf("has port %s, which is out of range (1–65535)", p)
		}
		port = n
	}
	return host, port, tls, nil
}
