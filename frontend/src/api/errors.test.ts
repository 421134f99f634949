import { describe, expect, it } from "vitest";
import { errorMessage, toApiError } from "./errors";

describe("toApiError", () => {
  const coded = { code: "validation", message: "Some settings need fixing", fields: [{ field: "whisper.port", message: "must be 1–65535" }] };

  it("keeps a coded object as is", () => {
    expect(toApiError(coded)).toEqual(coded);
  });

  it("parses the object from JSON text, bare or inside an Error (Wails wraps rejections in Error)", () => {
    expect(toApiError(JSON.stringify(coded))).toEqual(coded);
    expect(toApiError(new Error(JSON.stringify(coded)))).toEqual(coded);
  });

  it("drops malformed field entries and an empty field list", () => {
    expect(toApiError({ code: "validation", message: "m", fields: [{ field: 1 }, { field: "a", message: "b" }] })).toEqual({
      code: "validation",
      message: "m",
      fields: [{ field: "a", message: "b" }],
    });
    expect(toApiError({ code: "x", message: "m", fields: [] })).toEqual({ code: "x", message: "m" });
  });

  it("keeps a positive retryAfterMs (wrong PIN) and drops a zero or malformed one", () => {
    const wrong = { code: "wrong_pin", message: "Wrong PIN. Wait 30 s before the next try", retryAfterMs: 30000 };
    expect(toApiError(new Error(JSON.stringify(wrong)))).toEqual(wrong);
    expect(toApiError({ code: "wrong_pin", message: "Wrong PIN", retryAfterMs: 0 })).toEqual({ code: "wrong_pin", message: "Wrong PIN" });
    expect(toApiError({ code: "pin_wait", message: "m", retryAfterMs: "30" })).toEqual({ code: "pin_wait", message: "m" });
  });

  it("turns plain errors and strings into code 'error' with their text", () => {
    expect(toApiError(new Error("disk full"))).toEqual({ code: "error", message: "disk full" });
    expect(toApiError("no such table")).toEqual({ code: "error", message: "no such table" });
    expect(toApiError("{not json")).toEqual({ code: "error", message: "{not json" });
  });

  it("says clearly when the details were lost as [object Object]", () => {
    const e = toApiError(new Error(String({ code: "x" })));
    expect(e.code).toBe("details_lost");
    expect(e.message).toMatch(/details were lost/);
  });

  it("handles nothing useful", () => {
    expect(toApiError(undefined)).toEqual({ code: "error", message: "Unknown error" });
    expect(toApiError({ code: "x" })).toEqual({ code: "error", message: "Unknown error" });
    expect(errorMessage(new Error("boom"))).toBe("boom");
  });
});
