// Pure helpers for the family screen's words and looks.
import type { Member } from "../../api";

/** "12 commands · 11 ok · avg 240 ms", or "No commands yet". */
export function statsLine({ commands, successes, avgLatencyMs }: Member["stats"]): string {
  if (commands === 0) return "No commands yet";
  const noun = commands === 1 ? "command" : "commands";
  return `${commands} ${noun} · ${successes} ok · avg ${Math.round(avgLatencyMs)} ms`;
}

/** Up to two initials: "Mia" → "M", "Anna Lena" → "AL". */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return parts
    .slice(0, 2)
    .map((p) => [...p][0].toUpperCase())
    .join("");
}

const ROLE_LABELS: Record<string, string> = { admin: "Admin", user: "User", guest: "Guest", child: "Child" };

/** "Admin", …; an unknown role as it is. */
export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role;
}

/** The profile colour, or a neutral one when none is set. */
export function profileColor(color: string): string {
  return color || "var(--mantine-color-gray-6)";
}
