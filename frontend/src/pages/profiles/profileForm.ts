// The profile editor's form state and the mapping of the backend's field errors onto its inputs.
import type { FieldError, Profile, QuickAction } from "../../api";

export interface ProfileForm {
  name: string;
  role: string;
  color: string;
  avatar: string;
  voice: string;
  language: string;
  responseMode: string;
  /** One command per line. */
  allowed: string;
  blocked: string;
  dictation: boolean;
  noHistory: boolean;
  quickActions: QuickAction[];
}

export function toForm(p: Profile): ProfileForm {
  return {
    name: p.name,
    role: p.role,
    color: p.color,
    avatar: p.avatar,
    voice: p.voice,
    language: p.language,
    responseMode: p.responseMode,
    allowed: p.allowed.join("\n"),
    blocked: p.blocked.join("\n"),
    dictation: p.overrides?.dictation === true,
    noHistory: p.noHistory,
    quickActions: p.quickActions.map((a) => ({ ...a })),
  };
}

const lines = (s: string): string[] =>
  s
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

/** The profile to send: `base` (id, other overrides) with the form's values. */
export function fromForm(f: ProfileForm, base: Profile): Profile {
  // Dictation is a child's override only; other overrides are kept as they are.
  const { dictation: _, ...others } = base.overrides ?? {};
  const overrides = f.role === "child" && f.dictation ? { ...others, dictation: true } : others;
  return {
    ...base,
    name: f.name.trim(),
    role: f.role,
    color: f.color.trim(),
    avatar: f.avatar.trim(),
    voice: f.voice.trim(),
    language: f.language.trim(),
    responseMode: f.responseMode,
    overrides: Object.keys(overrides).length > 0 ? overrides : undefined,
    allowed: lines(f.allowed),
    blocked: lines(f.blocked),
    quickActions: f.quickActions.map((a) => ({ name: a.name.trim(), command: a.command.trim() })),
    noHistory: f.noHistory,
  };
}

const PLAIN_FIELDS = new Set(["name", "role", "color", "avatar", "voice", "language", "responseMode", "allowed", "blocked", "quickActions"]);

/**
 * The editor key a backend field belongs to: "allowed[3]" → "allowed", "quickActions[1].name" → "qa-name-1",
 * "overrides.dictation" → "dictation"; anything else → "form" (shown above the inputs).
 */
export function editorErrorKey(field: string): string {
  const qa = /^quickActions\[(\d+)\]\.(name|command)$/.exec(field);
  if (qa) return `qa-${qa[2]}-${qa[1]}`;
  if (field === "overrides.dictation") return "dictation";
  const head = field.replace(/\[\d+\].*$/, "");
  return PLAIN_FIELDS.has(head) ? head : "form";
}

/** Editor key → message; several errors for one key are joined. */
export function editorErrors(fields: readonly FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { field, message } of fields) {
    const key = editorErrorKey(field);
    out[key] = out[key] ? `${out[key]}; ${message}` : message;
  }
  return out;
}
