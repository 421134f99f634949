// Pure helpers that place the backend's validation errors ({field: "whisper.port", message}) under the inputs
// that edit those fields.
import type { FieldError } from "./types";

/** Turns a backend field path into the form the inputs use: "Whisper.extra_args[2]" → "whisper.extra_args.2". */
export function normalizeFieldPath(field: string): string {
  return field
    .trim()
    .replace(/\[(\w+)\]/g, ".$1")
    .replace(/^\.+|\.+$/g, "")
    .replace(/\.{2,}/g, ".")
    .toLowerCase();
}

export interface MappedErrors {
  /** Input path → message(s) to show under that input. */
  byField: Record<string, string>;
  /** Errors no input edits (shown in a summary so nothing is silently hidden). */
  unmatched: FieldError[];
}

/** The known path this error belongs to: the path itself, or its nearest known ancestor ("a.b.2" → "a.b"). */
export function resolveFieldPath(field: string, known: ReadonlySet<string>): string | null {
  const parts = normalizeFieldPath(field).split(".").filter(Boolean);
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join(".");
    if (known.has(candidate)) return candidate;
  }
  return null;
}

/**
 * Maps errors to the inputs in `known`. Several errors for one input are joined; errors with an unknown or
 * empty field end up in `unmatched` rather than disappearing.
 */
export function mapFieldErrors(errors: readonly FieldError[] | null | undefined, known: ReadonlySet<string>): MappedErrors {
  const byField: Record<string, string> = {};
  const unmatched: FieldError[] = [];
  for (const e of errors ?? []) {
    const path = resolveFieldPath(e.field ?? "", known);
    if (path === null) {
      unmatched.push(e);
      continue;
    }
    byField[path] = byField[path] ? `${byField[path]}; ${e.message}` : e.message;
  }
  return { byField, unmatched };
}

/** How many fields of each group ("whisper", "audio", …) have an error, for badges on the group tabs. */
export function countErrorsByGroup(byField: Record<string, string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const path of Object.keys(byField)) {
    const group = path.split(".")[0];
    counts[group] = (counts[group] ?? 0) + 1;
  }
  return counts;
}
