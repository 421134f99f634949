// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, screen, waitFor } from "@testing-library/react";
import { appState, makeSnapshot } from "./test/fixtures";
import { renderApp } from "./test/render";
import { firstRunSnapshot } from "./test/setupFixtures";
import { App } from "./App";

const fake = await vi.hoisted(async () => (await import("./test/fakeBackend")).createFakeBackend());
vi.mock("./api/backend", () => fake.module);

beforeEach(() => {
  window.location.hash = "#/profiles";
  fake.reset();
});
afterEach(() => {
  cleanup();
  window.location.hash = "";
});

describe("the first-run wizard", () => {
  it("opens instead of the requested page on first run for the admin, and counts as the first screen", async () => {
    fake.module.getSnapshot.mockResolvedValue(firstRunSnapshot());
    renderApp(<App />);
    await screen.findByTestId("setup-wizard");
    expect(window.location.hash).toBe("#/setup");
    expect(screen.getByTestId("setup-step").getAttribute("data-step")).toBe("server");
    await waitFor(() => expect(fake.module.uiReady).toHaveBeenCalledTimes(1));
  });

  it("does not open for a child, who may not save settings", async () => {
    fake.module.getSnapshot.mockResolvedValue(firstRunSnapshot({ profile: "Mia", role: "child" }));
    renderApp(<App />);
    await waitFor(() => expect(fake.module.getSnapshot).toHaveBeenCalled());
    await screen.findByTestId("nav-profiles");
    await waitFor(() => expect(fake.module.uiReady).toHaveBeenCalled());
    expect(screen.queryByTestId("setup-wizard")).toBeNull();
    expect(window.location.hash).toBe("#/profiles");
  });

  it("does not open once setup is complete", async () => {
    fake.module.getSnapshot.mockResolvedValue(makeSnapshot({ state: appState({ profile: "Dad", role: "admin" }) }));
    renderApp(<App />);
    await waitFor(() => expect(fake.module.uiReady).toHaveBeenCalled());
    expect(screen.queryByTestId("setup-wizard")).toBeNull();
    expect(window.location.hash).toBe("#/profiles");
  });

  it("opens only once per load: leaving it does not bring it back", async () => {
    fake.module.getSnapshot.mockResolvedValue(firstRunSnapshot());
    renderApp(<App />);
    await screen.findByTestId("setup-wizard");
    await act(async () => {
      window.location.hash = "#/profiles";
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    });
    // A later snapshot (still not set up) does not open it again.
    await act(async () => fake.emit("settings:changed", { changed: ["general.theme"], restartNeeded: [] }));
    await waitFor(() => expect(fake.module.getSnapshot).toHaveBeenCalledTimes(2));
    expect(screen.queryByTestId("setup-wizard")).toBeNull();
  });

  it("is reachable by its hash even when setup is complete", async () => {
    window.location.hash = "#/setup";
    fake.module.getSnapshot.mockResolvedValue(makeSnapshot({ state: appState({ profile: "Dad", role: "admin" }) }));
    renderApp(<App />);
    await screen.findByTestId("setup-wizard");
  });
});
