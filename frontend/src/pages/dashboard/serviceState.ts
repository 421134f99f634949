/** Colour and short label for a service state as the backend reports it; unknown states render neutrally. */
export function serviceStateStyle(state: string): { color: string; label: string } {
  switch (state) {
    case "ok":
      return { color: "teal", label: "OK" };
    case "degraded":
      return { color: "yellow", label: "Degraded" };
    case "down":
      return { color: "red", label: "Down" };
    case "stopped":
      return { color: "gray", label: "Stopped" };
    case "unavailable":
      return { color: "gray", label: "Unavailable" };
    default:
      return { color: "gray", label: state || "Unknown" };
  }
}

/** Colour and symbol for a doctor check status. */
export function checkStatusStyle(status: string): { color: string; symbol: string; label: string } {
  switch (status) {
    case "ok":
      return { color: "teal", symbol: "✓", label: "OK" };
    case "warn":
      return { color: "yellow", symbol: "!", label: "Warning" };
    case "fail":
      return { color: "red", symbol: "✕", label: "Failed" };
    default:
      return { color: "gray", symbol: "?", label: status || "Unknown" };
  }
}
