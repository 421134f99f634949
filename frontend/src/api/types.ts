// Plain TypeScript mirrors of the Go types the bound App methods take and return. The JSON keys are exactly
// the Go json tags (backend/settings/settings.go, backend/daemon/ops.go, app.go). The generated
// wailsjs/go/models.ts declares the same shapes as classes; src/api/modelcheck.ts fails the type check when the
// two drift apart.

import type { AppState } from "./appState";
import type { SpeechState } from "./speech";
import type { CommandState, OutboxState } from "./tonny";

/** How Tonny (an n8n webhook) is reached. The auth header value and HMAC secret live in the keychain. */
export interface N8NSettings {
  webhook_url: string;
  auth_header_name: string;
  sign_requests: boolean;
  connect_timeout_s: number;
  reply_timeout_s: number;
  health_url: string;
}

/** The ElevenLabs text-to-speech voice. The API key lives in the keychain. */
export interface ElevenLabsSettings {
  voice_id: string;
  model_id: string;
  language_code: string;
  stability: number;
  similarity_boost: number;
  style: number;
  use_speaker_boost: boolean;
  speed: number;
  cache_mb: number;
}

/** The WhisperLiveKit speech server. */
export interface WhisperSettings {
  command: string;
  managed: boolean;
  host: string;
  port: number;
  tls: boolean;
  model: string;
  language: string;
  backend: string;
  backend_policy: string;
  diarization: boolean;
  warmup_file: string;
  extra_args: string[];
  startup_timeout_s: number;
}

/** The optional RabbitMQ event bus. */
export interface RabbitMQSettings {
  enabled: boolean;
  url: string;
  exchange: string;
  host_id: string;
}

export type AudioMode = "push_to_talk" | "toggle" | "voice_activation" | "continuous";

/** Microphone capture and playback. */
export interface AudioSettings {
  mode: string;
  input_device: string;
  output_device: string;
  vad_aggressiveness: number;
  silence_ms: number;
  preroll_ms: number;
  sample_rate: number;
  mute_while_speaking: boolean;
  /** Keep the microphone recording into memory between utterances (never to disk or the network). */
  keep_warm: boolean;
}

/** How Tonny's replies reach the user. */
export interface ResponseSettings {
  mode: string;
  volume: number;
  cues_enabled: boolean;
  cue_start: boolean;
  cue_stop: boolean;
  cue_error: boolean;
  cue_volume: number;
  notifications: boolean;
  barge_in: boolean;
  /** Type Tonny's text reply into the focused window, as if dictated. */
  type_replies: boolean;
}

/** Global shortcuts ("Ctrl+Shift+V"; "" means none). */
export interface HotkeySettings {
  toggle: string;
  pause: string;
  push_to_talk: string;
  double_tap_lock: boolean;
  hold_threshold_ms: number;
}

/** How dictated text is inserted into the focused window. */
export interface TypingSettings {
  enabled: boolean;
  method: string;
  key_delay_ms: number;
  clipboard_restore_ms: number;
  /** Spoken phrases replaced before dictation is typed ("comma" → ","), longest phrase first. */
  replacements: Replacement[];
  /** Upper-case the first letter after a replaced . ? ! or new line. */
  capitalize: boolean;
}

/** One dictation rule. In `to`, the two characters \n mean a new line and \t a tab. */
export interface Replacement {
  from: string;
  to: string;
}

/** Everything else. */
export interface GeneralSettings {
  command_prefix: string;
  default_route: string;
  log_level: string;
  retention_days: number;
  keep_history: boolean;
  health_check_interval_s: number;
  start_hidden: boolean;
  close_to_tray: boolean;
  launch_at_login: boolean;
  keyring_backend: string;
  theme: string;
  /** The first-run wizard was finished or skipped. */
  setup_complete: boolean;
}

/** Every user-adjustable setting, grouped by capability (snake_case keys as in Go's json tags). */
export interface Settings {
  n8n: N8NSettings;
  elevenlabs: ElevenLabsSettings;
  whisper: WhisperSettings;
  rabbitmq: RabbitMQSettings;
  audio: AudioSettings;
  response: ResponseSettings;
  hotkeys: HotkeySettings;
  typing: TypingSettings;
  general: GeneralSettings;
}

export type SettingsGroup = keyof Settings;

/** One validation problem; `field` is a json path such as "whisper.port". */
export interface FieldError {
  field: string;
  message: string;
}

export interface SecretStatus {
  key: string;
  label: string;
  configured: boolean;
}

export interface KeychainStatus {
  backend: string;
  ok: boolean;
  /** Present but locked (the encrypted file before its password is given, or a locked login keyring). */
  locked: boolean;
  detail: string;
}

export type ServiceStateName = "ok" | "degraded" | "down" | "stopped" | "unavailable";

export interface ServiceStatus {
  service: string;
  /** One of ServiceStateName; kept as string so an unknown future state still renders. */
  state: string;
  detail: string;
}

/** The supervised speech server's life cycle (backend/supervisor). */
export type ServerStateName = "stopped" | "starting" | "running" | "backoff" | "stopping" | "failed";

/** What the Dashboard's speech-server card can ask for (App.ControlSpeechServer). */
export type ServerAction = "start" | "stop" | "restart";

/**
 * The speech server's (WhisperLiveKit) state: event.ServerStatePayload in backend/event/payloads.go, sent as
 * `server:state` and as Snapshot.server. Times are RFC 3339 UTC or "".
 */
export interface ServerState {
  /** One of ServerStateName; kept as string so an unknown future state still renders. */
  state: string;
  pid: number;
  /** When this state began; "starting" since then means loading (maybe downloading) the model. */
  since: string;
  /** When the current process started (uptime). */
  startedAt: string;
  /** Restarts in the current window. */
  restarts: number;
  lastError: string;
  /** Backoff: when the next start happens. */
  nextTry: string;
  /** Failed: why, with the server's last output. */
  reason: string;
  /** Adopted: someone else started it; TonnyTray never stops it. */
  external: boolean;
  managed: boolean;
  address: string;
  model: string;
  version: string;
  warnings: string[];
  lastLines: string[];
}

export interface StoreStatus {
  path: string;
  sizeBytes: number;
  rows: Record<string, number>;
}

export interface Paths {
  database: string;
  logFile: string;
  socket: string;
}

/** The whole backend state the UI renders on mount (events sent before subscribing are lost). */
export interface Snapshot {
  version: string;
  settings: Settings;
  secrets: SecretStatus[];
  keychain: KeychainStatus;
  services: ServiceStatus[];
  store: StoreStatus;
  paths: Paths;
  server: ServerState;
  /** The n8n outbox at a glance. */
  outbox: OutboxState;
  /** The latest command to Tonny; id "" = none since start. */
  lastCommand: CommandState;
  /** Whether Tonny is speaking now. */
  speech: SpeechState;
  /** What the app is doing, as the tray icon shows it. */
  state: AppState;
  eventsDropped: number;
  logsDropped: number;
  uptimeSeconds: number;
  startedAt: string;
}

export interface SaveResult {
  restartNeeded: string[];
}

export interface ImportResult {
  warnings: string[];
  secretsImported: string[];
  restartNeeded: string[];
}

export type MinLevel = "" | "debug" | "info" | "warn" | "error";

/** The logs query as app.go's LogFilter receives it. */
export interface LogQuery {
  minLevel: MinLevel;
  component: string;
  since: string;
  until: string;
  text: string;
  before: number;
  after: number;
  limit: number;
}

export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

export interface LogEntry {
  id: number;
  time: string;
  /** One of LogLevel in practice; kept as string so an unexpected level still renders. */
  level: string;
  component: string;
  message: string;
  attrs?: Record<string, string>;
}

export interface LogPage {
  entries: LogEntry[];
  nextBefore: number;
}

export type ExportFormat = "json" | "csv";

export type DoctorStatus = "ok" | "warn" | "fail";

export interface DoctorCheck {
  name: string;
  status: string;
  detail: string;
  fix: string;
}

/** What a rejected call's promise carries once normalized by toApiError. */
export interface ApiError {
  code: string;
  message: string;
  fields?: FieldError[];
  /** For wrong_pin and pin_wait: how long until a PIN is checked again; absent = at once. */
  retryAfterMs?: number;
}
