import { describe, expect, it } from "vitest";
import { changedPaths, deepEqual, getAtPath, leafPaths, setAtPath } from "./objectPath";

describe("objectPath", () => {
  const obj = { whisper: { port: 8000, extra_args: ["a"] }, n8n: { webhook_url: "" } };

  it("reads nested values", () => {
    expect(getAtPath(obj, "whisper.port")).toBe(8000);
    expect(getAtPath(obj, "whisper.nope.deeper")).toBeUndefined();
  });

  it("sets immutably, sharing untouched branches", () => {
    const next = setAtPath(obj, "whisper.port", 8765);
    expect(next.whisper.port).toBe(8765);
    expect(obj.whisper.port).toBe(8000);
    expect(next.n8n).toBe(obj.n8n);
    expect(next.whisper.extra_args).toBe(obj.whisper.extra_args);
  });

  it("lists leaves, arrays included as leaves", () => {
    expect(leafPaths(obj).sort()).toEqual(["n8n.webhook_url", "whisper.extra_args", "whisper.port"]);
  });

  it("compares structurally and lists changed paths", () => {
    expect(deepEqual(obj, structuredClone(obj))).toBe(true);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
    const next = setAtPath(setAtPath(obj, "whisper.port", 1), "whisper.extra_args", ["a", "b"]);
    expect(changedPaths(obj, next).sort()).toEqual(["whisper.extra_args", "whisper.port"]);
  });
});
