import { describe, expect, it } from "vitest";
import { defaultSettings } from "../../test/fixtures";
import { setAtPath } from "../../lib/objectPath";
import { rebaseEdits } from "./rebase";

describe("rebaseEdits", () => {
  it("keeps the user's edits and takes everything else from the new settings", () => {
    const base = defaultSettings;
    const draft = setAtPath(base, "whisper.port", 8765);
    const incoming = setAtPath(base, "general.log_level", "debug");
    const out = rebaseEdits(base, draft, incoming);
    expect(out.whisper.port).toBe(8765);
    expect(out.general.log_level).toBe("debug");
  });

  it("is the new settings when nothing was edited", () => {
    const incoming = setAtPath(defaultSettings, "audio.mode", "continuous");
    expect(rebaseEdits(defaultSettings, defaultSettings, incoming)).toEqual(incoming);
  });
});
