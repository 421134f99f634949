// Pure view helpers for the Ask Tonny and Outbox cards: what a command's status and the outbox's state mean in
// words and colours.
import type { CommandState, Dictation, OutboxState } from "../../api";
import { formatUptime, parseTime } from "../../lib/format";

export interface CommandBadge {
  label: string;
  color: string;
  /** Still on its way: show a loader. */
  busy: boolean;
  /** It waits in the outbox and will be tried again (or after the user acts). */
  waits: boolean;
}

/** The badge for a command's status; an unknown status shows as itself. */
export function commandBadge(c: CommandState): CommandBadge {
  switch (c.status) {
    case "queued":
    case "sending":
      return { label: "Tonny is thinking…", color: "blue", busy: true, waits: false };
    case "delivered":
      return { label: "Replied", color: "teal", busy: false, waits: false };
    case "accepted":
      return { label: "Delivered — the workflow sends no reply", color: "teal", busy: false, waits: false };
    case "retrying":
      return { label: "Retrying", color: "yellow", busy: false, waits: true };
    case "blocked":
      return { label: "Blocked", color: "red", busy: false, waits: true };
    case "failed":
      return { label: "Failed", color: "red", busy: false, waits: false };
    case "refused":
      return { label: "Refused", color: "red", busy: false, waits: false };
    case "discarded":
      return { label: "Discarded", color: "gray", busy: false, waits: false };
    default:
      return { label: c.status || "unknown", color: "gray", busy: false, waits: false };
  }
}

/** A round trip: "840 ms", "2.4 s". */
export function formatLatency(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** How long ago something happened, coarsely: "12 s", "3 min", "2 h 05 min". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  return formatUptime(ms);
}

export interface OutboxSummary {
  text: string;
  color: string;
  /** The sentence depends on the clock (a countdown): re-render every second. */
  ticking: boolean;
}

/** The outbox's delivery state in words: paused, unreachable (with the next try), delivering, or all delivered. */
export function outboxSummary(o: OutboxState, now: number): OutboxSummary {
  if (o.blocked) return { text: `Paused: ${o.blocked}`, color: "red", ticking: false };
  const waiting = o.pending > 0;
  if (o.breaker === "open" || (o.breaker === "half-open" && waiting)) {
    const at = parseTime(o.retryAt);
    if (o.breaker === "open" && at !== null && at > now) {
      return { text: `Tonny unreachable — next try in ${Math.ceil((at - now) / 1000)} s`, color: "red", ticking: true };
    }
    return { text: "Tonny unreachable — trying again now", color: "yellow", ticking: o.breaker === "open" && at !== null };
  }
  if (waiting) {
    return { text: o.lastError ? `Delivering — last try: ${o.lastError}` : "Delivering…", color: o.lastError ? "yellow" : "blue", ticking: false };
  }
  if (o.failed > 0) return { text: "Some commands failed: retry or discard them", color: "red", ticking: false };
  return { text: "All delivered", color: "teal", ticking: false };
}

/** "oldest 3 min", or "" when nothing waits or the time is unknown. */
export function oldestText(o: OutboxState, now: number): string {
  const t = parseTime(o.oldestAt);
  if (t === null || o.pending + o.failed === 0) return "";
  return `oldest ${formatAge(now - t)}`;
}

/** What became of dictated text, in a sentence. */
export function dictationOutcome(d: Dictation): string {
  switch (d.status) {
    case "typed":
      return d.method ? `typed with ${d.method}` : "typed";
    case "clipboard":
      return "copied to the clipboard";
    case "failed": {
      const why = d.message || "typing failed";
      return d.onClipboard ? `${why} The text is on the clipboard.` : why;
    }
    default:
      return d.status;
  }
}
