import { describe, expect, it } from "vitest";
import { EMPTY_FAMILY, parseFamily, parseProfile } from "./family";

describe("parseFamily", () => {
  it("fills Go's nulls and zero values", () => {
    const raw = {
      members: [{ profile: { id: 2, name: "Mia", role: "child", allowed: null, blocked: null, quickActions: null }, stats: null }],
      active: "Mia",
      needsPin: true,
      canManage: false,
    };
    expect(parseFamily(raw)).toEqual({
      members: [
        {
          profile: {
            id: 2,
            name: "Mia",
            color: "",
            avatar: "",
            role: "child",
            voice: "",
            language: "",
            responseMode: "",
            allowed: [],
            blocked: [],
            quickActions: [],
            noHistory: false,
            hasPin: false,
          },
          stats: { commands: 0, successes: 0, avgLatencyMs: 0 },
        },
      ],
      active: "Mia",
      needsPin: true,
      canManage: false,
    });
  });

  it("gives an empty family for nothing useful and drops nameless members", () => {
    expect(parseFamily(null)).toEqual(EMPTY_FAMILY);
    expect(parseFamily({ members: null }).members).toEqual([]);
    expect(parseFamily({ members: [{ profile: null }, 3] }).members).toEqual([]);
  });

  it("keeps overrides and quick actions", () => {
    const p = parseProfile({ name: "Mia", overrides: { dictation: true }, quickActions: [{ name: "Lights", command: "lights on" }, null] });
    expect(p.overrides).toEqual({ dictation: true });
    expect(p.quickActions).toEqual([{ name: "Lights", command: "lights on" }]);
    expect(parseProfile({ name: "Sam", overrides: null })).not.toHaveProperty("overrides");
  });
});
