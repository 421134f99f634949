import { describe, expect, it } from "vitest";
import { initials, roleLabel, statsLine } from "./familyView";
import { pinRequestFromHash } from "./pinRequest";

describe("family view helpers", () => {
  it("words the stats line", () => {
    expect(statsLine({ commands: 0, successes: 0, avgLatencyMs: 0 })).toBe("No commands yet");
    expect(statsLine({ commands: 1, successes: 1, avgLatencyMs: 99.6 })).toBe("1 command · 1 ok · avg 100 ms");
    expect(statsLine({ commands: 12, successes: 11, avgLatencyMs: 240 })).toBe("12 commands · 11 ok · avg 240 ms");
  });

  it("makes initials and role labels", () => {
    expect(initials("mia")).toBe("M");
    expect(initials(" Anna  Lena Maier ")).toBe("AL");
    expect(roleLabel("child")).toBe("Child");
    expect(roleLabel("robot")).toBe("robot");
  });

  it("reads a PIN request from the hash", () => {
    expect(pinRequestFromHash("#/profiles?pin=Dad%20Smith")).toBe("Dad Smith");
    expect(pinRequestFromHash("#/profiles")).toBeNull();
    expect(pinRequestFromHash("#/profiles?pin=")).toBeNull();
  });
});
