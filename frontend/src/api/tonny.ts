// Tonny (n8n) commands, the outbox that delivers them, and text insertion: plain mirrors of the Go types
// (backend/event/payloads.go, backend/daemon/command.go, outbox.go, route.go) and their parsers. The parsers
// serve both the events (events.ts) and the snapshot/call answers (backend.ts), so a malformed value never
// reaches a component.

/** Where a command to Tonny is: see CommandState.status. */
export type CommandStatus =
  | "queued"
  | "sending"
  | "delivered"
  | "accepted"
  | "retrying"
  | "blocked"
  | "failed"
  | "discarded"
  | "refused";

/**
 * One command to Tonny moving along (event.CommandStatePayload, sent as `command:state` and as
 * Snapshot.lastCommand; id "" = none yet). Message is the human sentence when something went wrong.
 */
export interface CommandState {
  id: string;
  text: string;
  /** One of CommandStatus; kept as string so an unknown future status still renders. */
  status: string;
  reply: string;
  speak: boolean;
  message: string;
  attempts: number;
  /** The delivering attempt's round trip. */
  latencyMs: number;
  /** RFC 3339 UTC. */
  at: string;
}

export type BreakerState = "closed" | "open" | "half-open";

/** The n8n outbox at a glance (event.OutboxStatePayload, `outbox:state` and Snapshot.outbox). Times are RFC 3339 UTC or "". */
export interface OutboxState {
  pending: number;
  failed: number;
  oldestAt: string;
  /** One of BreakerState. */
  breaker: string;
  retryAt: string;
  /** Why delivery is paused until the user acts; "" = not paused. */
  blocked: string;
  /** The last attempt's problem; "" after a delivery. */
  lastError: string;
}

export type DictationStatus = "typed" | "clipboard" | "failed";

/** Dictated text on its way into the focused window (event.DictationPayload, `dictation:done`, TestTyping). */
export interface Dictation {
  text: string;
  /** One of DictationStatus. */
  status: string;
  method: string;
  /** Failed, but the text was kept on the clipboard. */
  onClipboard: boolean;
  message: string;
}

/** SendCommand's answer: the request id and its state at return (daemon.CommandResult). */
export interface CommandResult {
  id: string;
  status: string;
}

/** One waiting command (daemon.OutboxEntry). */
export interface OutboxEntry {
  id: number;
  requestId: string;
  text: string;
  /** "pending" or "failed". */
  status: string;
  attempts: number;
  lastError: string;
  createdAt: string;
  nextAttemptAt: string;
}

/** The outbox with its waiting commands (daemon.OutboxView). */
export interface OutboxView {
  state: OutboxState;
  items: OutboxEntry[];
}

/** The verdict of one test round trip to the webhook (daemon.N8NTest). */
export interface N8NTest {
  ok: boolean;
  /** "reply", "accepted" or an n8n error class. */
  class: string;
  status: number;
  message: string;
  reply: string;
  latencyMs: number;
}

/** One insertion method and whether it works here (daemon.TypingTool). */
export interface TypingTool {
  method: string;
  available: boolean;
  reason: string;
}

/** What can insert text on this desktop session (daemon.TypingStatus). */
export interface TypingStatus {
  /** x11 | wayland | none */
  session: string;
  desktop: string;
  /** The method in use; "" = none works here. */
  chosen: string;
  clipboard: string;
  summary: string;
  methods: TypingTool[];
}

export const NO_COMMAND: CommandState = {
  id: "",
  text: "",
  status: "",
  reply: "",
  speak: false,
  message: "",
  attempts: 0,
  latencyMs: 0,
  at: "",
};

export const EMPTY_OUTBOX: OutboxState = {
  pending: 0,
  failed: 0,
  oldestAt: "",
  breaker: "closed",
  retryAt: "",
  blocked: "",
  lastError: "",
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
/** A count or duration: a finite, non-negative number, else `fallback`. */
const count = (v: unknown, fallback = 0): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : fallback);

/** A command state, or null without an id and a status (Go always sends both; id may be "" = none). */
export function parseCommandState(raw: unknown): CommandState | null {
  if (!isObj(raw) || str(raw.id) === null || str(raw.status) === null) return null;
  return {
    id: raw.id as string,
    text: str(raw.text) ?? "",
    status: raw.status as string,
    reply: str(raw.reply) ?? "",
    speak: raw.speak === true,
    message: str(raw.message) ?? "",
    attempts: count(raw.attempts),
    latencyMs: count(raw.latencyMs),
    at: str(raw.at) ?? "",
  };
}

/** The outbox state, or null without numeric pending and failed counts. */
export function parseOutboxState(raw: unknown): OutboxState | null {
  if (!isObj(raw) || !Number.isFinite(raw.pending) || !Number.isFinite(raw.failed)) return null;
  return {
    pending: count(raw.pending),
    failed: count(raw.failed),
    oldestAt: str(raw.oldestAt) ?? "",
    breaker: str(raw.breaker) || "closed",
    retryAt: str(raw.retryAt) ?? "",
    blocked: str(raw.blocked) ?? "",
    lastError: str(raw.lastError) ?? "",
  };
}

/** A dictation result, or null without its text and status. */
export function parseDictation(raw: unknown): Dictation | null {
  if (!isObj(raw) || str(raw.text) === null || str(raw.status) === null) return null;
  return {
    text: raw.text as string,
    status: raw.status as string,
    method: str(raw.method) ?? "",
    onClipboard: raw.onClipboard === true,
    message: str(raw.message) ?? "",
  };
}

/** One outbox entry, or null without a numeric id. */
export function parseOutboxEntry(raw: unknown): OutboxEntry | null {
  if (!isObj(raw) || typeof raw.id !== "number" || !Number.isFinite(raw.id)) return null;
  return {
    id: raw.id,
    requestId: str(raw.requestId) ?? "",
    text: str(raw.text) ?? "",
    status: str(raw.status) ?? "pending",
    attempts: count(raw.attempts),
    lastError: str(raw.lastError) ?? "",
    createdAt: str(raw.createdAt) ?? "",
    nextAttemptAt: str(raw.nextAttemptAt) ?? "",
  };
}

/** The outbox listing, filling Go's null slice and dropping malformed entries. */
export function parseOutboxView(raw: unknown): OutboxView {
  const o = isObj(raw) ? raw : {};
  const items = Array.isArray(o.items) ? o.items.map(parseOutboxEntry).filter((e): e is OutboxEntry => e !== null) : [];
  return { state: parseOutboxState(o.state) ?? EMPTY_OUTBOX, items };
}

/** The n8n test verdict; a malformed answer counts as a failed test. */
export function parseN8NTest(raw: unknown): N8NTest {
  const o = isObj(raw) ? raw : {};
  return {
    ok: o.ok === true,
    class: str(o.class) ?? "",
    status: count(o.status),
    message: str(o.message) ?? (isObj(raw) ? "" : "The backend gave no verdict."),
    reply: str(o.reply) ?? "",
    latencyMs: count(o.latencyMs),
  };
}

/** The typing detection, filling Go's null slice. */
export function parseTypingStatus(raw: unknown): TypingStatus {
  const o = isObj(raw) ? raw : {};
  const methods = Array.isArray(o.methods)
    ? o.methods.filter(isObj).map((m) => ({ method: str(m.method) ?? "", available: m.available === true, reason: str(m.reason) ?? "" }))
    : [];
  return {
    session: str(o.session) ?? "",
    desktop: str(o.desktop) ?? "",
    chosen: str(o.chosen) ?? "",
    clipboard: str(o.clipboard) ?? "",
    summary: str(o.summary) ?? "",
    methods,
  };
}
