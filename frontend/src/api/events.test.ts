import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { eventNames, parseEvent, subscribe } from "./events";

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
