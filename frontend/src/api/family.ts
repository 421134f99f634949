// The family's profiles: plain mirrors of profile.Profile, profile.Stats and daemon.Family
// (backend/profile/profile.go, backend/daemon/profiles.go, App.Family), with parsers that fill Go's nulls.

export type Role = "admin" | "user" | "guest" | "child";

export const ROLES: readonly Role[] = ["admin", "user", "guest", "child"];

/** "" follows the settings' response mode. */
export type ResponseMode = "" | "text" | "voice" | "both";

/** A preset command a profile runs with one click (profile.QuickAction). */
export interface QuickAction {
  name: string;
  command: string;
}

/** One family member (profile.Profile). */
export interface Profile {
  id: number;
  name: string;
  /** "#rrggbb", or "" for the default. */
  color: string;
  /** An emoji, or "" for the initials. */
  avatar: string;
  /** One of Role; kept as string so a newer backend's role still renders. */
  role: string;
  /** "" = the settings' voice. */
  voice: string;
  /** A BCP 47 tag; "" = the settings' language. */
  language: string;
  /** One of ResponseMode. */
  responseMode: string;
  /** Per-profile settings overrides, e.g. {dictation: true} for a child. `any` as generated for Go's map[string]any. */
  overrides?: Record<string, any>;
  /** What a child may send: words or phrases. */
  allowed: string[];
  /** What this profile may never send. */
  blocked: string[];
  quickActions: QuickAction[];
  /** Nothing this profile says is stored. */
  noHistory: boolean;
  /** Read-only: an admin with a PIN set. */
  hasPin: boolean;
}

/** A profile's command figures (profile.Stats). */
export interface ProfileStats {
  commands: number;
  successes: number;
  avgLatencyMs: number;
}

/** A profile with its figures (daemon.Member). */
export interface Member {
  profile: Profile;
  stats: ProfileStats;
}

/** The family screen's data (daemon.Family). */
export interface Family {
  members: Member[];
  /** The active profile's name. */
  active: string;
  /** No admin has a PIN yet. */
  needsPin: boolean;
  /** The active profile is an admin. */
  canManage: boolean;
}

export const EMPTY_FAMILY: Family = { members: [], active: "", needsPin: false, canManage: false };

/** A profile as the editor starts it. */
export function newProfile(): Profile {
  return {
    id: 0,
    name: "",
    color: "",
    avatar: "",
    role: "user",
    voice: "",
    language: "",
    responseMode: "",
    allowed: [],
    blocked: [],
    quickActions: [],
    noHistory: false,
    hasPin: false,
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function parseQuickActions(v: unknown): QuickAction[] {
  return Array.isArray(v) ? v.filter(isObj).map((a) => ({ name: str(a.name), command: str(a.command) })) : [];
}

/** A profile, filling Go's nulls; a non-object gives an empty profile. */
export function parseProfile(raw: unknown): Profile {
  const o = isObj(raw) ? raw : {};
  return {
    id: num(o.id),
    name: str(o.name),
    color: str(o.color),
    avatar: str(o.avatar),
    role: str(o.role),
    voice: str(o.voice),
    language: str(o.language),
    responseMode: str(o.responseMode),
    ...(isObj(o.overrides) ? { overrides: o.overrides } : {}),
    allowed: strList(o.allowed),
    blocked: strList(o.blocked),
    quickActions: parseQuickActions(o.quickActions),
    noHistory: o.noHistory === true,
    hasPin: o.hasPin === true,
  };
}

/** The family, filling Go's nulls; members without a name are dropped. */
export function parseFamily(raw: unknown): Family {
  if (!isObj(raw)) return EMPTY_FAMILY;
  const members = Array.isArray(raw.members) ? raw.members.filter(isObj) : [];
  return {
    members: members
      .map((m) => {
        const s = isObj(m.stats) ? m.stats : {};
        return {
          profile: parseProfile(m.profile),
          stats: { commands: num(s.commands), successes: num(s.successes), avgLatencyMs: num(s.avgLatencyMs) },
        };
      })
      .filter((m) => m.profile.name !== ""),
    active: str(raw.active),
    needsPin: raw.needsPin === true,
    canManage: raw.canManage === true,
  };
}
