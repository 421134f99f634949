// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, screen, waitFor } from "@testing-library/react";
import { appState, family, makeSnapshot } from "../test/fixtures";
import { renderApp } from "../test/render";

const fake = await vi.hoisted(async () => (await import("../test/fakeBackend")).createFakeBackend());
vi.mock("../api/backend", () => fake.module);

beforeEach(() => {
  window.location.hash = "";
  fake.reset();
  fake.module.getSnapshot.mockResolvedValue(makeSnapshot({ state: appState({ profile: "Mia", role: "child" }) }));
  fake.module.family.mockResolvedValue(family({ active: "Mia", canManage: false }));
});
afterEach(() => {
  cleanup();
  window.location.hash = "";
});

describe("the tray's PIN request", () => {
  it("goes to the Profiles page with the PIN pad open for that profile", async () => {
    const { App } = await import("../App");
    renderApp(<App />);
    await waitFor(() => expect(fake.listenerCount("profile:pin_needed")).toBeGreaterThan(0));
    expect(screen.queryByTestId("pin-pad")).toBeNull();
    await act(async () => fake.emit("profile:pin_needed", { profile: "Dad" }));
    await screen.findByTestId("pin-pad");
    expect(window.location.hash).toBe("#/profiles?pin=Dad");
    expect(screen.getByTestId("nav-profiles").getAttribute("aria-current")).toBe("page");
    expect(screen.getByText("Enter the admin PIN to switch to Dad")).toBeTruthy();
  });
});
