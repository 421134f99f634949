// Compile-time guard: the plain types in ./types must have exactly the shape of the classes Wails generates
// from the Go types (wailsjs/go/models.ts). After `wails generate module`, `npm run typecheck` fails here when
// a Go field was added, renamed or retyped without updating ./types. Nothing in this file runs.
import type { daemon, doctor, event, logging, main, profile as gprofile, settings } from "../../wailsjs/go/models";
import type {
  DoctorCheck,
  FieldError,
  ImportResult,
  KeychainStatus,
  LogEntry,
  LogPage,
  LogQuery,
  SaveResult,
  SecretStatus,
  ServerState,
  ServiceStatus,
  Settings,
  Snapshot,
  StoreStatus,
} from "./types";
import type { SpeechState, VoiceInfo } from "./speech";
import type { AppState, HotkeyStatus } from "./appState";
import type { Family, Member, Profile, ProfileStats, QuickAction } from "./family";
import type { CommandResult, CommandState, Dictation, N8NTest, OutboxEntry, OutboxState, OutboxView, TypingStatus, TypingTool } from "./tonny";

/** The data of a generated class: its fields, recursively, without the helper methods. */
type Plain<T> = T extends (...args: never[]) => unknown
  ? never
  : T extends (infer U)[]
    ? Plain<U>[]
    : T extends object
      ? { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: Plain<T[K]> }
      : T;

/** Field names lower-cased: doctor.Check has no json tags yet, so Go sends "Name"; backend.ts accepts both. */
type LowerKeys<T> = { [K in keyof T as Lowercase<K & string>]: T[K] };

/** Go sends minLevel as any string; the UI only ever sends the listed levels. */
type WideLogQuery = Omit<LogQuery, "minLevel"> & { minLevel: string };

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
type Same<Generated, Ours> = Equal<Plain<Generated>, Plain<Ours>>;

/** Each entry must be `true`; a mismatch makes its line a type error naming the type. */
export const modelChecks: {
  settings: Same<settings.Settings, Settings>;
  fieldError: Same<settings.FieldError, FieldError>;
  snapshot: Same<daemon.Snapshot, Snapshot>;
  secretStatus: Same<daemon.SecretStatus, SecretStatus>;
  keychain: Same<daemon.KeychainStatus, KeychainStatus>;
  store: Same<daemon.StoreStatus, StoreStatus>;
  service: Same<event.ServiceStatePayload, ServiceStatus>;
  server: Same<event.ServerStatePayload, ServerState>;
  saveResult: Same<daemon.SaveResult, SaveResult>;
  importResult: Same<daemon.ImportResult, ImportResult>;
  logFilter: Same<main.LogFilter, WideLogQuery>;
  logPage: Same<logging.Page, LogPage>;
  logEntry: Same<event.LogAppendedPayload, LogEntry>;
  doctorCheck: Equal<LowerKeys<Plain<doctor.Check>>, Plain<DoctorCheck>>;
  commandState: Same<event.CommandStatePayload, CommandState>;
  outboxState: Same<event.OutboxStatePayload, OutboxState>;
  dictation: Same<event.DictationPayload, Dictation>;
  commandResult: Same<daemon.CommandResult, CommandResult>;
  outboxEntry: Same<daemon.OutboxEntry, OutboxEntry>;
  outboxView: Same<daemon.OutboxView, OutboxView>;
  n8nTest: Same<daemon.N8NTest, N8NTest>;
  typingTool: Same<daemon.TypingTool, TypingTool>;
  typingStatus: Same<daemon.TypingStatus, TypingStatus>;
  speech: Same<event.SpeechStatePayload, SpeechState>;
  voice: Same<daemon.VoiceInfo, VoiceInfo>;
  appState: Same<event.AppStatePayload, AppState>;
  hotkeyStatus: Same<daemon.HotkeyStatus, HotkeyStatus>;
  family: Same<daemon.Family, Family>;
  member: Same<daemon.Member, Member>;
  familyProfile: Same<gprofile.Profile, Profile>;
  profileStats: Same<gprofile.Stats, ProfileStats>;
  quickAction: Same<gprofile.QuickAction, QuickAction>;
} = {
  settings: true,
  fieldError: true,
  snapshot: true,
  secretStatus: true,
  keychain: true,
  store: true,
  service: true,
  server: true,
  saveResult: true,
  importResult: true,
  logFilter: true,
  logPage: true,
  logEntry: true,
  doctorCheck: true,
  commandState: true,
  outboxState: true,
  dictation: true,
  commandResult: true,
  outboxEntry: true,
  outboxView: true,
  n8nTest: true,
  typingTool: true,
  typingStatus: true,
  speech: true,
  voice: true,
  appState: true,
  hotkeyStatus: true,
  family: true,
  member: true,
  familyProfile: true,
  profileStats: true,
  quickAction: true,
};
