/** Badge colour per log level. */
export function levelColor(level: string): string {
  switch (level.toUpperCase()) {
    case "ERROR":
      return "red";
    case "WARN":
    case "WARNING":
      return "yellow";
    case "DEBUG":
      return "gray";
    default:
      return "blue";
  }
}
