import { describe, expect, it } from "vitest";
import { appState, makeSnapshot } from "../../test/fixtures";
import { firstRunSnapshot } from "../../test/setupFixtures";
import { errorsWithoutInput, firstStepWithError, needsSetup, STEPS } from "./steps";

describe("setup steps", () => {
  it("finds the first step with an input for an error, whatever the field's spelling", () => {
    const at = (id: string) => STEPS.findIndex((s) => s.id === id);
    expect(firstStepWithError([{ field: "N8N.webhook_url", message: "x" }, { field: "audio.input_device", message: "y" }])).toBe(at("microphone"));
    expect(firstStepWithError([{ field: "whisper.port", message: "x" }])).toBeNull();
    expect(firstStepWithError(undefined)).toBeNull();
  });

  it("keeps the errors no input shows", () => {
    const port = { field: "whisper.port", message: "out of range" };
    expect(errorsWithoutInput([{ field: "n8n.webhook_url", message: "x" }, port])).toEqual([port]);
  });

  it("is due on first run for an admin only", () => {
    expect(needsSetup(firstRunSnapshot())).toBe(true);
    expect(needsSetup(firstRunSnapshot({ profile: "Mia", role: "child" }))).toBe(false);
    expect(needsSetup(firstRunSnapshot({ profile: "", role: "" }))).toBe(false);
    expect(needsSetup(makeSnapshot({ state: appState({ profile: "Dad", role: "admin" }) }))).toBe(false);
  });
});
