// The one module that imports the generated Wails bindings. Everything else in the UI goes through these typed
// functions (or the hooks built on them). The generated model classes carry helper methods (createFrom,
// convertValues) that plain JSON objects lack, so values are cast here, at the boundary; modelcheck.ts keeps
// the plain types in ./types honest against the generated ones.
import * as App from "../../wailsjs/go/main/App";
import { EventsOn } from "../../wailsjs/runtime/runtime";
import { downloadText } from "../lib/download";
import { IDLE_APP_STATE, parseAppState, parseHotkeyStatus, type AppState, type HotkeyStatus } from "./appState";
import { parseFamily, parseProfile, type Family, type Profile } from "./family";
import { parseServerState, UNKNOWN_SERVER_STATE } from "./serverState";
import { NOT_SPEAKING, parseSpeechState, parseVoices, type VoiceInfo } from "./speech";
import {
  EMPTY_OUTBOX,
  NO_COMMAND,
  parseCommandState,
  parseDictation,
  parseN8NTest,
  parseOutboxState,
  parseOutboxView,
  parseTypingStatus,
  type CommandResult,
  type Dictation,
  type N8NTest,
  type OutboxView,
  type TypingStatus,
} from "./tonny";
import type {
  DoctorCheck,
  ExportFormat,
  FieldError,
  ImportResult,
  LogPage,
  LogQuery,
  SaveResult,
  ServerAction,
  ServerState,
  Settings,
  Snapshot,
} from "./types";

type Arg<F extends (...args: never[]) => unknown, I extends number> = Parameters<F>[I];

function withDefaults<T>(v: T | null | undefined, fallback: T): T {
  return v ?? fallback;
}

/** The whole backend state for a first render. */
export async function getSnapshot(): Promise<Snapshot> {
  const s = (await App.GetSnapshot()) as unknown as Snapshot;
  return {
    ...s,
    secrets: withDefaults(s.secrets, []),
    services: withDefaults(s.services, []),
    store: { ...s.store, rows: withDefaults(s.store?.rows, {}) },
    server: parseServerState(s.server) ?? UNKNOWN_SERVER_STATE,
    outbox: parseOutboxState(s.outbox) ?? EMPTY_OUTBOX,
    lastCommand: parseCommandState(s.lastCommand) ?? NO_COMMAND,
    speech: parseSpeechState(s.speech) ?? NOT_SPEAKING,
    state: parseAppState(s.state) ?? IDLE_APP_STATE,
  };
}

/**
 * Starts, stops or restarts the speech server. Resolves to its state right after the request (progress
 * follows as server:state events); rejects with the usual coded error.
 */
export async function controlSpeechServer(action: ServerAction): Promise<ServerState> {
  const r = await App.ControlSpeechServer(action);
  return parseServerState(r) ?? UNKNOWN_SERVER_STATE;
}

/** Starts an utterance, or ends the one in progress; text follows as transcript events. */
export function toggleListening(): Promise<void> {
  return App.ToggleListening();
}

export async function validateSettings(s: Settings): Promise<FieldError[]> {
  const r = await App.ValidateSettings(s as unknown as Arg<typeof App.ValidateSettings, 0>);
  return withDefaults(r as unknown as FieldError[] | null, []);
}

export async function saveSettings(s: Settings): Promise<SaveResult> {
  const r = (await App.SaveSettings(s as unknown as Arg<typeof App.SaveSettings, 0>)) as unknown as SaveResult;
  return { restartNeeded: withDefaults(r?.restartNeeded, []) };
}

export function setSecret(key: string, value: string): Promise<void> {
  return App.SetSecret(key, value);
}

export function deleteSecret(key: string): Promise<void> {
  return App.DeleteSecret(key);
}

/** Opens the encrypted-file keychain with its password (the first unlock sets the password). */
export function unlockFileKeychain(password: string): Promise<void> {
  return App.UnlockFileKeychain(password);
}

export async function queryLogs(q: LogQuery): Promise<LogPage> {
  const r = (await App.QueryLogs(q as unknown as Arg<typeof App.QueryLogs, 0>)) as unknown as LogPage;
  return { entries: withDefaults(r?.entries, []), nextBefore: r?.nextBefore ?? 0 };
}

export async function logComponents(): Promise<string[]> {
  return withDefaults(await App.LogComponents(), []);
}

export function exportLogs(q: LogQuery, format: ExportFormat): Promise<string> {
  return App.ExportLogs(q as unknown as Arg<typeof App.ExportLogs, 0>, format);
}

export function exportSettings(): Promise<string> {
  return App.ExportSettings();
}

export async function importSettings(json: string): Promise<ImportResult> {
  const r = (await App.ImportSettings(json)) as unknown as ImportResult;
  return {
    warnings: withDefaults(r?.warnings, []),
    secretsImported: withDefaults(r?.secretsImported, []),
    restartNeeded: withDefaults(r?.restartNeeded, []),
  };
}

export function backupDatabase(): Promise<string> {
  return App.BackupDatabase();
}

export function clearMyData(): Promise<void> {
  return App.ClearMyData();
}

/** Reads a field by its json name or, for Go structs without json tags, by its Go name ("Name"). */
function field(o: Record<string, unknown>, name: string): string {
  const v = o[name] ?? o[name[0].toUpperCase() + name.slice(1)];
  return typeof v === "string" ? v : "";
}

export async function runDoctor(): Promise<DoctorCheck[]> {
  const raw = withDefaults((await App.RunDoctor()) as unknown as Record<string, unknown>[] | null, []);
  return raw.map((c) => ({
    name: field(c, "name"),
    status: field(c, "status"),
    detail: field(c, "detail"),
    fix: field(c, "fix"),
  }));
}

/** True when the Wails runtime (and so its event channel) is present in this page. */
export function eventsAvailable(): boolean {
  const w = window as unknown as { runtime?: { EventsOnMultiple?: unknown } };
  return typeof w.runtime?.EventsOnMultiple === "function";
}

/** Subscribes to a raw Wails event; returns the unsubscribe function. A no-op without the runtime. */
export function onEvent(name: string, cb: (payload: unknown) => void): () => void {
  if (!eventsAvailable()) return () => {};
  return EventsOn(name, (payload: unknown) => cb(payload));
}

/** True inside TonnyTray's own window (WebKitGTK), false in a browser pointed at `wails dev`. */
function inDesktopWindow(): boolean {
  const w = window as unknown as { webkit?: { messageHandlers?: { external?: unknown } } };
  return w.webkit?.messageHandlers?.external !== undefined;
}

/**
 * Saves an export. In the desktop window a native save dialog (WebKitGTK ignores browser downloads, which
 * would fail silently); in a browser a Blob download. Resolves to the saved path, "" when the user cancelled
 * the dialog, or null for a browser download (the browser shows it).
 */
export async function saveText(filename: string, text: string, mime: string): Promise<string | null> {
  if (inDesktopWindow()) return App.SaveTextFile(filename, text);
  downloadText(filename, text, mime);
  return null;
}

/** Reports that the first screen with real data is on display (used for the start-up figure). */
export function uiReady(): Promise<void> {
  return App.UIReady();
}

/** One audio device (audio.Device). */
export interface AudioDevice {
  name: string;
  hostApi: string;
  inputChannels: number;
  outputChannels: number;
  defaultRate: number;
  defaultInput: boolean;
  defaultOutput: boolean;
}

/** The audio devices PortAudio sees, for the Settings pickers. */
export async function audioDevices(): Promise<AudioDevice[]> {
  return ((await App.AudioDevices()) as unknown as AudioDevice[] | null) ?? [];
}

/** What "Test microphone" heard (daemon.MicTest). */
export interface MicTest {
  device: string;
  seconds: number;
  peakDbfs: number;
  rmsDbfs: number;
  sound: boolean;
  notices: string[];
}

/** Records from a device ("" = default) for a few seconds and reports its level. */
export async function testMicrophone(device: string, seconds = 2): Promise<MicTest> {
  const r = (await App.TestMicrophone(device, seconds)) as unknown as MicTest;
  return { ...r, notices: r.notices ?? [] };
}

function commandResult(raw: unknown): CommandResult {
  const r = raw as Partial<CommandResult> | null;
  return { id: r?.id ?? "", status: r?.status ?? "" };
}

/** Sends a typed command to Tonny through the outbox; its progress follows as command:state events. */
export async function sendCommand(text: string): Promise<CommandResult> {
  return commandResult(await App.SendCommand(text));
}

/** One test round trip to the n8n webhook, outside the outbox. */
export async function testN8N(): Promise<N8NTest> {
  return parseN8NTest(await App.TestN8N());
}

/** The outbox's state and waiting commands. */
export async function outbox(): Promise<OutboxView> {
  return parseOutboxView(await App.Outbox());
}

/** Retries one waiting command now, or all of them with id 0 (also lifts a pause). */
export function retryOutbox(id: number): Promise<void> {
  return App.RetryOutbox(id);
}

/** Drops one waiting command for good. */
export function discardOutbox(id: number): Promise<void> {
  return App.DiscardOutbox(id);
}

/** Detects what can insert text on this desktop session. */
export async function typingStatus(): Promise<TypingStatus> {
  return parseTypingStatus(await App.TypingStatus());
}

/** Waits delayMs (for the user to click into a text field), then types a test phrase there. */
export async function testTyping(delayMs: number): Promise<Dictation> {
  const r = parseDictation(await App.TestTyping(delayMs));
  return r ?? { text: "", status: "failed", method: "", onClipboard: false, message: "The backend gave no result." };
}

/** The ElevenLabs voices the configured key can use, for the Settings picker. */
export async function voices(): Promise<VoiceInfo[]> {
  return parseVoices(await App.Voices());
}

/** Speaks a sample with voiceID ("" = the saved voice); resolves once it has played. */
export function previewVoice(voiceID: string): Promise<void> {
  return App.PreviewVoice(voiceID);
}

/** Stops Tonny's voice and drops what waits to be said. */
export function stopSpeaking(): Promise<void> {
  return App.StopSpeaking();
}

/** Pauses TonnyTray (nothing listens) or resumes it; resolves to the app state right after. */
export async function pause(paused: boolean): Promise<AppState> {
  return parseAppState(await App.Pause(paused)) ?? (paused ? { ...IDLE_APP_STATE, state: "paused" } : IDLE_APP_STATE);
}

/** Which global shortcuts work on this desktop session, their conflicts, and the commands to bind instead. */
export async function hotkeyStatus(): Promise<HotkeyStatus> {
  return parseHotkeyStatus(await App.HotkeyStatus());
}

/** The family's profiles with their figures, the active one, and what the active one may do. */
export async function family(): Promise<Family> {
  return parseFamily(await App.Family());
}

/**
 * Makes `name` the active profile; `pin` is "" when switching down. Rejects with code pin_required (ask for
 * the PIN), wrong_pin or pin_wait (with retryAfterMs), or not_allowed.
 */
export async function switchProfile(name: string, pin: string): Promise<AppState> {
  return parseAppState(await App.SwitchProfile(name, pin)) ?? IDLE_APP_STATE;
}

/** Adds a family member (admin only); rejects with code validation and the field at fault. */
export async function createProfile(p: Profile): Promise<Profile> {
  return parseProfile(await App.CreateProfile(p as unknown as Arg<typeof App.CreateProfile, 0>));
}

/** Saves a family member's changes (admin only). */
export async function updateProfile(p: Profile): Promise<Profile> {
  return parseProfile(await App.UpdateProfile(p as unknown as Arg<typeof App.UpdateProfile, 0>));
}

/** Removes a family member (admin only; the last admin stays). */
export function deleteProfile(name: string): Promise<void> {
  return App.DeleteProfile(name);
}

/** Sets or changes an admin's PIN (4–8 digits); `oldPin` is "" while the admin has none. */
export function setAdminPIN(name: string, oldPin: string, newPin: string): Promise<void> {
  return App.SetAdminPIN(name, oldPin, newPin);
}

/** Sends one of the active profile's quick actions; progress follows as command:state events. */
export async function runQuickAction(name: string): Promise<CommandResult> {
  return commandResult(await App.RunQuickAction(name));
}

/** Resolves when the active profile may open `screen` ("settings"); rejects not_allowed with the reason. */
export function checkAccess(screen: string): Promise<void> {
  return App.CheckAccess(screen);
}
