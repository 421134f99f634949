// Pure logic of the logs viewer: turning the filter form into a QueryLogs request, matching live entries
// against the same filter, and merging pages newest first.
import type { LogEntry, LogQuery, MinLevel } from "./types";

/** The filter as the form holds it; since/until are <input type="datetime-local"> values (local time). */
export interface LogFilterForm {
  minLevel: MinLevel;
  component: string;
  since: string;
  until: string;
  text: string;
}

export const emptyLogFilter: LogFilterForm = { minLevel: "", component: "", since: "", until: "", text: "" };

export const DEFAULT_PAGE_SIZE = 200;

const RANKS: Record<string, number> = { debug: 0, info: 1, warn: 2, warning: 2, error: 3 };

/** Severity rank of a level name in any case ("WARN", "warn"); unknown levels rank as info. */
export function levelRank(level: string): number {
  return RANKS[level.toLowerCase()] ?? 1;
}

/**
 * Converts a datetime-local value ("2025-03-01T14:30" or with seconds) in the user's time zone to RFC 3339 UTC
 * ("2025-03-01T13:30:00Z"). "" stays "". Returns null when the value is not a date.
 */
export function localInputToRFC3339(value: string): string | null {
  const v = value.trim();
  if (v === "") return "";
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v)) return null;
  const d = new Date(v); // no zone designator: parsed as local time
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface FilterProblem {
  field: "since" | "until";
  message: string;
}

/** Problems the form can detect before asking the backend (bad dates, an empty range). */
export function filterProblems(f: LogFilterForm): FilterProblem[] {
  const out: FilterProblem[] = [];
  const since = localInputToRFC3339(f.since);
  const until = localInputToRFC3339(f.until);
  if (since === null) out.push({ field: "since", message: "Not a date and time" });
  if (until === null) out.push({ field: "until", message: "Not a date and time" });
  if (since && until && since > until) out.push({ field: "until", message: "“Until” is before “From”" });
  return out;
}

export interface PageCursor {
  before?: number;
  after?: number;
  limit?: number;
}

/** Builds the QueryLogs request for a filter and a page cursor. Throws on a filter with problems. */
export function buildLogQuery(f: LogFilterForm, cursor: PageCursor = {}): LogQuery {
  const since = localInputToRFC3339(f.since);
  const until = localInputToRFC3339(f.until);
  if (since === null || until === null) throw new Error("invalid time range");
  return {
    minLevel: f.minLevel,
    component: f.component.trim(),
    since,
    until,
    text: f.text.trim(),
    before: Math.max(0, Math.floor(cursor.before ?? 0)),
    after: Math.max(0, Math.floor(cursor.after ?? 0)),
    limit: Math.max(1, Math.floor(cursor.limit ?? DEFAULT_PAGE_SIZE)),
  };
}

/**
 * Whether a live entry passes the filter, with the backend's semantics (backend/logging/query.go): level at or
 * above minLevel, exact component, since ≤ time < until, and the text found case-insensitively in the message
 * or the attributes (keys or values).
 */
export function entryMatches(e: LogEntry, q: LogQuery): boolean {
  if (q.minLevel !== "" && levelRank(e.level) < levelRank(q.minLevel)) return false;
  if (q.component !== "" && e.component !== q.component) return false;
  const t = Date.parse(e.time);
  if (q.since !== "" && !(t >= Date.parse(q.since))) return false;
  if (q.until !== "" && !(t < Date.parse(q.until))) return false;
  if (q.text !== "") {
    const needle = q.text.toLowerCase();
    const hay = [e.message, ...Object.entries(e.attrs ?? {}).flat()];
    if (!hay.some((s) => s.toLowerCase().includes(needle))) return false;
  }
  return true;
}

/** Merges entries into a list kept newest first (by id), without duplicates, capped at `cap` newest. */
export function mergeEntries(existing: readonly LogEntry[], incoming: readonly LogEntry[], cap = 5000): LogEntry[] {
  const byId = new Map<number, LogEntry>();
  for (const e of existing) byId.set(e.id, e);
  for (const e of incoming) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, Math.max(0, cap));
}

/** The highest id in a list (0 when empty): the `after` cursor for following live. */
export function newestId(entries: readonly LogEntry[]): number {
  return entries.reduce((m, e) => (e.id > m ? e.id : m), 0);
}
