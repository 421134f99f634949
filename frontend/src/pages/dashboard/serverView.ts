// Pure helpers for the speech-server card: what the state badge says and which buttons make sense.
import type { ServerAction, ServerState } from "../../api";
import { parseTime } from "../../lib/format";

export interface ServerBadge {
  color: string;
  label: string;
}

/** The badge for a state at time `now` (ms). `starting` gets its elapsed time from the card, which ticks. */
export function serverBadge(s: ServerState, now: number): ServerBadge {
  if (s.external && s.state === "running") {
    return { color: "blue", label: "External server (not managed by TonnyTray)" };
  }
  switch (s.state) {
    case "running":
      return { color: "teal", label: "Running" };
    case "starting":
      return { color: "yellow", label: "Loading model…" };
    case "backoff": {
      const next = parseTime(s.nextTry);
      const when = next === null ? "soon" : `in ${Math.max(0, Math.ceil((next - now) / 1000))}s`;
      return { color: "orange", label: `Restarting ${when} (restart ${s.restarts})` };
    }
    case "stopping":
      return { color: "gray", label: "Stopping…" };
    case "failed":
      return { color: "red", label: "Failed" };
    case "stopped":
      return { color: "gray", label: "Stopped" };
    default:
      return { color: "gray", label: s.state || "Unknown" };
  }
}

/**
 * Whether each button can be pressed. TonnyTray never stops (or restarts) a server it did not start, so an
 * external one only ever gets Start (which adopts it again); Start is off while a server runs or is starting.
 */
export function serverActions(s: ServerState): Record<ServerAction, boolean> {
  const st = s.state;
  const known = ["stopped", "starting", "running", "backoff", "stopping", "failed"].includes(st);
  if (!known) return { start: true, stop: !s.external, restart: !s.external };
  return {
    start: st === "stopped" || st === "failed" || st === "backoff",
    stop: !s.external && (st === "starting" || st === "running" || st === "backoff"),
    restart: !s.external && (st === "starting" || st === "running" || st === "backoff" || st === "failed"),
  };
}

/** How often the card must re-render for its clocks: every second while loading, every 30 s for an uptime. */
export function tickInterval(s: ServerState): number | null {
  if (s.state === "starting") return 1000;
  if (s.state === "running" && parseTime(s.startedAt) !== null) return 30_000;
  return null;
}
