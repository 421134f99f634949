// Typed map of the backend's events, mirroring backend/event/payloads.go: change both together.
import { useEffect, useRef } from "react";
import { onEvent } from "./backend";
import { parseAppState, type AppState } from "./appState";
import { parseServerState } from "./serverState";
import { parseSpeechState, type SpeechState } from "./speech";
import { parseCommandState, parseDictation, parseOutboxState, type CommandState, type Dictation, type OutboxState } from "./tonny";
import type { LogEntry, ServerState } from "./types";

export interface SettingsChangedPayload {
  changed: string[];
  restartNeeded: string[];
}

export interface SecretChangedPayload {
  key: string;
  configured: boolean;
}

export type LogAppendedPayload = LogEntry;

export type NoticeLevel = "info" | "warning" | "error";

export interface NoticePayload {
  level: NoticeLevel;
  title: string;
  message: string;
}

export interface ServiceStatePayload {
  service: string;
  state: string;
  detail: string;
}

/** The speech server's state (event.ServerStatePayload); the same shape as Snapshot.server. */
export type ServerStatePayload = ServerState;

/** The live transcript of the utterance in progress (event.TranscriptUpdatePayload). */
export interface TranscriptUpdatePayload {
  /** Settled text. */
  committed: string;
  /** The tail that may still change. */
  volatile: string;
  /** The speech server's transcription lag in milliseconds. */
  lagMs: number;
  /** The server cannot keep up with real time. */
  lagGrowing: boolean;
}

/** Milliseconds from the key press (or start of speech) to each step; -1 = not reached (event.UtteranceTimings). */
export interface UtteranceTimings {
  firstSampleMs: number;
  socketReadyMs: number;
  firstPartialMs: number;
  speechEndMs: number;
  finalMs: number;
}

/** A finished utterance (event.TranscriptFinalPayload). With `error` set, `text` is what was heard before it. */
export interface TranscriptFinalPayload {
  text: string;
  mode: string;
  error: string;
  timings: UtteranceTimings;
}

/** "processing": the utterance was captured and its final text is awaited. */
export type ListeningState = "listening" | "processing" | "idle";

/** Whether an utterance is being captured (event.ListeningStatePayload). */
export interface ListeningStatePayload {
  state: ListeningState;
  mode: string;
}

/**
 * The microphone's level, about 15 times a second while it is open (event.AudioLevelPayload), in dBFS: 0 is full
 * scale, -100 digital silence.
 */
export interface AudioLevelPayload {
  rms: number;
  peak: number;
  device: string;
}

/** One command to Tonny moving along (event.CommandStatePayload); the same shape as Snapshot.lastCommand. */
export type CommandStatePayload = CommandState;

/** The n8n outbox at a glance (event.OutboxStatePayload); the same shape as Snapshot.outbox. */
export type OutboxStatePayload = OutboxState;

/** Dictated text on its way into the focused window (event.DictationPayload). */
export type DictationPayload = Dictation;

/** Whether Tonny is speaking, and what (event.SpeechStatePayload); the same shape as Snapshot.speech. */
export type SpeechStatePayload = SpeechState;

/** What the app is doing, as the tray icon shows it (event.AppStatePayload); the same shape as Snapshot.state. */
export type AppStatePayload = AppState;

/** The RabbitMQ publisher (event.BusStatePayload): events wait in the store while the broker is away. */
export interface BusStatePayload {
  state: string; // disabled | connecting | connected | down
  detail: string;
  pending: number;
  published: number;
  returned: number;
}

/** Why the family changed (event.ProfilesChangedPayload); reload Family on it. */
export interface ProfilesChangedPayload {
  /** switched | created | updated | deleted | pin */
  reason: string;
  /** The profile concerned. */
  profile: string;
  /** The active profile after the change. */
  active: string;
}

/** The tray asks the window for the PIN to switch up to `profile` (event.PINNeededPayload). */
export interface PinNeededPayload {
  profile: string;
}

/** Event name → payload type. */
export interface EventMap {
  "settings:changed": SettingsChangedPayload;
  "secret:changed": SecretChangedPayload;
  "log:appended": LogAppendedPayload;
  "app:notice": NoticePayload;
  "service:state": ServiceStatePayload;
  "server:state": ServerStatePayload;
  "transcript:update": TranscriptUpdatePayload;
  "transcript:final": TranscriptFinalPayload;
  "listening:state": ListeningStatePayload;
  "audio:level": AudioLevelPayload;
  "command:state": CommandStatePayload;
  "outbox:state": OutboxStatePayload;
  "dictation:done": DictationPayload;
  "speech:state": SpeechStatePayload;
  "app:state": AppStatePayload;
  "bus:state": BusStatePayload;
  "profiles:changed": ProfilesChangedPayload;
  "profile:pin_needed": PinNeededPayload;
}

export type EventName = keyof EventMap;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** A millisecond figure: a finite number, else `fallback`. */
const ms = (v: unknown, fallback: number): number => (typeof v === "number" && Number.isFinite(v) ? v : fallback);

export const TIMING_KEYS = ["firstSampleMs", "socketReadyMs", "firstPartialMs", "speechEndMs", "finalMs"] as const;

/** Timings with every step a number; a missing, malformed or negative value means "not reached" (-1). */
function parseTimings(v: unknown): UtteranceTimings {
  const o = isObj(v) ? v : {};
  const t = {} as UtteranceTimings;
  for (const k of TIMING_KEYS) {
    const x = ms(o[k], -1);
    t[k] = x < 0 ? -1 : x;
  }
  return t;
}

function strRecord(v: unknown): Record<string, string> | undefined {
  if (!isObj(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = typeof x === "string" ? x : JSON.stringify(x);
  return out;
}

/**
 * Per event, a parser that turns the untyped payload into the typed one (filling nulls Go sends for empty
 * slices) or returns null when the payload does not have the promised shape, so a handler never sees garbage.
 */
export const eventParsers: { [K in EventName]: (raw: unknown) => EventMap[K] | null } = {
  "settings:changed": (raw) =>
    isObj(raw) ? { changed: strList(raw.changed), restartNeeded: strList(raw.restartNeeded) } : null,
  "secret:changed": (raw) =>
    isObj(raw) && str(raw.key) !== null && typeof raw.configured === "boolean"
      ? { key: raw.key as string, configured: raw.configured }
      : null,
  "log:appended": (raw) => {
    if (!isObj(raw) || typeof raw.id !== "number" || str(raw.time) === null || str(raw.level) === null) return null;
    const attrs = strRecord(raw.attrs);
    return {
      id: raw.id,
      time: raw.time as string,
      level: raw.level as string,
      component: str(raw.component) ?? "",
      message: str(raw.message) ?? "",
      ...(attrs ? { attrs } : {}),
    };
  },
  "app:notice": (raw) => {
    if (!isObj(raw)) return null;
    const level = raw.level === "warning" || raw.level === "error" ? raw.level : "info";
    const title = str(raw.title) ?? "";
    const message = str(raw.message) ?? "";
    if (title === "" && message === "") return null;
    return { level, title, message };
  },
  "service:state": (raw) =>
    isObj(raw) && str(raw.service) !== null && str(raw.state) !== null
      ? { service: raw.service as string, state: raw.state as string, detail: str(raw.detail) ?? "" }
      : null,
  "server:state": parseServerState,
  // Go always sends both strings; without them the payload is not a transcript.
  "transcript:update": (raw) =>
    isObj(raw) && str(raw.committed) !== null && str(raw.volatile) !== null
      ? {
          committed: raw.committed as string,
          volatile: raw.volatile as string,
          lagMs: Math.max(0, ms(raw.lagMs, 0)),
          lagGrowing: raw.lagGrowing === true,
        }
      : null,
  "transcript:final": (raw) =>
    isObj(raw) && str(raw.text) !== null
      ? {
          text: raw.text as string,
          mode: str(raw.mode) ?? "",
          error: str(raw.error) ?? "",
          timings: parseTimings(raw.timings),
        }
      : null,
  // A state this UI does not know (a newer backend's) counts as not listening rather than being dropped.
  "listening:state": (raw) =>
    isObj(raw) && str(raw.state) !== null
      ? {
          state: raw.state === "listening" || raw.state === "processing" ? raw.state : "idle",
          mode: str(raw.mode) ?? "",
        }
      : null,
  "audio:level": (raw) =>
    isObj(raw) && Number.isFinite(raw.rms) && Number.isFinite(raw.peak)
      ? { rms: raw.rms as number, peak: raw.peak as number, device: str(raw.device) ?? "" }
      : null,
  "command:state": parseCommandState,
  "outbox:state": parseOutboxState,
  "dictation:done": parseDictation,
  "speech:state": parseSpeechState,
  "app:state": parseAppState,
  "bus:state": (raw) =>
    isObj(raw) && str(raw.state) !== null
      ? {
          state: raw.state as string,
          detail: str(raw.detail) ?? "",
          pending: Math.max(0, ms(raw.pending, 0)),
          published: Math.max(0, ms(raw.published, 0)),
          returned: Math.max(0, ms(raw.returned, 0)),
        }
      : null,
  "profiles:changed": (raw) =>
    isObj(raw) && str(raw.reason) !== null
      ? { reason: raw.reason as string, profile: str(raw.profile) ?? "", active: str(raw.active) ?? "" }
      : null,
  // Without a profile there is nothing to ask a PIN for.
  "profile:pin_needed": (raw) => (isObj(raw) && str(raw.profile) ? { profile: raw.profile as string } : null),
};

export const eventNames = Object.keys(eventParsers) as EventName[];

/** Parses a raw payload for event `name`; null when it is malformed. */
export function parseEvent<K extends EventName>(name: K, raw: unknown): EventMap[K] | null {
  return eventParsers[name](raw);
}

/** Subscribes to a typed backend event; returns the unsubscribe function. Malformed payloads are dropped. */
export function subscribe<K extends EventName>(name: K, handler: (payload: EventMap[K]) => void): () => void {
  return onEvent(name, (raw) => {
    const p = parseEvent(name, raw);
    if (p !== null) handler(p);
  });
}

/**
 * Calls handler for every `name` event while the component is mounted (and `enabled`). The latest handler is
 * always used, so it may close over fresh state without resubscribing.
 */
export function useEvent<K extends EventName>(
  name: K,
  handler: (payload: EventMap[K]) => void,
  enabled = true,
): void {
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    if (!enabled) return;
    return subscribe(name, (p) => ref.current(p));
  }, [name, enabled]);
}
