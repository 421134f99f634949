// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MantineProvider } from "@mantine/core";
import type { ServerState } from "../../api";
import { makeSnapshot, serverState } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { DashboardPage } from "./DashboardPage";
import { SpeechServerCard } from "./SpeechServerCard";
import { serverActions } from "./serverView";

const fake = await vi.hoisted(async () => (await import("../../test/fakeBackend")).createFakeBackend());
vi.mock("../../api/backend", () => fake.module);

const T0 = Date.parse("2025-01-01T12:00:00Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();

beforeEach(() => {
  fake.reset();
  fake.module.getSnapshot.mockResolvedValue(makeSnapshot());
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** The card alone, with fake timers already running, so no async waiting is needed. */
function renderCard(s: ServerState) {
  const ui = (x: ServerState) => (
    <MantineProvider>
      <SpeechServerCard server={x} />
    </MantineProvider>
  );
  const r = render(ui(s));
  return { ...r, update: (x: ServerState) => r.rerender(ui(x)) };
}

const badge = () => screen.getByTestId("server-state");
const button = (a: string) => screen.getByTestId(`server-${a}`) as HTMLButtonElement;

describe("SpeechServerCard states", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });

  it("running: green, with pid, address, version, model, restarts and a relative uptime", () => {
    renderCard(
      serverState({
        state: "running",
        pid: 4242,
        startedAt: at(-(2 * 3600 + 5 * 60) * 1000),
        since: at(-60_000),
        version: "0.2.20",
        model: "large-v3",
        restarts: 1,
      }),
    );
    expect(badge().getAttribute("data-state")).toBe("running");
    expect(badge().getAttribute("data-external")).toBe("false");
    expect(badge().textContent).toBe("Running");
    const card = screen.getByTestId("server-card").textContent!;
    for (const s of ["4242", "http://127.0.0.1:8000", "0.2.20", "large-v3", "Restarts1"]) expect(card).toContain(s);
    expect(screen.getByTestId("server-uptime").textContent).toBe("2 h 05 min");
    expect(screen.queryByTestId("server-elapsed")).toBeNull();
    expect(button("start").disabled).toBe(true);
    expect(button("stop").disabled).toBe(false);
    expect(button("restart").disabled).toBe(false);
  });

  it("starting: 'Loading model…' with the time since the state began", () => {
    renderCard(serverState({ state: "starting", since: at(-75_000) }));
    expect(badge().getAttribute("data-state")).toBe("starting");
    expect(badge().textContent).toBe("Loading model…");
    expect(screen.getByTestId("server-elapsed").textContent).toBe("1 min 15 s");
    expect(button("start").disabled).toBe(true);
    expect(button("stop").disabled).toBe(false);
  });

  it("backoff: the countdown to the next try and the restart count", () => {
    renderCard(serverState({ state: "backoff", restarts: 2, nextTry: at(4_200), lastError: "exit status 1" }));
    expect(badge().getAttribute("data-state")).toBe("backoff");
    expect(badge().textContent).toBe("Restarting in 5s (restart 2)");
    expect(screen.getByTestId("server-last-error").textContent).toContain("exit status 1");
    expect(button("start").disabled).toBe(false);
  });

  it("failed: red, with the reason and the last output behind a toggle", () => {
    renderCard(
      serverState({
        state: "failed",
        reason: "exited 5 times in 10 min: ModuleNotFoundError: torch",
        lastError: "exit status 1",
        lastLines: ["Traceback (most recent call last):", "ModuleNotFoundError: No module named 'torch'"],
      }),
    );
    expect(badge().getAttribute("data-state")).toBe("failed");
    expect(badge().textContent).toBe("Failed");
    expect(screen.getByTestId("server-reason").textContent).toBe("exited 5 times in 10 min: ModuleNotFoundError: torch");
    const out = screen.getByTestId("server-last-output") as HTMLDetailsElement;
    expect(out.tagName).toBe("DETAILS");
    expect(out.open).toBe(false);
    expect(out.textContent).toContain("Last output (2 lines)");
    expect(out.querySelector("pre")!.textContent).toBe(
      "Traceback (most recent call last):\nModuleNotFoundError: No module named 'torch'",
    );
    expect(button("start").disabled).toBe(false);
    expect(button("restart").disabled).toBe(false);
    expect(button("stop").disabled).toBe(true);
  });

  it("stopped: grey; only Start", () => {
    renderCard(serverState());
    expect(badge().getAttribute("data-state")).toBe("stopped");
    expect(badge().textContent).toBe("Stopped");
    expect(screen.queryByTestId("server-reason")).toBeNull();
    expect(screen.queryByTestId("server-last-output")).toBeNull();
    expect([button("start").disabled, button("stop").disabled, button("restart").disabled]).toEqual([false, true, true]);
  });

  it("external: says so and never offers Stop or Restart", () => {
    renderCard(serverState({ state: "running", external: true, managed: false, pid: 0 }));
    expect(badge().getAttribute("data-state")).toBe("running");
    expect(badge().getAttribute("data-external")).toBe("true");
    expect(badge().textContent).toBe("External server (not managed by TonnyTray)");
    expect([button("start").disabled, button("stop").disabled, button("restart").disabled]).toEqual([true, true, true]);
    for (const st of ["starting", "running", "backoff", "failed", "stopping", "stopped", "weird"]) {
      const a = serverActions(serverState({ state: st, external: true }));
      expect([st, a.stop, a.restart]).toEqual([st, false, false]);
    }
  });

  it("shows warnings such as a server without --pcm-input", () => {
    renderCard(serverState({ state: "running", warnings: ["this WhisperLiveKit lacks --pcm-input; audio goes through ffmpeg"] }));
    expect(screen.getByTestId("server-warnings").textContent).toContain("lacks --pcm-input");
  });

  it("renders an unknown future state instead of failing", () => {
    renderCard(serverState({ state: "hibernating" }));
    expect(badge().textContent).toBe("hibernating");
  });
});

describe("SpeechServerCard clocks", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });

  it("ticks the elapsed time once a second only while starting", () => {
    const spy = vi.spyOn(globalThis, "setInterval");
    const { update } = renderCard(serverState({ state: "starting", since: at(0) }));
    expect(screen.getByTestId("server-elapsed").textContent).toBe("0 s");
    act(() => vi.advanceTimersByTime(3_000));
    expect(screen.getByTestId("server-elapsed").textContent).toBe("3 s");
    act(() => vi.advanceTimersByTime(62_000));
    expect(screen.getByTestId("server-elapsed").textContent).toBe("1 min 05 s");
    expect(spy.mock.calls.map((c) => c[1])).toEqual([1000]);
    expect(vi.getTimerCount()).toBe(1);

    // Ready: the per-second clock stops; the uptime only needs a re-render every 30 s.
    update(serverState({ state: "running", since: at(65_000), startedAt: at(0), pid: 7 }));
    expect(screen.queryByTestId("server-elapsed")).toBeNull();
    expect(vi.getTimerCount()).toBe(1);
    expect(spy.mock.calls.map((c) => c[1])).toEqual([1000, 30_000]);
    expect(screen.getByTestId("server-uptime").textContent).toBe("1 min");
    act(() => vi.advanceTimersByTime(60_000));
    expect(screen.getByTestId("server-uptime").textContent).toBe("2 min");

    // Every other state: no timer at all.
    for (const s of [
      serverState({ state: "stopping", pid: 7 }),
      serverState({ state: "stopped" }),
      serverState({ state: "backoff", nextTry: at(200_000), restarts: 1 }),
      serverState({ state: "failed", reason: "boom" }),
      serverState({ state: "running", external: true, startedAt: "" }),
    ]) {
      update(s);
      expect([s.state, vi.getTimerCount()]).toEqual([s.state, 0]);
    }
    expect(spy).toHaveBeenCalledTimes(2);
  });
});

describe("SpeechServerCard on the Dashboard", () => {
  it("starts the server and follows server:state events", async () => {
    fake.module.controlSpeechServer.mockResolvedValue(serverState({ state: "starting", since: new Date().toISOString() }));
    renderApp(<DashboardPage />);
    expect((await screen.findByTestId("server-state")).getAttribute("data-state")).toBe("stopped");
    fireEvent.click(button("start"));
    await waitFor(() => expect(fake.module.controlSpeechServer).toHaveBeenCalledWith("start"));
    await waitFor(() => expect(button("start").getAttribute("data-loading")).toBeNull());

    await act(async () => fake.emit("server:state", serverState({ state: "starting", since: new Date().toISOString() })));
    await waitFor(() => expect(badge().getAttribute("data-state")).toBe("starting"));
    expect(screen.getByTestId("server-elapsed")).toBeTruthy();

    await act(async () =>
      fake.emit("server:state", { ...serverState({ state: "running", pid: 99, startedAt: new Date().toISOString() }), warnings: null }),
    );
    await waitFor(() => expect(badge().getAttribute("data-state")).toBe("running"));
    expect(screen.queryByTestId("server-elapsed")).toBeNull();
    expect(screen.getByTestId("server-card").textContent).toContain("99");

    // A malformed payload is dropped, not rendered.
    await act(async () => fake.emit("server:state", { pid: 1 }));
    expect(badge().getAttribute("data-state")).toBe("running");
  });

  it("shows the busy button and then the backend's rejection", async () => {
    fake.module.getSnapshot.mockResolvedValue(makeSnapshot({ server: serverState({ state: "running", pid: 5, startedAt: new Date().toISOString() }) }));
    let reject!: (e: unknown) => void;
    fake.module.controlSpeechServer.mockReturnValue(new Promise((_, r) => (reject = r)));
    renderApp(<DashboardPage />);
    await screen.findByTestId("server-card");
    await waitFor(() => expect(badge().getAttribute("data-state")).toBe("running"));
    fireEvent.click(button("restart"));
    await waitFor(() => expect(button("restart").getAttribute("data-loading")).toBe("true"));
    expect(button("stop").disabled).toBe(true);
    expect(fake.module.controlSpeechServer).toHaveBeenCalledWith("restart");
    await act(async () => reject(new Error(JSON.stringify({ code: "internal", message: "speech server: permission denied" }))));
    expect((await screen.findByTestId("notice-error")).textContent).toBe("speech server: permission denied");
    await waitFor(() => expect(button("restart").getAttribute("data-loading")).toBeNull());
    expect(button("stop").disabled).toBe(false);
  });

  it("reports a failed Stop too", async () => {
    fake.module.getSnapshot.mockResolvedValue(makeSnapshot({ server: serverState({ state: "starting", since: new Date().toISOString() }) }));
    fake.module.controlSpeechServer.mockRejectedValue("speech server: not running");
    renderApp(<DashboardPage />);
    await waitFor(() => expect(badge().getAttribute("data-state")).toBe("starting"));
    fireEvent.click(button("stop"));
    expect((await screen.findByTestId("notice-error")).textContent).toBe("speech server: not running");
    expect(fake.module.controlSpeechServer).toHaveBeenCalledWith("stop");
  });
});
