// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { appState, makeSnapshot } from "../test/fixtures";
import { renderApp } from "../test/render";
import { AppStateIndicator, PausedBanner, appStateLabel } from "./AppStateIndicator";

const fake = await vi.hoisted(async () => (await import("../test/fakeBackend")).createFakeBackend());
vi.mock("../api/backend", () => fake.module);

beforeEach(() => {
  fake.reset();
  fake.module.getSnapshot.mockResolvedValue(makeSnapshot());
});
afterEach(cleanup);

const emit = (name: string, payload: unknown) => act(async () => fake.emit(name, payload));

function renderShell() {
  renderApp(
    <>
      <AppStateIndicator />
      <PausedBanner />
    </>,
  );
}

describe("appStateLabel", () => {
  it("names each state, with the detail for an error and an unknown state as it is", () => {
    expect(appStateLabel(appState())).toBe("Idle");
    expect(appStateLabel(appState({ state: "listening" }))).toBe("Listening");
    expect(appStateLabel(appState({ state: "processing" }))).toBe("Transcribing…");
    expect(appStateLabel(appState({ state: "speaking" }))).toBe("Tonny is speaking");
    expect(appStateLabel(appState({ state: "paused", detail: "paused from the tray" }))).toBe("Paused");
    expect(appStateLabel(appState({ state: "error", detail: "the speech server failed" }))).toBe("Needs attention: the speech server failed");
    expect(appStateLabel(appState({ state: "error" }))).toBe("Needs attention");
    expect(appStateLabel(appState({ state: "dreaming" }))).toBe("dreaming");
  });
});

describe("AppStateIndicator", () => {
  it("follows app:state events through every state, with the active profile", async () => {
    renderShell();
    const label = await screen.findByTestId("app-state-label");
    expect(label.textContent).toBe("Idle");
    expect(screen.getByTestId("app-state").getAttribute("data-state")).toBe("idle");
    expect(screen.queryByTestId("app-state-profile")).toBeNull();
    expect(screen.getByTestId("app-pause-toggle").textContent).toBe("Pause");
    await waitFor(() => expect(fake.listenerCount("app:state")).toBeGreaterThan(0));

    const cases: [unknown, string, string][] = [
      [{ state: "listening", detail: "", profile: "Work" }, "Listening", "red"],
      [{ state: "processing", detail: "", profile: "Work" }, "Transcribing…", "blue"],
      [{ state: "speaking", detail: "", profile: "Work" }, "Tonny is speaking", "violet"],
      [{ state: "error", detail: "the speech server failed", profile: "Work" }, "Needs attention: the speech server failed", "red"],
      [{ state: "idle", detail: "", profile: "Work" }, "Idle", "gray"],
    ];
    for (const [payload, text, color] of cases) {
      await emit("app:state", payload);
      expect(screen.getByTestId("app-state-label").textContent).toBe(text);
      expect(screen.getByTestId("app-state-dot").getAttribute("data-color")).toBe(color);
      expect(screen.getByTestId("app-state-profile").textContent).toBe("Profile: Work");
      expect(screen.queryByTestId("banner-paused")).toBeNull();
    }

    // A malformed payload changes nothing.
    await emit("app:state", { detail: "no state" });
    expect(screen.getByTestId("app-state-label").textContent).toBe("Idle");
  });

  it("shows the paused state from the snapshot with a yellow banner and Resume", async () => {
    fake.module.getSnapshot.mockResolvedValue(makeSnapshot({ state: appState({ state: "paused", detail: "paused with Ctrl+Shift+P" }) }));
    renderShell();
    await waitFor(() => expect(screen.getByTestId("app-state-label").textContent).toBe("Paused"));
    expect(screen.getByTestId("app-state-dot").getAttribute("data-color")).toBe("yellow");
    expect(screen.getByTestId("app-pause-toggle").textContent).toBe("Resume");
    const banner = screen.getByTestId("banner-paused");
    expect(banner.textContent).toContain("TonnyTray is paused — nothing listens");
    expect(banner.textContent).toContain("paused with Ctrl+Shift+P");
  });

  it("Pause calls pause(true) and shows the answer at once; Resume calls pause(false)", async () => {
    fake.module.pause.mockResolvedValueOnce(appState({ state: "paused" }));
    renderShell();
    fireEvent.click(await screen.findByTestId("app-pause-toggle"));
    await waitFor(() => expect(screen.getByTestId("app-state-label").textContent).toBe("Paused"));
    expect(fake.module.pause).toHaveBeenLastCalledWith(true);
    expect(screen.getByTestId("banner-paused")).toBeTruthy();
    expect(screen.getByTestId("app-pause-toggle").textContent).toBe("Resume");

    fake.module.pause.mockResolvedValueOnce(appState());
    fireEvent.click(screen.getByTestId("app-pause-toggle"));
    await waitFor(() => expect(screen.getByTestId("app-state-label").textContent).toBe("Idle"));
    expect(fake.module.pause).toHaveBeenLastCalledWith(false);
    expect(screen.queryByTestId("banner-paused")).toBeNull();
  });

  it("the banner's Resume calls pause(false); a paused event from elsewhere shows the banner", async () => {
    renderShell();
    await screen.findByTestId("app-state-label");
    await waitFor(() => expect(fake.listenerCount("app:state")).toBeGreaterThan(0));
    await emit("app:state", { state: "paused", detail: "", profile: "" });
    expect(screen.getByTestId("banner-paused").textContent).toContain("TonnyTray is paused — nothing listens");

    fake.module.pause.mockResolvedValueOnce(appState());
    fireEvent.click(screen.getByTestId("banner-resume"));
    await waitFor(() => expect(screen.queryByTestId("banner-paused")).toBeNull());
    expect(fake.module.pause).toHaveBeenCalledWith(false);
  });

  it("reports a failed pause and keeps the state", async () => {
    fake.module.pause.mockRejectedValueOnce(new Error(JSON.stringify({ code: "starting", message: "TonnyTray is still starting" })));
    renderApp(<AppStateIndicator />);
    fireEvent.click(await screen.findByTestId("app-pause-toggle"));
    await waitFor(() => expect(screen.getByTestId("notice-error").textContent).toContain("still starting"));
    expect(screen.getByTestId("app-state-label").textContent).toBe("Idle");
  });
});

describe("in the app shell", () => {
  it("is in the header above every page, with the paused banner over the page", async () => {
    const { App } = await import("../App");
    window.location.hash = "#/profiles";
    fake.module.getSnapshot.mockResolvedValue(makeSnapshot({ state: appState({ state: "paused" }) }));
    renderApp(<App />);
    await waitFor(() => expect(screen.getByTestId("app-state-label").textContent).toBe("Paused"));
    expect(screen.getByRole("banner").contains(screen.getByTestId("app-state"))).toBe(true);
    expect(screen.getByTestId("banner-paused")).toBeTruthy();
    window.location.hash = "";
  });
});
