import type { ApiError, FieldError } from "./types";

/** Code for a rejection whose coded error was lost on the way (see toApiError). */
export const DETAILS_LOST = "details_lost";

function isFieldError(v: unknown): v is FieldError {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as FieldError).field === "string" &&
    typeof (v as FieldError).message === "string"
  );
}

function fromObject(v: unknown): ApiError | null {
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.message !== "string") return null;
  const fields = Array.isArray(o.fields) ? o.fields.filter(isFieldError) : undefined;
  return {
    code: typeof o.code === "string" && o.code !== "" ? o.code : "error",
    message: o.message,
    ...(fields && fields.length > 0 ? { fields } : {}),
    ...(typeof o.retryAfterMs === "number" && o.retryAfterMs > 0 ? { retryAfterMs: o.retryAfterMs } : {}),
  };
}

function fromJSONText(s: string): ApiError | null {
  const t = s.trim();
  if (!t.startsWith("{")) return null;
  try {
    return fromObject(JSON.parse(t));
  } catch {
    return null;
  }
}

/**
 * Normalizes whatever a rejected binding promise carries into {code, message, fields?}.
 *
 * The Go side's ErrorFormatter returns {code, message, fields}. Wails v2's runtime wraps a non-Error rejection
 * in `new Error(x)`, so the object may arrive as-is, as JSON text (when the formatter returns a string), inside
 * an Error's message, or — when the formatter returns a struct — only as "[object Object]". All are handled.
 */
export function toApiError(err: unknown): ApiError {
  const direct = fromObject(err);
  if (direct && !(err instanceof Error)) return direct;
  if (typeof err === "string") {
    return fromJSONText(err) ?? { code: "error", message: err || "Unknown error" };
  }
  if (err instanceof Error) {
    const parsed = fromJSONText(err.message);
    if (parsed) return parsed;
    if (err.message === "[object Object]") {
      return {
        code: DETAILS_LOST,
        message: "The backend reported an error but its details were lost on the way to the window.",
      };
    }
    return { code: "error", message: err.message || "Unknown error" };
  }
  return { code: "error", message: "Unknown error" };
}

/** A one-line human sentence for an error, for notifications and banners. */
export function errorMessage(err: unknown): string {
  return toApiError(err).message;
}
