// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { appState, makeSnapshot } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { SettingsPage } from "./SettingsPage";

const fake = await vi.hoisted(async () => (await import("../../test/fakeBackend")).createFakeBackend());
vi.mock("../../api/backend", () => fake.module);

const REFUSAL = "Only an admin can change settings — switch to an admin profile first";
const refuse = () => Promise.reject(new Error(JSON.stringify({ code: "not_allowed", message: REFUSAL })));

beforeEach(() => {
  fake.reset();
  fake.module.getSnapshot.mockResolvedValue(makeSnapshot({ state: appState({ profile: "Mia", role: "child" }) }));
  fake.module.validateSettings.mockResolvedValue([]);
});
afterEach(() => {
  cleanup();
  window.location.hash = "";
});

describe("Settings access", () => {
  it("shows a child the backend's refusal instead of the form, with the way to switch", async () => {
    fake.module.checkAccess.mockImplementation(refuse);
    renderApp(<SettingsPage />);
    expect((await screen.findByTestId("settings-refused")).textContent).toContain(REFUSAL);
    expect(fake.module.checkAccess).toHaveBeenCalledWith("settings");
    expect(screen.queryByTestId("field-whisper.port")).toBeNull();
    fireEvent.click(screen.getByTestId("settings-switch-profile"));
    expect(window.location.hash).toBe("#/profiles");
  });

  it("shows a loader, not the form, while asking", async () => {
    fake.module.checkAccess.mockImplementation(() => new Promise(() => {}));
    renderApp(<SettingsPage />);
    expect(await screen.findByText("Checking access…")).toBeTruthy();
    expect(screen.queryByTestId("field-whisper.port")).toBeNull();
  });

  it("shows an admin the form, and asks again when the active profile changes", async () => {
    fake.module.getSnapshot.mockResolvedValue(makeSnapshot({ state: appState({ profile: "Dad", role: "admin" }) }));
    renderApp(<SettingsPage />);
    await screen.findByTestId("field-whisper.port");
    expect(screen.queryByTestId("settings-refused")).toBeNull();

    fake.module.checkAccess.mockImplementation(refuse);
    await waitFor(() => expect(fake.listenerCount("app:state")).toBeGreaterThan(0));
    await act(async () => fake.emit("app:state", { state: "idle", detail: "", profile: "Mia", role: "child" }));
    expect((await screen.findByTestId("settings-refused")).textContent).toContain(REFUSAL);
    expect(screen.queryByTestId("field-whisper.port")).toBeNull();
  });
});
