// The app's state as the tray icon shows it, and the global shortcuts' status: plain mirrors of
// event.AppStatePayload (backend/event/payloads.go, sent as `app:state` and as Snapshot.state) and
// daemon.HotkeyStatus (backend/daemon/hotkeys.go, App.HotkeyStatus), with their parsers.

/** The states the backend sends, most important first (backend/daemon/state.go). */
export type AppStateName = "paused" | "error" | "listening" | "speaking" | "processing" | "idle";

export const APP_STATE_NAMES: readonly AppStateName[] = ["paused", "error", "listening", "speaking", "processing", "idle"];

/** What the app is doing (event.AppStatePayload). */
export interface AppState {
  /** One of AppStateName; kept as string so an unknown future state still renders. */
  state: string;
  /** Why, for "paused" and "error". */
  detail: string;
  /** The active profile's name; "" = none chosen. */
  profile: string;
  /** The active profile's role (admin, user, guest, child); "" = none chosen. */
  role: string;
}

export const IDLE_APP_STATE: AppState = { state: "idle", detail: "", profile: "", role: "" };

/** True for a state this UI knows. */
export function isAppStateName(s: string): s is AppStateName {
  return (APP_STATE_NAMES as readonly string[]).includes(s);
}

/** Which global shortcuts work on this desktop session, and what to bind where they cannot (daemon.HotkeyStatus). */
export interface HotkeyStatus {
  available: boolean;
  /** Why they are unavailable, or a caveat (XWayland). */
  reason: string;
  /** Binding name ("toggle", "pause", "push_to_talk") → why it could not be grabbed. */
  conflicts: Record<string, string>;
  /** The names of the grabbed bindings. */
  active: string[];
  /** Binding name → the command line to bind in the desktop's own shortcut settings. */
  commands: Record<string, string>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

function strRecord(v: unknown): Record<string, string> {
  if (!isObj(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
  return out;
}

/** An app state, or null without a string `state` (Go always sends it). An unknown state is kept as it is. */
export function parseAppState(raw: unknown): AppState | null {
  if (!isObj(raw) || str(raw.state) === null || raw.state === "") return null;
  return {
    state: raw.state as string,
    detail: str(raw.detail) ?? "",
    profile: str(raw.profile) ?? "",
    role: str(raw.role) ?? "",
  };
}

/** The shortcuts' status, filling Go's nulls; a malformed answer counts as unavailable. */
export function parseHotkeyStatus(raw: unknown): HotkeyStatus {
  if (!isObj(raw)) return { available: false, reason: "The backend gave no shortcut status.", conflicts: {}, active: [], commands: {} };
  return {
    available: raw.available === true,
    reason: str(raw.reason) ?? "",
    conflicts: strRecord(raw.conflicts),
    active: Array.isArray(raw.active) ? raw.active.filter((x): x is string => typeof x === "string") : [],
    commands: strRecord(raw.commands),
  };
}
