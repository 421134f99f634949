// Pure helpers for the live transcript and last-utterance cards (tested without rendering).
import type { UtteranceTimings } from "../../api";

/** "lag 0.3 s" from milliseconds. */
export function formatLag(ms: number): string {
  return `lag ${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

/** A step's time since the key press: "—" when not reached (-1), "240 ms" below a second, "1.24 s" above. */
export function formatStepMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** The separator between committed and volatile text: a space unless either side already has one. */
export function joinSeparator(committed: string, volatile: string): string {
  if (committed === "" || volatile === "") return "";
  return /\s$/.test(committed) || /^\s/.test(volatile) ? "" : " ";
}

export interface LatencyStep {
  key: "keyPress" | keyof UtteranceTimings;
  label: string;
  /** Milliseconds since the key press; -1 = not reached. */
  ms: number;
  /** Share of the longest reached step, 0–100, for the bar; 0 when not reached. */
  percent: number;
}

const STEPS: { key: LatencyStep["key"]; label: string }[] = [
  { key: "keyPress", label: "Key press" },
  { key: "firstSampleMs", label: "First sample" },
  { key: "socketReadyMs", label: "Socket ready" },
  { key: "firstPartialMs", label: "First text" },
  { key: "speechEndMs", label: "Speech end" },
  { key: "finalMs", label: "Final" },
];

/** Key press → first sample → socket ready → first text → speech end → final, each as time since the key press. */
export function latencySteps(t: UtteranceTimings): LatencyStep[] {
  const at = (k: LatencyStep["key"]) => (k === "keyPress" ? 0 : t[k] >= 0 ? t[k] : -1);
  const max = Math.max(0, ...STEPS.map((s) => at(s.key)));
  return STEPS.map(({ key, label }) => {
    const ms = at(key);
    return { key, label, ms, percent: ms < 0 || max === 0 ? 0 : Math.min(100, (ms / max) * 100) };
  });
}
