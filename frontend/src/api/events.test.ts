import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { eventNames, parseEvent, subscribe, type EventName } from "./events";

describe("event map", () => {
  it("names exactly the events backend/event/payloads.go declares", () => {
    const go = readFileSync(resolve(__dirname, "../../../backend/event/payloads.go"), "utf8");
    const declared = [...go.matchAll(/^\s*\w+\s+Name\s*=\s*"([^"]+)"/gm)].map((m) => m[1]);
    expect(declared.length).toBeGreaterThan(0);
    expect([...eventNames].sort()).toEqual([...declared].sort());
  });

  it("parses settings:changed, turning Go's null slices into empty arrays", () => {
    expect(parseEvent("settings:changed", { changed: ["whisper.port"], restartNeeded: null })).toEqual({
      changed: ["whisper.port"],
      restartNeeded: [],
    });
    expect(parseEvent("settings:changed", "x")).toBeNull();
  });

  it("parses secret:changed and never invents a value", () => {
    expect(parseEvent("secret:changed", { key: "n8n.auth", configured: true, value: "leak" })).toEqual({
      key: "n8n.auth",
      configured: true,
    });
    expect(parseEvent("secret:changed", { key: "n8n.auth" })).toBeNull();
  });

  it("parses log:appended and requires id, time and level", () => {
    const raw = { id: 7, time: "2025-01-01T00:00:00Z", level: "INFO", component: "settings", message: "settings saved", attrs: { n: 1 } };
    expect(parseEvent("log:appended", raw)).toEqual({ ...raw, attrs: { n: "1" } });
    expect(parseEvent("log:appended", { ...raw, attrs: undefined })).not.toHaveProperty("attrs");
    expect(parseEvent("log:appended", { ...raw, id: "7" })).toBeNull();
    expect(parseEvent("log:appended", { ...raw, level: undefined })).toBeNull();
  });

  it("parses app:notice, defaulting an unknown level to info and dropping empty notices", () => {
    expect(parseEvent("app:notice", { level: "error", title: "T", message: "M" })).toEqual({ level: "error", title: "T", message: "M" });
    expect(parseEvent("app:notice", { level: "fatal", title: "T" })).toEqual({ level: "info", title: "T", message: "" });
    expect(parseEvent("app:notice", { level: "error" })).toBeNull();
  });

  it("gives every json field of every Go payload a TS side", () => {
    const go = readFileSync(resolve(__dirname, "../../../backend/event/payloads.go"), "utf8");
    const structs = [...go.matchAll(/^type (\w+Payload) struct \{([\s\S]*?)^\}/gm)];
    const methods = [...go.matchAll(/^func \((\w+Payload)\) EventName\(\) Name \{ return (\w+) \}/gm)];
    const names = new Map([...go.matchAll(/^\s*(\w+)\s+Name\s*=\s*"([^"]+)"/gm)].map((m) => [m[1], m[2]]));
    expect(structs.length).toBe(names.size);
    // A payload with every field set to a value of its Go type: the parser must keep each one.
    const sample = (goType: string): unknown =>
      goType.startsWith("[]") ? ["x"] : goType.startsWith("map[") ? { k: "v" } : goType === "string" ? "x" : goType === "bool" ? true : 1;
    for (const [, struct, body] of structs) {
      const fields = [...body.matchAll(/^\s*\w+\s+(\S+)\s+`json:"([^",]+)/gm)].map((m) => ({ type: m[1], key: m[2] }));
      expect(fields.length, struct).toBeGreaterThan(0);
      const eventName = names.get(methods.find((m) => m[1] === struct)![2]) as EventName;
      const raw = Object.fromEntries(fields.map((f) => [f.key, sample(f.type)]));
      const parsed = parseEvent(eventName, raw) as Record<string, unknown> | null;
      expect(parsed, struct).not.toBeNull();
      expect(Object.keys(parsed!).sort(), struct).toEqual(fields.map((f) => f.key).sort());
    }
  });

  it("parses speech:state, requiring speaking and id, and rejects malformed payloads", () => {
    const full = { speaking: true, id: "r1/2", text: "The lights are on.", underruns: 1 };
    expect(parseEvent("speech:state", full)).toEqual(full);
    expect(parseEvent("speech:state", { speaking: false, id: "" })).toEqual({ speaking: false, id: "", text: "", underruns: 0 });
    expect(parseEvent("speech:state", { speaking: true, id: "cue:start", text: null, underruns: -3 })).toEqual({
      speaking: true,
      id: "cue:start",
      text: "",
      underruns: 0,
    });
    expect(parseEvent("speech:state", { speaking: "yes", id: "r1/1" })).toBeNull();
    expect(parseEvent("speech:state", { speaking: true })).toBeNull();
    expect(parseEvent("speech:state", { speaking: true, id: 7 })).toBeNull();
    expect(parseEvent("speech:state", [true, "r1/1"])).toBeNull();
    expect(parseEvent("speech:state", null)).toBeNull();
  });

  it("parses app:state, keeping an unknown state as it is and rejecting malformed payloads", () => {
    const full = { state: "error", detail: "the speech server failed", profile: "Work", role: "admin" };
    expect(parseEvent("app:state", full)).toEqual(full);
    for (const state of ["paused", "listening", "speaking", "processing", "idle"]) {
      expect(parseEvent("app:state", { state })).toEqual({ state, detail: "", profile: "", role: "" });
    }
    expect(parseEvent("app:state", { state: "dreaming", detail: 3, profile: null, role: 7 })).toEqual({
      state: "dreaming",
      detail: "",
      profile: "",
      role: "",
    });
    expect(parseEvent("app:state", { detail: "x", profile: "Work" })).toBeNull();
    expect(parseEvent("app:state", { state: 1 })).toBeNull();
    expect(parseEvent("app:state", { state: "" })).toBeNull();
    expect(parseEvent("app:state", ["paused"])).toBeNull();
    expect(parseEvent("app:state", "paused")).toBeNull();
    expect(parseEvent("app:state", null)).toBeNull();
    expect(parseEvent("app:state", undefined)).toBeNull();
  });

  it("parses profiles:changed, requiring a reason", () => {
    const full = { reason: "switched", profile: "Mia", active: "Mia" };
    expect(parseEvent("profiles:changed", full)).toEqual(full);
    expect(parseEvent("profiles:changed", { reason: "pin", profile: null })).toEqual({ reason: "pin", profile: "", active: "" });
    expect(parseEvent("profiles:changed", { profile: "Mia" })).toBeNull();
    expect(parseEvent("profiles:changed", "switched")).toBeNull();
    expect(parseEvent("profiles:changed", null)).toBeNull();
  });

  it("parses profile:pin_needed, requiring a profile name", () => {
    expect(parseEvent("profile:pin_needed", { profile: "Dad" })).toEqual({ profile: "Dad" });
    expect(parseEvent("profile:pin_needed", { profile: "" })).toBeNull();
    expect(parseEvent("profile:pin_needed", { profile: 1 })).toBeNull();
    expect(parseEvent("profile:pin_needed", null)).toBeNull();
  });

  it("parses server:state, filling Go's nulls and zero values", () => {
    const full = {
      state: "backoff",
      pid: 0,
      since: "2025-01-01T00:00:00Z",
      startedAt: "",
      restarts: 2,
      lastError: "exit status 1",
      nextTry: "2025-01-01T00:00:05Z",
      reason: "",
      external: false,
      managed: true,
      address: "http://127.0.0.1:8000",
      model: "base",
      version: "0.2.20",
      warnings: ["no --pcm-input"],
      lastLines: ["Traceback …"],
    };
    expect(parseEvent("server:state", full)).toEqual(full);
    expect(parseEvent("server:state", { state: "running", pid: 42, warnings: null, lastLines: null })).toEqual({
      state: "running",
      pid: 42,
      since: "",
      startedAt: "",
      restarts: 0,
      lastError: "",
      nextTry: "",
      reason: "",
      external: false,
      managed: false,
      address: "",
      model: "",
      version: "",
      warnings: [],
      lastLines: [],
    });
    expect(parseEvent("server:state", { pid: 1 })).toBeNull();
    expect(parseEvent("server:state", null)).toBeNull();
  });

  it("parses transcript:update, requiring both texts and defaulting the lag", () => {
    expect(parseEvent("transcript:update", { committed: "hello", volatile: " wor", lagMs: 300, lagGrowing: true })).toEqual({
      committed: "hello",
      volatile: " wor",
      lagMs: 300,
      lagGrowing: true,
    });
    expect(parseEvent("transcript:update", { committed: "", volatile: "" })).toEqual({
      committed: "",
      volatile: "",
      lagMs: 0,
      lagGrowing: false,
    });
    expect(parseEvent("transcript:update", { committed: "a", volatile: "b", lagMs: "300", lagGrowing: "yes" })).toEqual({
      committed: "a",
      volatile: "b",
      lagMs: 0,
      lagGrowing: false,
    });
    expect(parseEvent("transcript:update", { committed: "a", volatile: "b", lagMs: -5 })?.lagMs).toBe(0);
    expect(parseEvent("transcript:update", { committed: "hello" })).toBeNull();
    expect(parseEvent("transcript:update", { committed: 1, volatile: "" })).toBeNull();
    expect(parseEvent("transcript:update", null)).toBeNull();
    expect(parseEvent("transcript:update", ["hello", ""])).toBeNull();
  });

  it("parses transcript:final, keeping -1 as not reached and filling missing timings with -1", () => {
    const timings = { firstSampleMs: 12, socketReadyMs: 40, firstPartialMs: 420, speechEndMs: 1900, finalMs: -1 };
    expect(parseEvent("transcript:final", { text: "turn on the lights", mode: "command", error: "", timings })).toEqual({
      text: "turn on the lights",
      mode: "command",
      error: "",
      timings,
    });
    const none = { firstSampleMs: -1, socketReadyMs: -1, firstPartialMs: -1, speechEndMs: -1, finalMs: -1 };
    expect(parseEvent("transcript:final", { text: "", error: "connection refused" })).toEqual({
      text: "",
      mode: "",
      error: "connection refused",
      timings: none,
    });
    expect(parseEvent("transcript:final", { text: "x", timings: { firstSampleMs: "12", socketReadyMs: null, finalMs: 800 } })!.timings).toEqual({
      ...none,
      finalMs: 800,
    });
    expect(parseEvent("transcript:final", { text: "x", timings: "soon" })!.timings).toEqual(none);
    expect(parseEvent("transcript:final", { mode: "dictation", error: "boom" })).toBeNull();
    expect(parseEvent("transcript:final", { text: 42 })).toBeNull();
    expect(parseEvent("transcript:final", "text")).toBeNull();
  });

  it("parses listening:state, treating an unknown state as not listening", () => {
    expect(parseEvent("listening:state", { state: "listening", mode: "dictation" })).toEqual({ state: "listening", mode: "dictation" });
    expect(parseEvent("listening:state", { state: "idle" })).toEqual({ state: "idle", mode: "" });
    expect(parseEvent("listening:state", { state: "processing", mode: "dictation" })).toEqual({ state: "processing", mode: "dictation" });
    expect(parseEvent("listening:state", { state: "paused", mode: "command" })).toEqual({ state: "idle", mode: "command" });
    expect(parseEvent("listening:state", { state: true })).toBeNull();
    expect(parseEvent("listening:state", { mode: "dictation" })).toBeNull();
    expect(parseEvent("listening:state", undefined)).toBeNull();
  });

  it("parses audio:level, requiring finite levels", () => {
    expect(parseEvent("audio:level", { rms: -32.5, peak: -12, device: "USB mic" })).toEqual({ rms: -32.5, peak: -12, device: "USB mic" });
    expect(parseEvent("audio:level", { rms: -100, peak: -100 })).toEqual({ rms: -100, peak: -100, device: "" });
    expect(parseEvent("audio:level", { rms: "-3", peak: -1 })).toBeNull();
    expect(parseEvent("audio:level", { rms: -3 })).toBeNull();
    expect(parseEvent("audio:level", { rms: Number.NaN, peak: 0 })).toBeNull();
    expect(parseEvent("audio:level", 0)).toBeNull();
  });

  it("parses command:state, requiring an id and a status and filling the rest", () => {
    const full = {
      id: "r1",
      text: "lights on",
      status: "delivered",
      reply: "Done.",
      speak: true,
      message: "",
      attempts: 1,
      latencyMs: 840,
      at: "2025-01-01T12:00:00Z",
    };
    expect(parseEvent("command:state", full)).toEqual(full);
    expect(parseEvent("command:state", { id: "r2", status: "queued" })).toEqual({
      id: "r2",
      text: "",
      status: "queued",
      reply: "",
      speak: false,
      message: "",
      attempts: 0,
      latencyMs: 0,
      at: "",
    });
    expect(parseEvent("command:state", { ...full, attempts: "3", latencyMs: -1, speak: "yes", reply: 7 })).toMatchObject({
      attempts: 0,
      latencyMs: 0,
      speak: false,
      reply: "",
    });
    expect(parseEvent("command:state", { id: "r1", text: "x" })).toBeNull();
    expect(parseEvent("command:state", { status: "queued" })).toBeNull();
    expect(parseEvent("command:state", { id: 1, status: "queued" })).toBeNull();
    expect(parseEvent("command:state", null)).toBeNull();
    expect(parseEvent("command:state", ["r1", "queued"])).toBeNull();
  });

  it("parses outbox:state, requiring the counts and defaulting the breaker to closed", () => {
    const full = {
      pending: 3,
      failed: 1,
      oldestAt: "2025-01-01T12:00:00Z",
      breaker: "open",
      retryAt: "2025-01-01T12:00:30Z",
      blocked: "",
      lastError: "connection refused",
    };
    expect(parseEvent("outbox:state", full)).toEqual(full);
    expect(parseEvent("outbox:state", { pending: 0, failed: 0 })).toEqual({
      pending: 0,
      failed: 0,
      oldestAt: "",
      breaker: "closed",
      retryAt: "",
      blocked: "",
      lastError: "",
    });
    expect(parseEvent("outbox:state", { pending: "3", failed: 0 })).toBeNull();
    expect(parseEvent("outbox:state", { pending: 3 })).toBeNull();
    expect(parseEvent("outbox:state", { pending: Number.NaN, failed: 0 })).toBeNull();
    expect(parseEvent("outbox:state", "open")).toBeNull();
  });

  it("parses dictation:done, requiring text and status", () => {
    const full = { text: "hello", status: "failed", method: "xdotool", onClipboard: true, message: "xdotool exited 1" };
    expect(parseEvent("dictation:done", full)).toEqual(full);
    expect(parseEvent("dictation:done", { text: "hi", status: "clipboard" })).toEqual({
      text: "hi",
      status: "clipboard",
      method: "",
      onClipboard: false,
      message: "",
    });
    expect(parseEvent("dictation:done", { status: "typed" })).toBeNull();
    expect(parseEvent("dictation:done", { text: "hi", status: 1 })).toBeNull();
    expect(parseEvent("dictation:done", undefined)).toBeNull();
  });

  it("parses bus:state, requiring the state and clamping the counts", () => {
    expect(parseEvent("bus:state", { state: "down", detail: "no RabbitMQ at 127.0.0.1:5672 — is it running?", pending: 3, published: 10, returned: 0 })).toEqual({
      state: "down",
      detail: "no RabbitMQ at 127.0.0.1:5672 — is it running?",
      pending: 3,
      published: 10,
      returned: 0,
    });
    expect(parseEvent("bus:state", { state: "connected", pending: -1 })).toEqual({ state: "connected", detail: "", pending: 0, published: 0, returned: 0 });
    expect(parseEvent("bus:state", { detail: "x" })).toBeNull();
    expect(parseEvent("bus:state", null)).toBeNull();
  });

  it("parses service:state", () => {
    expect(parseEvent("service:state", { service: "store", state: "ok" })).toEqual({ service: "store", state: "ok", detail: "" });
    expect(parseEvent("service:state", { service: "store" })).toBeNull();
  });
});

describe("subscribe", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("delivers typed payloads through the Wails runtime and drops malformed ones", () => {
    const listeners = new Map<string, (d: unknown) => void>();
    const off = vi.fn();
    vi.stubGlobal("window", {
      runtime: {
        EventsOnMultiple: (name: string, cb: (d: unknown) => void) => {
          listeners.set(name, cb);
          return off;
        },
      },
    });
    const got: unknown[] = [];
    const unsubscribe = subscribe("service:state", (p) => got.push(p));
    listeners.get("service:state")!({ service: "n8n", state: "down", detail: "timeout" });
    listeners.get("service:state")!({ nonsense: true });
    expect(got).toEqual([{ service: "n8n", state: "down", detail: "timeout" }]);
    unsubscribe();
    expect(off).toHaveBeenCalledTimes(1);
  });

  it("is a harmless no-op without the runtime", () => {
    vi.stubGlobal("window", {});
    const unsubscribe = subscribe("app:notice", () => {});
    expect(() => unsubscribe()).not.toThrow();
  });
});
