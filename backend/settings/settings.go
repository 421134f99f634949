// Package settings holds TonnyTray's typed settings: one struct with defaults, validation that names the
// offending field, persistence in the settings table, change reports that say which parts must restart, and
// JSON export/import (which also reads the Python integration layer's flat config.json).
//
// Settings never hold a secret. The n8n auth header value, the HMAC secret, the ElevenLabs key, the RabbitMQ
// password and the WhisperLiveKit API token live only in the keychain (package secret).
package settings

import (
	"encoding/json"
	"slices"
)

// Settings is every user-adjustable setting of TonnyTray, grouped by capability. The json tags are the field
// paths used in validation errors, change reports and export files ("n8n.webhook_url").
//
// A field's `restart` tag names the part that must restart for a change to take effect (see Change).
type Settings struct {
	N8N        N8NSettings        `json:"n8n"`
	ElevenLabs ElevenLabsSettings `json:"elevenlabs"`
	Whisper    WhisperSettings    `json:"whisper"`
	RabbitMQ   RabbitMQSettings   `json:"rabbitmq"`
	Audio      AudioSettings      `json:"audio"`
	Response   ResponseSettings   `json:"response"`
	Hotkeys    HotkeySettings     `json:"hotkeys"`
	Typing     TypingSettings     `json:"typing"`
	General    GeneralSettings    `json:"general"`
}

// N8NSettings is how Tonny (an n8n webhook) is reached. The auth header value and the HMAC secret are in the
// keychain.
type N8NSettings struct {
	// WebhookURL is the full production webhook URL as pasted by the admin; "" means not configured yet.
	WebhookURL string `json:"webhook_url"`
	// AuthHeaderName is the header n8n's Header auth checks; its value comes from the keychain.
	AuthHeaderName string `json:"auth_header_name"`
	// SignRequests adds X-Tonny-Timestamp and X-Tonny-Signature (HMAC-SHA256 with the keychain secret).
	SignRequests bool `json:"sign_requests"`
	// ConnectTimeoutS bounds dialing and the TLS handshake.
	ConnectTimeoutS int `json:"connect_timeout_s" validate:"range=1:120"`
	// ReplyTimeoutS bounds the whole request: n8n holds it open while the workflow runs.
	ReplyTimeoutS int `json:"reply_timeout_s" validate:"range=1:600"`
	// HealthURL is an optional status URL (e.g. https://host/healthz/readiness); "" means none.
	HealthURL string `json:"health_url"`
}

// ElevenLabsSettings is the text-to-speech voice. The API key is in the keychain.
type ElevenLabsSettings struct {
	// VoiceID is the default voice; a profile may override it.
	VoiceID string `json:"voice_id"`
	// ModelID is the synthesis model; flash is the low-latency choice for replies.
	ModelID string `json:"model_id"`
	// LanguageCode is an optional ISO 639-1 code; only the v2.5 Flash/Turbo models accept it.
	LanguageCode string `json:"language_code"`
	// Stability: lower is more expressive.
	Stability float64 `json:"stability" validate:"range=0:1"`
	// SimilarityBoost: how closely to stick to the original voice.
	SimilarityBoost float64 `json:"similarity_boost" validate:"range=0:1"`
	// Style exaggeration; non-zero costs latency.
	Style float64 `json:"style" validate:"range=0:1"`
	// UseSpeakerBoost raises similarity at some latency cost.
	UseSpeakerBoost bool `json:"use_speaker_boost"`
	// Speed of speech; ElevenLabs accepts 0.7 to 1.2.
	Speed float64 `json:"speed" validate:"range=0.7:1.2"`
	// CacheMB caps the on-disk cache of synthesized replies; 0 turns caching off.
	CacheMB int `json:"cache_mb" validate:"range=0:10240"`
}

// WhisperSettings is the WhisperLiveKit speech server: how TonnyTray starts it (when managed) and reaches it.
// The API token is in the keychain.
type WhisperSettings struct {
	// Command starts the server: "whisperlivekit-server", "wlk", "uv run whisperlivekit-server" or any
	// command line (split on spaces, no shell). Ignored when not managed.
	Command string `json:"command" restart:"whisper-server"`
	// Managed means TonnyTray starts, watches and stops the server; otherwise it only connects.
	Managed bool `json:"managed" restart:"whisper-server"`
	// Host is the bind address when managed, the server's host otherwise.
	Host string `json:"host" restart:"whisper-server"`
	// Port of the server (WhisperLiveKit's default is 8000).
	Port int `json:"port" validate:"range=1:65535" restart:"whisper-server"`
	// TLS connects with wss/https; only for a server TonnyTray does not manage.
	TLS bool `json:"tls" restart:"whisper-server"`
	// Model is a WhisperLiveKit model size (tiny … large-v3-turbo) or an absolute path to local weights.
	Model string `json:"model" restart:"whisper-server"`
	// Language is "auto" or an ISO 639 code such as "en".
	Language string `json:"language" restart:"whisper-server"`
	// Backend is WhisperLiveKit's --backend; "" leaves the flag out (the server's own default).
	Backend string `json:"backend" restart:"whisper-server"`
	// BackendPolicy is WhisperLiveKit's --backend-policy (simulstreaming or localagreement); "" leaves the
	// flag out.
	BackendPolicy string `json:"backend_policy" restart:"whisper-server"`
	// Diarization turns on speaker diarization (needs extra server packages).
	Diarization bool `json:"diarization" restart:"whisper-server"`
	// WarmupFile is an absolute path to a local WAV used to warm the model up; "" skips warm-up, which keeps
	// the server from fetching jfk.wav from GitHub.
	WarmupFile string `json:"warmup_file" restart:"whisper-server"`
	// ExtraArgs are appended to the server command line (e.g. "--no-vac"); flags owned by other settings are
	// refused here.
	ExtraArgs []string `json:"extra_args" restart:"whisper-server"`
	// StartupTimeoutS is how long the server may take to load its model before it counts as failed.
	StartupTimeoutS int `json:"startup_timeout_s" validate:"range=5:3600"`
}

// RabbitMQSettings is the optional event bus. The password is in the keychain, never in URL.
type RabbitMQSettings struct {
	// Enabled turns publishing on.
	Enabled bool `json:"enabled" restart:"bus"`
	// URL is amqp(s)://user@host:port/vhost, without a password.
	URL string `json:"url" restart:"bus"`
	// Exchange receives the events; amq.topic needs no declaration.
	Exchange string `json:"exchange" restart:"bus"`
	// HostID names this machine (room) in events; "" means the machine's host name.
	HostID string `json:"host_id" restart:"bus"`
}

// AudioSettings is microphone capture and playback.
type AudioSettings struct {
	// Mode is how listening starts and stops: push_to_talk, toggle, voice_activation or continuous.
	Mode string `json:"mode" validate:"oneof=push_to_talk toggle voice_activation continuous"`
	// InputDevice is the capture device name; "" is the system default.
	InputDevice string `json:"input_device" restart:"audio"`
	// OutputDevice is the playback device name; "" is the system default.
	OutputDevice string `json:"output_device" restart:"audio"`
	// VADAggressiveness is the WebRTC VAD mode: 0 lets most sound through, 3 filters hardest.
	VADAggressiveness int `json:"vad_aggressiveness" validate:"range=0:3"`
	// SilenceMs of silence ends an utterance.
	SilenceMs int `json:"silence_ms" validate:"range=100:10000"`
	// PrerollMs of audio before speech onset is kept so first syllables are not cut.
	PrerollMs int `json:"preroll_ms" validate:"range=0:5000"`
	// SampleRate of capture; WhisperLiveKit's --pcm-input expects 16 kHz, so only 16000 is accepted.
	SampleRate int `json:"sample_rate" restart:"audio"`
	// MuteWhileSpeaking stops transcribing while Tonny speaks, so it never hears its own voice.
	MuteWhileSpeaking bool `json:"mute_while_speaking"`
	// KeepWarm keeps the microphone recording into memory between utterances, so even the first
	// milliseconds after a key press are there (a sound server can take half a second to start a new
	// stream). Off by default: the desktop then shows the microphone in use all the time. Audio is never
	// written to disk or sent anywhere outside an utterance.
	KeepWarm bool `json:"keep_warm"`
}

// ResponseSettings is how Tonny's replies reach the user.
type ResponseSettings struct {
	// Mode is text (shown), voice (spoken) or both.
	Mode string `json:"mode" validate:"oneof=text voice both"`
	// Volume of spoken replies and cues, 0 to 1.
	Volume float64 `json:"volume" validate:"range=0:1"`
	// CuesEnabled plays short sounds on start, stop and error (each can be turned off below).
	CuesEnabled bool `json:"cues_enabled"`
	// CueStart, CueStop and CueError switch the single cues: listening started, stopped, something failed.
	CueStart bool `json:"cue_start"`
	CueStop  bool `json:"cue_stop"`
	CueError bool `json:"cue_error"`
	// CueVolume scales the cues against the reply volume, 0 to 1.
	CueVolume float64 `json:"cue_volume" validate:"range=0:1"`
	// Notifications shows desktop notifications for replies and failures.
	Notifications bool `json:"notifications"`
	// BargeIn stops speaking when the user starts talking.
	BargeIn bool `json:"barge_in"`
	// TypeReplies types Tonny's text reply into the focused window, as if dictated.
	TypeReplies bool `json:"type_replies"`
}

// HotkeySettings are the global shortcuts, written as modifiers plus one key ("Ctrl+Shift+V"); "" means none.
type HotkeySettings struct {
	// Toggle starts and stops listening.
	Toggle string `json:"toggle" restart:"hotkeys"`
	// Pause pauses and resumes TonnyTray.
	Pause string `json:"pause" restart:"hotkeys"`
	// PushToTalk listens while held.
	PushToTalk string `json:"push_to_talk" restart:"hotkeys"`
	// DoubleTapLock: a double tap of the push-to-talk key keeps listening until the next tap.
	DoubleTapLock bool `json:"double_tap_lock"`
	// HoldThresholdMs ignores push-to-talk presses shorter than this (accidental taps); 0 turns it off.
	HoldThresholdMs int `json:"hold_threshold_ms" validate:"range=0:2000"`
}

// TypingSettings is how dictated text is inserted into the focused window.
type TypingSettings struct {
	// Enabled turns dictation typing on; when off, dictated text only goes to the clipboard and history.
	Enabled bool `json:"enabled"`
	// Method picks the insertion tool; auto detects it from the session (X11, wlroots, GNOME, KDE).
	Method string `json:"method" validate:"oneof=auto xdotool wtype ydotool dotool portal clipboard"`
	// KeyDelayMs between typed characters; xdotool drops CJK characters below ~50 ms.
	KeyDelayMs int `json:"key_delay_ms" validate:"range=0:1000"`
	// ClipboardRestoreMs waits this long after a paste before restoring the old clipboard; 0 does not restore.
	ClipboardRestoreMs int `json:"clipboard_restore_ms" validate:"range=0:10000"`
	// Replacements turn spoken phrases into what is typed ("comma" → ","), applied to dictation before it is
	// typed; at most MaxReplacements.
	Replacements []Replacement `json:"replacements"`
	// Capitalize upper-cases the first letter after a replaced . ? ! or new line.
	Capitalize bool `json:"capitalize"`
}

// Replacement is one dictation rule: a spoken phrase and what is typed instead. It has the shape of
// pipeline.Replacement (settings does not import pipeline), so pipeline.Replacement(r) converts it.
type Replacement struct {
	// From is the spoken phrase, matched as whole words regardless of case.
	From string `json:"from"`
	// To is typed instead. It is edited in a one-line field, so `\n` (backslash, n) is a new line, `\t` a tab
	// and `\\` a backslash; "" deletes the phrase.
	To string `json:"to"`
}

// UnmarshalJSON decodes a rule from scratch. encoding/json reuses the elements of a slice it decodes into,
// so without this a rule missing "to" in an imported file would keep the "to" of the default rule it lands on.
func (r *Replacement) UnmarshalJSON(data []byte) error {
	type plain Replacement // no methods: no recursion
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	*r = Replacement(p)
	return nil
}

// Limits of TypingSettings.Replacements.
const (
	MaxReplacements     = 200
	MaxReplacementRunes = 100
)

// defaultReplacements are English spoken punctuation. Dash and hyphen are left out: too many false positives.
func defaultReplacements() []Replacement {
	return []Replacement{
		{From: "comma", To: ","},
		{From: "period", To: "."},
		{From: "full stop", To: "."},
		{From: "question mark", To: "?"},
		{From: "exclamation mark", To: "!"},
		{From: "exclamation point", To: "!"},
		{From: "colon", To: ":"},
		{From: "semicolon", To: ";"},
		{From: "new line", To: `\n`},
		{From: "new paragraph", To: `\n\n`},
		{From: "open paren", To: "("},
		{From: "close paren", To: ")"},
	}
}

// GeneralSettings is everything else.
type GeneralSettings struct {
	// CommandPrefix marks an utterance as a command for Tonny ("Computer, lights on"); "" disables prefix
	// routing.
	CommandPrefix string `json:"command_prefix"`
	// DefaultRoute is where an utterance without the prefix goes: dictation or command.
	DefaultRoute string `json:"default_route" validate:"oneof=dictation command"`
	// LogLevel is the minimum level written to the log table and file.
	LogLevel string `json:"log_level" validate:"oneof=debug info warn error"`
	// RetentionDays keeps history and logs this long; 0 keeps them forever.
	RetentionDays int `json:"retention_days" validate:"range=0:3650"`
	// KeepHistory stores utterances and conversations; off keeps no history at all.
	KeepHistory bool `json:"keep_history"`
	// HealthCheckIntervalS is how often service health is probed.
	HealthCheckIntervalS int `json:"health_check_interval_s" validate:"range=5:3600"`
	// StartHidden starts in the tray without opening the window.
	StartHidden bool `json:"start_hidden"`
	// CloseToTray hides the window on close instead of quitting.
	CloseToTray bool `json:"close_to_tray"`
	// LaunchAtLogin installs an autostart entry.
	LaunchAtLogin bool `json:"launch_at_login"`
	// KeyringBackend picks the keychain: auto, secret-service, kwallet, keyctl or file.
	KeyringBackend string `json:"keyring_backend" validate:"oneof=auto secret-service kwallet keyctl file" restart:"keyring"`
	// Theme of the window: system, light or dark.
	Theme string `json:"theme" validate:"oneof=system light dark"`
	// SetupComplete is set when the first-run wizard was finished or skipped; until then the window opens on it.
	SetupComplete bool `json:"setup_complete"`
}

// Defaults returns the settings of a fresh install. They validate clean.
func Defaults() Settings {
	return Settings{
		N8N: N8NSettings{
			WebhookURL:      "",
			AuthHeaderName:  "X-Tonny-Key",
			SignRequests:    false,
			ConnectTimeoutS: 10,
			ReplyTimeoutS:   45, // the n8n spec suggests 30–60 s for a spoken reply
			HealthURL:       "",
		},
		ElevenLabs: ElevenLabsSettings{
			VoiceID:         "21m00Tcm4TlvDq8ikWAM", // premade "Rachel", the seeds' example voice
			ModelID:         "eleven_flash_v2_5",
			LanguageCode:    "",
			Stability:       0.5,
			SimilarityBoost: 0.75,
			Style:           0,
			UseSpeakerBoost: true,
			Speed:           1.0,
			CacheMB:         100,
		},
		Whisper: WhisperSettings{
			Command:         "whisperlivekit-server",
			Managed:         true,
			Host:            "127.0.0.1",
			Port:            8000,
			TLS:             false,
			Model:           "base",
			Language:        "auto",
			Backend:         "", // "" passes no flag: servers before 0.2.14 know neither "auto" nor --backend-policy
			BackendPolicy:   "",
			Diarization:     false,
			WarmupFile:      "",
			ExtraArgs:       []string{},
			StartupTimeoutS: 600, // a first start downloads the model (minutes); an exit is caught at once anyway
		},
		RabbitMQ: RabbitMQSettings{
			Enabled:  false,
			URL:      "amqp://guest@127.0.0.1:5672/",
			Exchange: "amq.topic",
			HostID:   "",
		},
		Audio: AudioSettings{
			Mode:              AudioToggle,
			InputDevice:       "",
			OutputDevice:      "",
			VADAggressiveness: 2,
			SilenceMs:         800,
			PrerollMs:         300,
			SampleRate:        16000,
			MuteWhileSpeaking: true,
		},
		Response: ResponseSettings{
			Mode:          ResponseBoth,
			Volume:        0.8,
			CuesEnabled:   true,
			CueStart:      true,
			CueStop:       true,
			CueError:      true,
			CueVolume:     0.6,
			Notifications: true,
			BargeIn:       true,
			TypeReplies:   false,
		},
		Hotkeys: HotkeySettings{
			Toggle:          "Ctrl+Shift+V",
			Pause:           "Ctrl+Shift+P",
			PushToTalk:      "",
			DoubleTapLock:   false,
			HoldThresholdMs: 0,
		},
		Typing: TypingSettings{
			Enabled:            true,
			Method:             "auto",
			KeyDelayMs:         50,
			ClipboardRestoreMs: 300,
			Replacements:       defaultReplacements(),
			Capitalize:         true,
		},
		General: GeneralSettings{
			CommandPrefix:        "Computer",
			DefaultRoute:         RouteDictation,
			LogLevel:             "info",
			RetentionDays:        30,
			KeepHistory:          true,
			HealthCheckIntervalS: 30,
			StartHidden:          false,
			CloseToTray:          true,
			LaunchAtLogin:        false,
			KeyringBackend:       "auto",
			Theme:                "system",
		},
	}
}

// Clone returns a deep copy: the copy shares no slice with s.
func (s Settings) Clone() Settings {
	c := s
	c.Whisper.ExtraArgs = slices.Clone(s.Whisper.ExtraArgs)
	if c.Whisper.ExtraArgs == nil {
		c.Whisper.ExtraArgs = []string{}
	}
	c.Typing.Replacements = slices.Clone(s.Typing.Replacements)
	if c.Typing.Replacements == nil {
		c.Typing.Replacements = []Replacement{}
	}
	return c
}

// Audio capture modes (AudioSettings.Mode).
const (
	AudioPushToTalk      = "push_to_talk"
	AudioToggle          = "toggle"
	AudioVoiceActivation = "voice_activation"
	AudioContinuous      = "continuous"
)

// Response modes (ResponseSettings.Mode).
const (
	ResponseText  = "text"
	ResponseVoice = "voice"
	ResponseBoth  = "both"
)

// Routes for an utterance without the command prefix (GeneralSettings.DefaultRoute).
const (
	RouteDictation = "dictation"
	RouteCommand   = "command"
)

// Parts named in Change.RestartNeeded.
const (
	PartWhisperServer = "whisper-server"
	PartAudio         = "audio"
	PartHotkeys       = "hotkeys"
	PartBus           = "bus"
	PartKeyring       = "keyring"
)

// Keys of ImportResult.Secrets: where a secret found in an imported file belongs in the keychain.
const (
	SecretN8NAuth          = "n8n.auth"
	SecretN8NHMAC          = "n8n.hmac"
	SecretElevenLabsAPIKey = "elevenlabs.api_key"
	SecretRabbitMQPassword = "rabbitmq.password"
	SecretWhisperAPIToken  = "whisper.api_token"
)
