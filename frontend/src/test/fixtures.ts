// Test data shaped like the backend's answers. defaultSettings mirrors settings.Defaults() in
// backend/settings/settings.go.
import type {
  AppState,
  CommandState,
  HotkeyStatus,
  Dictation,
  LogEntry,
  N8NTest,
  OutboxEntry,
  OutboxState,
  ServerState,
  Settings,
  SpeechState,
  Snapshot,
  TypingStatus,
  VoiceInfo,
} from "../api";
import { newProfile, type Family, type Member, type Profile } from "../api/family";

export const defaultSettings: Settings = {
  n8n: { webhook_url: "", auth_header_name: "X-Tonny-Key", sign_requests: false, connect_timeout_s: 10, reply_timeout_s: 45, health_url: "" },
  elevenlabs: {
    voice_id: "21m00Tcm4TlvDq8ikWAM",
    model_id: "eleven_flash_v2_5",
    language_code: "",
    stability: 0.5,
    similarity_boost: 0.75,
    style: 0,
    use_speaker_boost: true,
    speed: 1,
    cache_mb: 100,
  },
  whisper: {
    command: "whisperlivekit-server",
    managed: true,
    host: "127.0.0.1",
    port: 8000,
    tls: false,
    model: "base",
    language: "auto",
    backend: "auto",
    backend_policy: "simulstreaming",
    diarization: false,
    warmup_file: "",
    extra_args: [],
    startup_timeout_s: 600,
  },
  rabbitmq: { enabled: false, url: "amqp://guest@127.0.0.1:5672/", exchange: "amq.topic", host_id: "" },
  audio: {
    mode: "toggle",
    input_device: "",
    output_device: "",
    vad_aggressiveness: 2,
    silence_ms: 800,
    preroll_ms: 300,
    sample_rate: 16000,
    mute_while_speaking: true,
    keep_warm: false,
  },
  response: { mode: "both", volume: 0.8, cues_enabled: true, cue_start: true, cue_stop: true, cue_error: true, cue_volume: 0.6, notifications: true, barge_in: true, type_replies: false },
  hotkeys: { toggle: "Ctrl+Shift+V", pause: "Ctrl+Shift+P", push_to_talk: "", double_tap_lock: false, hold_threshold_ms: 0 },
  typing: {
    enabled: true,
    method: "auto",
    key_delay_ms: 50,
    clipboard_restore_ms: 300,
    replacements: [
      { from: "comma", to: "," },
      { from: "period", to: "." },
      { from: "full stop", to: "." },
      { from: "question mark", to: "?" },
      { from: "exclamation mark", to: "!" },
      { from: "exclamation point", to: "!" },
      { from: "colon", to: ":" },
      { from: "semicolon", to: ";" },
      { from: "new line", to: "\\n" },
      { from: "new paragraph", to: "\\n\\n" },
      { from: "open paren", to: "(" },
      { from: "close paren", to: ")" },
    ],
    capitalize: true,
  },
  general: {
    command_prefix: "Computer",
    default_route: "dictation",
    log_level: "info",
    retention_days: 30,
    keep_history: true,
    health_check_interval_s: 30,
    start_hidden: false,
    close_to_tray: true,
    launch_at_login: false,
    keyring_backend: "auto",
    theme: "system",
    setup_complete: true,
  },
};

export function makeSnapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    version: "test",
    settings: structuredClone(defaultSettings),
    secrets: [
      { key: "elevenlabs.api_key", label: "ElevenLabs API key", configured: false },
      { key: "n8n.auth", label: "n8n auth header value", configured: true },
    ],
    keychain: { backend: "keyctl", ok: true, locked: false, detail: "" },
    services: [
      { service: "store", state: "ok", detail: "database open" },
      { service: "whisper-server", state: "stopped", detail: "stopped" },
      { service: "microphone", state: "unavailable", detail: "not available yet" },
    ],
    store: { path: "/tmp/t.db", sizeBytes: 4096, rows: { logs: 3 } },
    paths: { database: "/tmp/t.db", logFile: "/tmp/t.log", socket: "/tmp/t.sock" },
    server: serverState(),
    outbox: outboxState(),
    lastCommand: commandState({ id: "", text: "", status: "" }),
    speech: speechState(),
    state: appState(),
    eventsDropped: 0,
    logsDropped: 0,
    uptimeSeconds: 5,
    startedAt: "2025-01-01T00:00:00Z",
    ...over,
  };
}

/** A speech-server state as event.ServerStatePayload sends it; a stopped managed server by default. */
export function serverState(over: Partial<ServerState> = {}): ServerState {
  return {
    state: "stopped",
    pid: 0,
    since: "2025-01-01T00:00:00Z",
    startedAt: "",
    restarts: 0,
    lastError: "",
    nextTry: "",
    reason: "",
    external: false,
    managed: true,
    address: "http://127.0.0.1:8000",
    model: "base",
    version: "",
    warnings: [],
    lastLines: [],
    ...over,
  };
}

export function logEntry(id: number, over: Partial<LogEntry> = {}): LogEntry {
  return {
    id,
    time: new Date(Date.UTC(2025, 0, 1, 12, 0, id)).toISOString(),
    level: "INFO",
    component: "app",
    message: `message ${id}`,
    ...over,
  };
}

/** The n8n outbox as event.OutboxStatePayload sends it; empty and delivering by default. */
export function outboxState(over: Partial<OutboxState> = {}): OutboxState {
  return { pending: 0, failed: 0, oldestAt: "", breaker: "closed", retryAt: "", blocked: "", lastError: "", ...over };
}

/** A command to Tonny as event.CommandStatePayload sends it; a delivered one with a reply by default. */
export function commandState(over: Partial<CommandState> = {}): CommandState {
  return {
    id: "req-1",
    text: "turn on the kitchen lights",
    status: "delivered",
    reply: "The kitchen lights are on.",
    speak: true,
    message: "",
    attempts: 1,
    latencyMs: 840,
    at: "2025-01-01T12:00:00Z",
    ...over,
  };
}

/** One waiting outbox command (daemon.OutboxEntry). */
export function outboxEntry(id: number, over: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    id,
    requestId: `req-${id}`,
    text: `command ${id}`,
    status: "pending",
    attempts: 2,
    lastError: "connection refused",
    createdAt: "2025-01-01T12:00:00Z",
    nextAttemptAt: "2025-01-01T12:00:30Z",
    ...over,
  };
}

/** A dictation result (event.DictationPayload); typed with xdotool by default. */
export function dictation(over: Partial<Dictation> = {}): Dictation {
  return { text: "hello world", status: "typed", method: "xdotool", onClipboard: false, message: "", ...over };
}

/** A successful n8n test (daemon.N8NTest). */
export function n8nTest(over: Partial<N8NTest> = {}): N8NTest {
  return { ok: true, class: "reply", status: 200, message: "Tonny answered.", reply: "pong", latencyMs: 120, ...over };
}

/** Typing detection on an X11 session with xdotool (daemon.TypingStatus). */
export function typingStatus(over: Partial<TypingStatus> = {}): TypingStatus {
  return {
    session: "x11",
    desktop: "GNOME",
    chosen: "xdotool",
    clipboard: "xclip",
    summary: "X11 session (GNOME): typing with xdotool.",
    methods: [
      { method: "xdotool", available: true, reason: "" },
      { method: "ydotool", available: false, reason: "ydotoold is not running" },
      { method: "wtype", available: false, reason: "needs a Wayland session" },
    ],
    ...over,
  };
}

/** Tonny's voice as event.SpeechStatePayload sends it; silent by default. */
export function speechState(over: Partial<SpeechState> = {}): SpeechState {
  return { speaking: false, id: "", text: "", underruns: 0, ...over };
}

/** A few ElevenLabs voices as App.Voices returns them; the first is the default settings' voice. */
export function voiceList(): VoiceInfo[] {
  return [
    { id: "21m00Tcm4TlvDq8ikWAM", name: "Rachel", category: "premade", description: "calm, young, female" },
    { id: "pNInz6obpgDQGcFmaJgB", name: "Adam", category: "premade", description: "deep, middle-aged, male" },
    { id: "cloned123", name: "My voice", category: "cloned", description: "" },
  ];
}

/** The app's state as event.AppStatePayload sends it; idle without a profile by default. */
export function appState(over: Partial<AppState> = {}): AppState {
  return { state: "idle", detail: "", profile: "", role: "", ...over };
}

/** Global shortcuts on an X11 session with every binding grabbed (daemon.HotkeyStatus). */
export function hotkeyStatus(over: Partial<HotkeyStatus> = {}): HotkeyStatus {
  return {
    available: true,
    reason: "",
    conflicts: {},
    active: ["pause", "push_to_talk", "toggle"],
    commands: {
      toggle: "/usr/bin/tonnytray toggle",
      pause: "/usr/bin/tonnytray pause",
      push_to_talk: "/usr/bin/tonnytray ptt-start / /usr/bin/tonnytray ptt-stop",
    },
    ...over,
  };
}

export function profile(over: Partial<Profile> = {}): Profile {
  return { ...newProfile(), id: 1, name: "Dad", role: "admin", ...over };
}

export function member(over: Partial<Profile> = {}, stats: Partial<Member["stats"]> = {}): Member {
  return { profile: profile(over), stats: { commands: 0, successes: 0, avgLatencyMs: 0, ...stats } };
}

/** Dad (admin, active, with a PIN), Sam (user) and Mia (child with a quick action). */
export function family(over: Partial<Family> = {}): Family {
  return {
    members: [
      member({ id: 1, name: "Dad", role: "admin", color: "#1e88e5", hasPin: true }, { commands: 12, successes: 11, avgLatencyMs: 240 }),
      member({ id: 2, name: "Sam", role: "user", avatar: "🐱" }),
      member(
        { id: 3, name: "Mia", role: "child", allowed: ["lights"], quickActions: [{ name: "Night light", command: "turn on the night light" }] },
        { commands: 3, successes: 3, avgLatencyMs: 180 },
      ),
    ],
    active: "Dad",
    needsPin: false,
    canManage: true,
    ...over,
  };
}
