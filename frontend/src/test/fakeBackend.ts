// A stand-in for src/api/backend.ts in component tests: every call is a vi.fn, and emit() delivers an event
// to whatever the UI subscribed, as the Wails runtime would.
import { vi } from "vitest";
import type { AudioDevice } from "../api/backend";
import { EMPTY_FAMILY, type Family } from "../api/family";

export function createFakeBackend() {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const module = {
    getSnapshot: vi.fn(),
    validateSettings: vi.fn(),
    saveSettings: vi.fn(),
    setSecret: vi.fn(),
    deleteSecret: vi.fn(),
    unlockFileKeychain: vi.fn(),
    queryLogs: vi.fn(),
    logComponents: vi.fn(),
    exportLogs: vi.fn(),
    exportSettings: vi.fn(),
    importSettings: vi.fn(),
    backupDatabase: vi.fn(),
    clearMyData: vi.fn(),
    runDoctor: vi.fn(),
    controlSpeechServer: vi.fn(),
    toggleListening: vi.fn(),
    audioDevices: vi.fn((): Promise<AudioDevice[]> => Promise.resolve([])),
    testMicrophone: vi.fn(),
    sendCommand: vi.fn(),
    testN8N: vi.fn(),
    outbox: vi.fn(),
    retryOutbox: vi.fn(),
    discardOutbox: vi.fn(),
    typingStatus: vi.fn(),
    testTyping: vi.fn(),
    voices: vi.fn(),
    previewVoice: vi.fn(),
    stopSpeaking: vi.fn(),
    pause: vi.fn(),
    hotkeyStatus: vi.fn(),
    family: vi.fn((): Promise<Family> => Promise.resolve(EMPTY_FAMILY)),
    switchProfile: vi.fn(),
    createProfile: vi.fn(),
    updateProfile: vi.fn(),
    deleteProfile: vi.fn(),
    setAdminPIN: vi.fn(),
    runQuickAction: vi.fn(),
    checkAccess: vi.fn((): Promise<void> => Promise.resolve()),
    uiReady: vi.fn(() => Promise.resolve()),
    eventsAvailable: vi.fn(() => true),
    onEvent: vi.fn((name: string, cb: (payload: unknown) => void) => {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name)!.add(cb);
      return () => listeners.get(name)!.delete(cb);
    }),
  };
  return {
    module,
    emit(name: string, payload: unknown) {
      for (const cb of listeners.get(name) ?? []) cb(payload);
    },
    listenerCount(name: string) {
      return listeners.get(name)?.size ?? 0;
    },
    reset() {
      listeners.clear();
      for (const f of Object.values(module)) f.mockReset();
      module.eventsAvailable.mockImplementation(() => true);
      module.uiReady.mockImplementation(() => Promise.resolve());
      // Pages that load the family or check access work without each test saying so.
      module.family.mockImplementation(() => Promise.resolve(EMPTY_FAMILY));
      module.checkAccess.mockImplementation(() => Promise.resolve());
      module.onEvent.mockImplementation((name: string, cb: (payload: unknown) => void) => {
        if (!listeners.has(name)) listeners.set(name, new Set());
        listeners.get(name)!.add(cb);
        return () => listeners.get(name)!.delete(cb);
      });
    },
  };
}
