// Turning TonnyTray's shortcut commands (daemon.HotkeyStatus.commands) into what a desktop's own shortcut settings
// need, for sessions where TonnyTray cannot grab keys itself (Wayland, no X display).
import type { HotkeySettings } from "../../api";

export type BindingName = "toggle" | "pause" | "push_to_talk";

export const BINDINGS: { name: BindingName; label: string }[] = [
  { name: "toggle", label: "Start/stop listening" },
  { name: "pause", label: "Pause/resume" },
  { name: "push_to_talk", label: "Push to talk (hold)" },
];

export function bindingLabel(name: string): string {
  return BINDINGS.find((b) => b.name === name)?.label ?? name;
}

/** The configured key of a binding ("Ctrl+Shift+V"), "" when none. */
export function bindingKey(h: HotkeySettings | undefined, name: string): string {
  if (!h) return "";
  const v = (h as unknown as Record<string, unknown>)[name];
  return typeof v === "string" ? v : "";
}

/** A command's parts: push-to-talk is "<start> / <stop>" (press and release), the others one command. */
export function splitCommand(cmd: string): { press: string; release: string } {
  const i = cmd.indexOf(" / ");
  return i < 0 ? { press: cmd, release: "" } : { press: cmd.slice(0, i), release: cmd.slice(i + 3) };
}

const SWAY_MODS: Record<string, string> = { ctrl: "Ctrl", control: "Ctrl", shift: "Shift", alt: "Mod1", super: "Mod4", meta: "Mod4", win: "Mod4" };
const HYPR_MODS: Record<string, string> = { ctrl: "CTRL", control: "CTRL", shift: "SHIFT", alt: "ALT", super: "SUPER", meta: "SUPER", win: "SUPER" };

function parts(key: string): { mods: string[]; key: string } {
  const p = key.split("+").map((x) => x.trim()).filter(Boolean);
  const k = p.pop() ?? "";
  return { mods: p, key: k.length === 1 ? k.toLowerCase() : k };
}

/** Sway's (and i3's) form of a key: "Ctrl+Shift+v". */
export function swayKey(key: string): string {
  if (!key) return "<key>";
  const { mods, key: k } = parts(key);
  return [...mods.map((m) => SWAY_MODS[m.toLowerCase()] ?? m), k].join("+");
}

/** Hyprland's modifiers and key: ["CTRL SHIFT", "v"]. */
export function hyprKey(key: string): [string, string] {
  if (!key) return ["", "<key>"];
  const { mods, key: k } = parts(key);
  return [mods.map((m) => HYPR_MODS[m.toLowerCase()] ?? m.toUpperCase()).join(" "), k];
}

/** Sway config lines for one binding; push-to-talk starts on press and stops on release. */
export function swayLines(key: string, command: string): string[] {
  const { press, release } = splitCommand(command);
  const k = swayKey(key);
  if (!release) return [`bindsym ${k} exec ${press}`];
  return [`bindsym --no-repeat ${k} exec ${press}`, `bindsym --release ${k} exec ${release}`];
}

/** Hyprland config lines for one binding; push-to-talk uses bindr for the release. */
export function hyprLines(key: string, command: string): string[] {
  const { press, release } = splitCommand(command);
  const [mods, k] = hyprKey(key);
  if (!release) return [`bind = ${mods}, ${k}, exec, ${press}`];
  return [`bind = ${mods}, ${k}, exec, ${press}`, `bindr = ${mods}, ${k}, exec, ${release}`];
}
