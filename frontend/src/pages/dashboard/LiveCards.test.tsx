// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { INITIAL_LIVE, liveReducer } from "../../api";
import { makeSnapshot } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { DashboardPage } from "./DashboardPage";
import { LastUtteranceCard } from "./LastUtteranceCard";
import { LiveTranscriptCard } from "./LiveTranscriptCard";
import { formatLag, formatStepMs, joinSeparator, latencySteps } from "./liveView";

const fake = await vi.hoisted(async () => (await import("../../test/fakeBackend")).createFakeBackend());
vi.mock("../../api/backend", () => fake.module);

beforeEach(() => {
  fake.reset();
  fake.module.getSnapshot.mockResolvedValue(makeSnapshot());
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const emit = (name: string, payload: unknown) => act(async () => fake.emit(name, payload));
const byId = (id: string) => screen.getByTestId(id);

describe("liveView", () => {
  it("formats lag and step times", () => {
    expect(formatLag(300)).toBe("lag 0.3 s");
    expect(formatLag(0)).toBe("lag 0.0 s");
    expect(formatLag(2450)).toBe("lag 2.5 s");
    expect(formatStepMs(-1)).toBe("—");
    expect(formatStepMs(0)).toBe("0 ms");
    expect(formatStepMs(420.4)).toBe("420 ms");
    expect(formatStepMs(1234)).toBe("1.23 s");
  });

  it("separates committed and volatile text with one space only when needed", () => {
    expect(joinSeparator("hello", "world")).toBe(" ");
    expect(joinSeparator("hello ", "world")).toBe("");
    expect(joinSeparator("hello", " world")).toBe("");
    expect(joinSeparator("", "world")).toBe("");
    expect(joinSeparator("hello", "")).toBe("");
  });

  it("lays out the steps from the key press, scaled to the longest reached one", () => {
    const steps = latencySteps({ firstSampleMs: 50, socketReadyMs: -1, firstPartialMs: 500, speechEndMs: 1000, finalMs: -1 });
    expect(steps.map((s) => s.key)).toEqual(["keyPress", "firstSampleMs", "socketReadyMs", "firstPartialMs", "speechEndMs", "finalMs"]);
    expect(steps.map((s) => s.ms)).toEqual([0, 50, -1, 500, 1000, -1]);
    expect(steps.map((s) => s.percent)).toEqual([0, 5, 0, 50, 100, 0]);
    const none = latencySteps({ firstSampleMs: -1, socketReadyMs: -1, firstPartialMs: -1, speechEndMs: -1, finalMs: -1 });
    expect(none.every((s) => s.percent === 0)).toBe(true);
  });
});

describe("liveReducer", () => {
  it("clears the transcript when a new utterance starts, even while already listening", () => {
    let s = liveReducer(INITIAL_LIVE, { type: "listening", payload: { state: "listening", mode: "dictation" } });
    s = liveReducer(s, { type: "update", payload: { committed: "one", volatile: "two", lagMs: 100, lagGrowing: true } });
    const last = { text: "one two", mode: "dictation", error: "", timings: { firstSampleMs: 1, socketReadyMs: 2, firstPartialMs: 3, speechEndMs: 4, finalMs: 5 } };
    s = liveReducer(s, { type: "final", payload: last });
    const before = s;
    s = liveReducer(s, { type: "listening", payload: { state: "listening", mode: "command" } });
    expect(s.transcript).toEqual({ listening: true, processing: false, mode: "command", committed: "", volatile: "", lagMs: null, lagGrowing: false });
    expect(s.last).toBe(before.last); // the last utterance survives a new one starting
  });

  it("keeps the text when listening ends, and changes nothing for a repeated idle", () => {
    let s = liveReducer(INITIAL_LIVE, { type: "listening", payload: { state: "listening", mode: "dictation" } });
    s = liveReducer(s, { type: "update", payload: { committed: "kept", volatile: "", lagMs: 0, lagGrowing: false } });
    s = liveReducer(s, { type: "listening", payload: { state: "idle", mode: "dictation" } });
    expect(s.transcript).toMatchObject({ listening: false, committed: "kept" });
    expect(liveReducer(s, { type: "listening", payload: { state: "idle", mode: "" } })).toBe(s);
  });

  it("marks a captured utterance as transcribing until its final text or idle", () => {
    let s = liveReducer(INITIAL_LIVE, { type: "listening", payload: { state: "listening", mode: "dictation" } });
    s = liveReducer(s, { type: "update", payload: { committed: "kept", volatile: "", lagMs: 0, lagGrowing: false } });
    s = liveReducer(s, { type: "listening", payload: { state: "processing", mode: "dictation" } });
    expect(s.transcript).toMatchObject({ listening: false, processing: true, committed: "kept" });
    const last = { text: "kept", mode: "dictation", error: "", timings: { firstSampleMs: 1, socketReadyMs: 2, firstPartialMs: 3, speechEndMs: 4, finalMs: 5 } };
    const done = liveReducer(s, { type: "final", payload: last });
    expect(done.transcript).toMatchObject({ processing: false, committed: "kept" });
    expect(done.last).toBe(last);
    expect(liveReducer(s, { type: "listening", payload: { state: "idle", mode: "" } }).transcript.processing).toBe(false);
  });
});

describe("LiveTranscriptCard", () => {
  it("shows committed text plainly and volatile text dimmed and italic, with the lag and the listening mode", async () => {
    renderApp(<LiveTranscriptCard />);
    expect(byId("listening-state").getAttribute("data-state")).toBe("idle");
    expect(byId("listen-toggle").textContent).toBe("Start listening");
    expect(screen.queryByTestId("live-lag")).toBeNull();
    expect(byId("live-transcript").textContent).toContain("Nothing heard yet.");

    await emit("listening:state", { state: "listening", mode: "dictation" });
    expect(byId("listening-state").getAttribute("data-state")).toBe("listening");
    expect(byId("listening-state").textContent).toContain("Listening…");
    expect(byId("listening-state").textContent).toContain("dictation");
    expect(byId("listen-toggle").textContent).toBe("Stop listening");

    await emit("transcript:update", { committed: "turn on the", volatile: "kitchen lie", lagMs: 300, lagGrowing: false });
    const committed = byId("live-committed");
    const volatile = byId("live-volatile");
    expect(committed.textContent).toBe("turn on the");
    expect(volatile.textContent).toBe("kitchen lie");
    expect(byId("live-transcript").textContent).toContain("turn on the kitchen lie");
    expect(volatile.getAttribute("style") ?? "").toMatch(/italic/);
    expect(committed.getAttribute("style") ?? "").not.toMatch(/italic/);
    expect(committed.contains(volatile)).toBe(false);
    expect(byId("live-lag").textContent).toBe("lag 0.3 s");
    expect(screen.queryByTestId("live-lag-warning")).toBeNull();

    await emit("transcript:update", { committed: "turn on the kitchen light", volatile: "", lagMs: 2400, lagGrowing: true });
    expect(byId("live-committed").textContent).toBe("turn on the kitchen light");
    expect(byId("live-volatile").textContent).toBe("");
    expect(byId("live-lag").textContent).toBe("lag 2.4 s");
    expect(byId("live-lag-warning").textContent).toBe("The speech server can't keep up");

    // Malformed updates are dropped, not shown.
    await emit("transcript:update", { committed: 5 });
    expect(byId("live-committed").textContent).toBe("turn on the kitchen light");

    await emit("listening:state", { state: "processing", mode: "dictation" });
    expect(byId("listening-state").getAttribute("data-state")).toBe("processing");
    expect(byId("listening-state").textContent).toBe("Transcribing…");
    expect(byId("listen-toggle").textContent).toBe("Start listening");

    await emit("listening:state", { state: "idle", mode: "dictation" });
    expect(byId("listening-state").getAttribute("data-state")).toBe("idle");
    expect(byId("live-committed").textContent).toBe("turn on the kitchen light");
  });

  it("clears the transcript when a new utterance starts", async () => {
    renderApp(<LiveTranscriptCard />);
    await waitFor(() => expect(fake.listenerCount("listening:state")).toBe(1));
    await emit("listening:state", { state: "listening", mode: "dictation" });
    await emit("transcript:update", { committed: "first", volatile: "utterance", lagMs: 500, lagGrowing: true });
    expect(byId("live-committed").textContent).toBe("first");

    await emit("listening:state", { state: "listening", mode: "command" });
    expect(screen.queryByTestId("live-committed")).toBeNull();
    expect(screen.queryByTestId("live-volatile")).toBeNull();
    expect(screen.queryByTestId("live-lag")).toBeNull();
    expect(screen.queryByTestId("live-lag-warning")).toBeNull();
    expect(byId("listening-state").textContent).toContain("command");
    expect(byId("live-transcript").textContent).not.toContain("first");

    await emit("transcript:update", { committed: "", volatile: "second", lagMs: 0, lagGrowing: false });
    expect(byId("live-committed").textContent).toBe("");
    expect(byId("live-volatile").textContent).toBe("second");
  });

  it("calls ToggleListening and shows a rejection's message", async () => {
    fake.module.toggleListening.mockResolvedValueOnce(undefined);
    renderApp(<LiveTranscriptCard />);
    fireEvent.click(byId("listen-toggle"));
    await waitFor(() => expect(fake.module.toggleListening).toHaveBeenCalledTimes(1));
    // The label follows listening:state, not the call.
    expect(byId("listen-toggle").textContent).toBe("Start listening");

    fake.module.toggleListening.mockRejectedValueOnce(new Error(JSON.stringify({ code: "unavailable", message: "no microphone found" })));
    await waitFor(() => expect((byId("listen-toggle") as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(byId("listen-toggle"));
    expect((await screen.findByTestId("notice-error")).textContent).toContain("no microphone found");
    expect(screen.getByText("Could not start listening")).toBeTruthy();
  });
});

describe("LastUtteranceCard", () => {
  it("shows the final text, the mode and the latency breakdown, with — for steps not reached", async () => {
    renderApp(<LastUtteranceCard />);
    expect(byId("last-utterance").textContent).toContain("Nothing said yet.");
    expect(screen.queryAllByTestId("latency-row")).toHaveLength(0);

    await emit("transcript:final", {
      text: "turn on the kitchen light",
      mode: "command",
      error: "",
      timings: { firstSampleMs: 35, socketReadyMs: 120, firstPartialMs: 640, speechEndMs: 2100, finalMs: -1 },
    });
    expect(byId("last-utterance-text").textContent).toBe("turn on the kitchen light");
    expect(byId("last-utterance-mode").textContent).toBe("command");
    expect(screen.queryByTestId("last-utterance-error")).toBeNull();
    const rows = screen.getAllByTestId("latency-row");
    expect(rows.map((r) => r.getAttribute("data-step"))).toEqual([
      "keyPress",
      "firstSampleMs",
      "socketReadyMs",
      "firstPartialMs",
      "speechEndMs",
      "finalMs",
    ]);
    expect(rows.map((r) => r.textContent)).toEqual([
      "Key press0 ms",
      "First sample35 ms",
      "Socket ready120 ms",
      "First text640 ms",
      "Speech end2.10 s",
      "Final—",
    ]);
  });

  it("shows an error in red with the text heard before it, and is replaced by the next utterance", async () => {
    renderApp(<LastUtteranceCard />);
    await waitFor(() => expect(fake.listenerCount("transcript:final")).toBe(1));
    await emit("transcript:final", {
      text: "play some",
      mode: "dictation",
      error: "speech server closed the connection",
      timings: { firstSampleMs: 20, socketReadyMs: 80, firstPartialMs: 500, speechEndMs: -1, finalMs: -1 },
    });
    const err = byId("last-utterance-error");
    expect(err.textContent).toContain("speech server closed the connection");
    expect(err.textContent).toContain("play some");
    expect(err.contains(byId("last-utterance-text"))).toBe(true);
    expect(err.getAttribute("style") ?? "").toMatch(/red/);
    expect(byId("last-utterance").getAttribute("data-state")).toBe("error");
    expect(screen.getAllByTestId("latency-row").map((r) => r.getAttribute("data-ms"))).toEqual(["0", "20", "80", "500", "-1", "-1"]);

    // An error with nothing heard: no "heard so far".
    await emit("transcript:final", { text: "", mode: "dictation", error: "no microphone", timings: {} });
    expect(byId("last-utterance-error").textContent).toContain("no microphone");
    expect(byId("last-utterance-error").textContent).not.toContain("Heard so far");
    expect(screen.getAllByTestId("latency-row").slice(1).every((r) => r.textContent!.endsWith("—"))).toBe(true);

    await emit("transcript:final", { text: "hello", mode: "dictation", error: "", timings: {} });
    expect(screen.queryByTestId("last-utterance-error")).toBeNull();
    expect(byId("last-utterance-text").textContent).toBe("hello");
    expect(byId("last-utterance").getAttribute("data-state")).toBe("ok");
  });
});

describe("Dashboard live sections", () => {
  it("shows the live transcript, the last utterance and the audio level", async () => {
    renderApp(<DashboardPage />);
    expect(await screen.findByTestId("live-transcript")).toBeTruthy();
    expect(byId("last-utterance")).toBeTruthy();
    expect(byId("audio-level-idle")).toBeTruthy(); // mic closed: no level, no redraws
    await emit("audio:level", { rms: -30, peak: -12, device: "USB mic" });
    expect(byId("audio-level-db").textContent).toBe("-30 dBFS");
    expect(byId("audio-level").textContent).toContain("USB mic");
    await emit("audio:level", { rms: -3, peak: -0.5, device: "" });
    expect(byId("audio-level-db").textContent).toBe("-3 dBFS · clipping");
    await emit("listening:state", { state: "listening", mode: "dictation" });
    await emit("transcript:update", { committed: "hi", volatile: "there", lagMs: 100, lagGrowing: false });
    await emit("transcript:final", { text: "hi there", mode: "dictation", error: "", timings: {} });
    expect(byId("live-committed").textContent).toBe("hi");
    expect(byId("last-utterance-text").textContent).toBe("hi there");
  });
});

describe("levelPercent", () => {
  it("maps −60…0 dBFS onto the bar and clamps outside it", async () => {
    const { levelPercent } = await import("./AudioLevelMeter");
    expect([levelPercent(-100), levelPercent(-60), levelPercent(-30), levelPercent(0), levelPercent(3)]).toEqual([0, 0, 50, 100, 100]);
  });
});
