import { describe, expect, it } from "vitest";
import { profile } from "../../test/fixtures";
import { editorErrorKey, editorErrors, fromForm, toForm } from "./profileForm";

describe("profile form", () => {
  it("round-trips a profile, one command per line, keeping other overrides", () => {
    const p = profile({ name: "Mia", role: "child", allowed: ["lights", "music"], overrides: { dictation: true, theme: "dark" } });
    const f = toForm(p);
    expect(f.allowed).toBe("lights\nmusic");
    expect(f.dictation).toBe(true);
    expect(fromForm({ ...f, allowed: " lights \n\n  play music\n" }, p)).toEqual({
      ...p,
      allowed: ["lights", "play music"],
    });
    expect(fromForm({ ...f, dictation: false }, p).overrides).toEqual({ theme: "dark" });
  });

  it("drops dictation for a non-child and sends no empty overrides", () => {
    const p = profile({ role: "child", overrides: { dictation: true } });
    expect(fromForm({ ...toForm(p), role: "user" }, p).overrides).toBeUndefined();
  });

  it("maps backend fields to the editor's inputs", () => {
    expect(editorErrorKey("name")).toBe("name");
    expect(editorErrorKey("allowed[3]")).toBe("allowed");
    expect(editorErrorKey("quickActions[1].name")).toBe("qa-name-1");
    expect(editorErrorKey("quickActions[0].command")).toBe("qa-command-0");
    expect(editorErrorKey("quickActions")).toBe("quickActions");
    expect(editorErrorKey("overrides.dictation")).toBe("dictation");
    expect(editorErrorKey("overrides")).toBe("form");
    expect(editorErrors([{ field: "allowed[1]", message: "a" }, { field: "allowed[2]", message: "b" }])).toEqual({ allowed: "a; b" });
  });
});
