import { describe, expect, it } from "vitest";
import { countErrorsByGroup, mapFieldErrors, normalizeFieldPath, resolveFieldPath } from "./fieldErrors";

const known = new Set(["whisper.port", "whisper.host", "whisper.extra_args", "n8n.webhook_url"]);

describe("normalizeFieldPath", () => {
  it.each([
    ["whisper.port", "whisper.port"],
    [" Whisper.Port ", "whisper.port"],
    ["whisper.extra_args[2]", "whisper.extra_args.2"],
    [".whisper..port.", "whisper.port"],
  ])("%s → %s", (input, want) => {
    expect(normalizeFieldPath(input)).toBe(want);
  });
});

describe("resolveFieldPath", () => {
  it("finds the exact input or the nearest known ancestor", () => {
    expect(resolveFieldPath("whisper.port", known)).toBe("whisper.port");
    expect(resolveFieldPath("whisper.extra_args[1]", known)).toBe("whisper.extra_args");
    expect(resolveFieldPath("whisper.extra_args.1.x", known)).toBe("whisper.extra_args");
  });
  it("returns null when no input edits the field", () => {
    expect(resolveFieldPath("whisper", known)).toBeNull();
    expect(resolveFieldPath("audio.mode", known)).toBeNull();
    expect(resolveFieldPath("", known)).toBeNull();
  });
});

describe("mapFieldErrors", () => {
  it("puts each message under its input and joins several for one input", () => {
    const m = mapFieldErrors(
      [
        { field: "whisper.port", message: "must be between 1 and 65535" },
        { field: "n8n.webhook_url", message: "must use https" },
        { field: "n8n.webhook_url", message: "is not a URL" },
      ],
      known,
    );
    expect(m.byField).toEqual({
      "whisper.port": "must be between 1 and 65535",
      "n8n.webhook_url": "must use https; is not a URL",
    });
    expect(m.unmatched).toEqual([]);
  });

  it("keeps errors for unknown fields instead of hiding them", () => {
    const stray = { field: "profiles.0.pin", message: "too short" };
    const m = mapFieldErrors([stray, { field: "", message: "general problem" }], known);
    expect(m.byField).toEqual({});
    expect(m.unmatched).toEqual([stray, { field: "", message: "general problem" }]);
  });

  it("accepts null (Go's empty slice)", () => {
    expect(mapFieldErrors(null, known)).toEqual({ byField: {}, unmatched: [] });
  });
});

describe("countErrorsByGroup", () => {
  it("counts fields with errors per group", () => {
    expect(countErrorsByGroup({ "whisper.port": "x", "whisper.host": "y", "n8n.webhook_url": "z" })).toEqual({ whisper: 2, n8n: 1 });
    expect(countErrorsByGroup({})).toEqual({});
  });
});
