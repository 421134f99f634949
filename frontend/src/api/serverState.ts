// Normalizes the speech server's state (event.ServerStatePayload) wherever it arrives: the server:state event,
// Snapshot.server and ControlSpeechServer's answer. Pure, so events.ts and backend.ts can both use it.
import type { ServerState } from "./types";

/** What the card shows before the backend has said anything (or when an older backend sends no state). */
export const UNKNOWN_SERVER_STATE: ServerState = {
  state: "stopped",
  pid: 0,
  since: "",
  startedAt: "",
  restarts: 0,
  lastError: "",
  nextTry: "",
  reason: "",
  external: false,
  managed: false,
  address: "",
  model: "",
  version: "",
  warnings: [],
  lastLines: [],
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const s = (v: unknown): string => (typeof v === "string" ? v : "");
const n = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/**
 * The typed state, or null when `raw` is not a state at all (no string `state`). Missing fields get their
 * zero value and Go's null slices become empty arrays, so the card never has to guard.
 */
export function parseServerState(raw: unknown): ServerState | null {
  if (!isObj(raw) || typeof raw.state !== "string" || raw.state === "") return null;
  return {
    state: raw.state,
    pid: n(raw.pid),
    since: s(raw.since),
    startedAt: s(raw.startedAt),
    restarts: n(raw.restarts),
    lastError: s(raw.lastError),
    nextTry: s(raw.nextTry),
    reason: s(raw.reason),
    external: raw.external === true,
    managed: raw.managed === true,
    address: s(raw.address),
    model: s(raw.model),
    version: s(raw.version),
    warnings: list(raw.warnings),
    lastLines: list(raw.lastLines),
  };
}
