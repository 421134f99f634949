// Declarative description of the Settings form: one entry per settings field, grouped like the Go struct.
// Every leaf of Settings must appear here exactly once (schema.test.ts checks it against a full Settings).
import type { SettingsGroup } from "../../api";

export interface Option {
  value: string;
  label: string;
}

interface Base {
  /** JSON path, e.g. "whisper.port"; also the key of validation errors and the data-testid suffix. */
  path: string;
  label: string;
  description?: string;
}

export type FieldSpec =
  | (Base & { kind: "text"; placeholder?: string; suggestions?: string[] })
  | (Base & { kind: "number"; decimals?: boolean; step?: number; suffix?: string })
  | (Base & { kind: "switch" })
  | (Base & { kind: "select"; options: Option[] })
  | (Base & { kind: "list"; placeholder?: string })
  | (Base & { kind: "device"; direction: "input" | "output" })
  | (Base & { kind: "replacements" });

export interface GroupSpec {
  id: SettingsGroup;
  label: string;
  description: string;
  fields: FieldSpec[];
}

const opts = (...values: string[]): Option[] => values.map((v) => ({ value: v, label: v }));

export const settingsSchema: GroupSpec[] = [
  {
    id: "whisper",
    label: "Speech server",
    description: "WhisperLiveKit: how TonnyTray starts it (when managed) and reaches it.",
    fields: [
      { path: "whisper.managed", kind: "switch", label: "Managed by TonnyTray", description: "Start, watch and stop the server; off means only connect to one that runs already." },
      { path: "whisper.command", kind: "text", label: "Server command", description: "Split on spaces, no shell. Ignored when not managed.", suggestions: ["whisperlivekit-server", "wlk", "uv run whisperlivekit-server"] },
      { path: "whisper.host", kind: "text", label: "Host", description: "Bind address when managed, the server's host otherwise." },
      { path: "whisper.port", kind: "number", label: "Port", description: "1–65535 (WhisperLiveKit's own default is 8000)." },
      { path: "whisper.tls", kind: "switch", label: "Use TLS (wss/https)", description: "Only for a server TonnyTray does not manage." },
      { path: "whisper.model", kind: "text", label: "Model", description: "A model size or an absolute path to local weights.", suggestions: ["tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium", "medium.en", "large-v3", "large-v3-turbo"] },
      { path: "whisper.language", kind: "text", label: "Language", description: "\"auto\" or an ISO 639 code such as \"en\".", suggestions: ["auto", "en", "de", "fr", "es", "it", "nl", "pt"] },
      { path: "whisper.backend", kind: "text", label: "Backend", description: "WhisperLiveKit's --backend.", suggestions: ["auto", "faster-whisper", "whisper", "mlx-whisper", "openai-api", "voxtral"] },
      { path: "whisper.backend_policy", kind: "text", label: "Backend policy", description: "WhisperLiveKit's --backend-policy.", suggestions: ["simulstreaming", "localagreement"] },
      { path: "whisper.diarization", kind: "switch", label: "Speaker diarization", description: "Needs extra server packages." },
      { path: "whisper.warmup_file", kind: "text", label: "Warm-up WAV file", description: "Absolute path to a local WAV; empty skips warm-up (and any download)." },
      { path: "whisper.extra_args", kind: "list", label: "Extra server arguments", description: "One argument per line, appended to the command line.", placeholder: "--no-vac" },
      { path: "whisper.startup_timeout_s", kind: "number", label: "Start-up timeout", suffix: " s", description: "How long loading the model may take (5–3600 s)." },
    ],
  },
  {
    id: "n8n",
    label: "Tonny (n8n)",
    description: "The n8n webhook that answers commands. The auth header value and signing secret are in Secrets.",
    fields: [
      { path: "n8n.webhook_url", kind: "text", label: "Webhook URL", placeholder: "https://n8n.example.org/webhook/tonny", description: "https is required unless the host is this machine." },
      { path: "n8n.auth_header_name", kind: "text", label: "Auth header name", description: "The header n8n's Header Auth checks; its value is a secret. Empty for a webhook without header auth." },
      { path: "n8n.sign_requests", kind: "switch", label: "Sign requests (HMAC-SHA256)", description: "Adds X-Tonny-Timestamp and X-Tonny-Signature using the signing secret." },
      { path: "n8n.connect_timeout_s", kind: "number", label: "Connect timeout", suffix: " s", description: "Dialing and TLS handshake (1–120 s)." },
      { path: "n8n.reply_timeout_s", kind: "number", label: "Reply timeout", suffix: " s", description: "The whole request, while the workflow runs (1–600 s)." },
      { path: "n8n.health_url", kind: "text", label: "Health URL", description: "Optional status URL; empty means none." },
    ],
  },
  {
    id: "elevenlabs",
    label: "Voice (ElevenLabs)",
    description: "Text-to-speech for Tonny's replies. The API key is in Secrets.",
    fields: [
      { path: "elevenlabs.voice_id", kind: "text", label: "Voice ID" },
      { path: "elevenlabs.model_id", kind: "text", label: "Model", suggestions: ["eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_multilingual_v2", "eleven_v3"], description: "Flash is the low-latency choice for replies." },
      { path: "elevenlabs.language_code", kind: "text", label: "Language code", description: "Optional ISO 639-1; only v2.5 Flash/Turbo accept it." },
      { path: "elevenlabs.stability", kind: "number", decimals: true, step: 0.05, label: "Stability", description: "0–1; lower is more expressive." },
      { path: "elevenlabs.similarity_boost", kind: "number", decimals: true, step: 0.05, label: "Similarity boost", description: "0–1." },
      { path: "elevenlabs.style", kind: "number", decimals: true, step: 0.05, label: "Style exaggeration", description: "0–1; above 0 costs latency." },
      { path: "elevenlabs.use_speaker_boost", kind: "switch", label: "Speaker boost" },
      { path: "elevenlabs.speed", kind: "number", decimals: true, step: 0.05, label: "Speed", description: "0.7–1.2." },
      { path: "elevenlabs.cache_mb", kind: "number", label: "Reply cache size", suffix: " MB", description: "0 turns the cache off." },
    ],
  },
  {
    id: "audio",
    label: "Audio",
    description: "Microphone capture and playback.",
    fields: [
      { path: "audio.mode", kind: "select", label: "Listening mode", options: [
        { value: "push_to_talk", label: "Push to talk" },
        { value: "toggle", label: "Toggle" },
        { value: "voice_activation", label: "Voice activation" },
        { value: "continuous", label: "Continuous" },
      ] },
      { path: "audio.input_device", kind: "device", direction: "input", label: "Input device", description: "Empty means the system default." },
      { path: "audio.output_device", kind: "device", direction: "output", label: "Output device", description: "Empty means the system default." },
      { path: "audio.vad_aggressiveness", kind: "number", label: "Voice detection strictness", description: "0 lets most sound through, 3 filters hardest." },
      { path: "audio.silence_ms", kind: "number", label: "Silence that ends an utterance", suffix: " ms" },
      { path: "audio.preroll_ms", kind: "number", label: "Pre-roll kept before speech", suffix: " ms" },
      { path: "audio.sample_rate", kind: "number", label: "Sample rate", suffix: " Hz", description: "WhisperLiveKit expects 16000." },
      { path: "audio.mute_while_speaking", kind: "switch", label: "Don't listen while Tonny speaks" },
      {
        path: "audio.keep_warm",
        kind: "switch",
        label: "Keep the microphone warm",
        description:
          "Records into memory between utterances so the first moments after a key press are never lost. The desktop then shows the microphone in use all the time. Audio is never written to disk or sent anywhere outside an utterance.",
      },
    ],
  },
  {
    id: "response",
    label: "Replies",
    description: "How Tonny's replies reach you.",
    fields: [
      { path: "response.mode", kind: "select", label: "Reply mode", options: [
        { value: "text", label: "Text" },
        { value: "voice", label: "Voice" },
        { value: "both", label: "Text and voice" },
      ] },
      { path: "response.volume", kind: "number", decimals: true, step: 0.05, label: "Volume", description: "0–1, for replies and cues." },
      { path: "response.cues_enabled", kind: "switch", label: "Sound cues", description: "Short sounds when listening starts and stops, and on errors." },
      { path: "response.cue_start", kind: "switch", label: "Cue when listening starts" },
      { path: "response.cue_stop", kind: "switch", label: "Cue when listening stops" },
      { path: "response.cue_error", kind: "switch", label: "Cue on errors" },
      { path: "response.cue_volume", kind: "number", decimals: true, step: 0.05, label: "Cue volume", description: "0–1, relative to the reply volume." },
      { path: "response.notifications", kind: "switch", label: "Desktop notifications" },
      { path: "response.barge_in", kind: "switch", label: "Stop speaking when I talk" },
      { path: "response.type_replies", kind: "switch", label: "Type Tonny's text replies", description: "Types the reply into the focused window, as if dictated." },
    ],
  },
  {
    id: "hotkeys",
    label: "Hotkeys",
    description: "Global shortcuts written as modifiers plus one key, e.g. Ctrl+Shift+V; empty means none.",
    fields: [
      { path: "hotkeys.toggle", kind: "text", label: "Start/stop listening", placeholder: "Ctrl+Shift+V" },
      { path: "hotkeys.pause", kind: "text", label: "Pause/resume", placeholder: "Ctrl+Shift+P" },
      { path: "hotkeys.push_to_talk", kind: "text", label: "Push to talk (hold)" },
      { path: "hotkeys.double_tap_lock", kind: "switch", label: "Double-tap push-to-talk to lock listening" },
      { path: "hotkeys.hold_threshold_ms", kind: "number", label: "Ignore presses shorter than", suffix: " ms", description: "0 turns it off." },
    ],
  },
  {
    id: "typing",
    label: "Typing",
    description: "How dictated text is inserted into the focused window.",
    fields: [
      { path: "typing.enabled", kind: "switch", label: "Type dictated text", description: "Off: text only goes to the clipboard and history." },
      { path: "typing.method", kind: "select", label: "Method", options: opts("auto", "xdotool", "wtype", "ydotool", "dotool", "portal", "clipboard") },
      { path: "typing.key_delay_ms", kind: "number", label: "Delay between keys", suffix: " ms" },
      { path: "typing.clipboard_restore_ms", kind: "number", label: "Restore clipboard after", suffix: " ms", description: "0 does not restore." },
      { path: "typing.capitalize", kind: "switch", label: "Capitalize after a spoken . ? ! or new line" },
      {
        path: "typing.replacements",
        kind: "replacements",
        label: "Spoken phrases",
        description:
          "Each phrase you say is typed as the text next to it: whole words, any case, longest phrase first. Write \\n for a new line and \\t for a tab; leave it empty to drop the phrase. Remove a rule that fires by mistake.",
      },
    ],
  },
  {
    id: "rabbitmq",
    label: "RabbitMQ",
    description: "Optional event bus for other agents and rooms. The password is in Secrets, never in the URL.",
    fields: [
      { path: "rabbitmq.enabled", kind: "switch", label: "Publish events" },
      { path: "rabbitmq.url", kind: "text", label: "Broker URL", placeholder: "amqp://user@host:5672/" },
      { path: "rabbitmq.exchange", kind: "text", label: "Exchange" },
      { path: "rabbitmq.host_id", kind: "text", label: "Host ID", description: "Names this room in events; empty means the machine's host name." },
    ],
  },
  {
    id: "general",
    label: "General",
    description: "Routing, logging, history and start-up.",
    fields: [
      { path: "general.command_prefix", kind: "text", label: "Command prefix", description: "Marks an utterance as a command (\"Computer, lights on\"); empty disables it." },
      { path: "general.default_route", kind: "select", label: "Without the prefix, send to", options: [
        { value: "dictation", label: "Dictation" },
        { value: "command", label: "Tonny (command)" },
      ] },
      { path: "general.log_level", kind: "select", label: "Log level", options: opts("debug", "info", "warn", "error") },
      { path: "general.retention_days", kind: "number", label: "Keep history and logs for", suffix: " days", description: "0 keeps them forever." },
      { path: "general.keep_history", kind: "switch", label: "Keep history of utterances and conversations" },
      { path: "general.health_check_interval_s", kind: "number", label: "Health check interval", suffix: " s" },
      { path: "general.start_hidden", kind: "switch", label: "Start hidden in the tray" },
      { path: "general.close_to_tray", kind: "switch", label: "Closing the window keeps TonnyTray running" },
      { path: "general.launch_at_login", kind: "switch", label: "Launch at login" },
      { path: "general.keyring_backend", kind: "select", label: "Keychain backend", options: opts("auto", "secret-service", "kwallet", "keyctl", "file") },
      { path: "general.theme", kind: "select", label: "Theme", options: [
        { value: "system", label: "Follow the system" },
        { value: "light", label: "Light" },
        { value: "dark", label: "Dark" },
      ] },
    ],
  },
];

/** Every path the form has an input for. */
export const knownFieldPaths: ReadonlySet<string> = new Set(settingsSchema.flatMap((g) => g.fields.map((f) => f.path)));

/** The spec of one field, of a known kind (the setup wizard shows a few inputs outside the groups). */
export function fieldSpec<K extends FieldSpec["kind"]>(path: string, kind: K): Extract<FieldSpec, { kind: K }> {
  const spec = settingsSchema.flatMap((g) => g.fields).find((f) => f.path === path);
  if (spec?.kind !== kind) throw new Error(`the settings schema has no ${kind} field ${path}`);
  return spec as Extract<FieldSpec, { kind: K }>;
}
