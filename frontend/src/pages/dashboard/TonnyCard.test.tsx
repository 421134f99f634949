// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { commandState, dictation, makeSnapshot, speechState } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { LastUtteranceCard } from "./LastUtteranceCard";
import { TonnyCard } from "./TonnyCard";

const fake = await vi.hoisted(async () => (await import("../../test/fakeBackend")).createFakeBackend());
vi.mock("../../api/backend", () => fake.module);

beforeEach(() => {
  fake.reset();
  fake.module.getSnapshot.mockResolvedValue(makeSnapshot());
});
afterEach(cleanup);

const status = () => screen.getByTestId("tonny-status").textContent;

describe("TonnyCard", () => {
  it("sends with Enter, thinks while queued and shows the reply when delivered", async () => {
    fake.module.sendCommand.mockResolvedValue({ id: "r1", status: "queued" });
    renderApp(<TonnyCard />);
    expect(await screen.findByTestId("tonny-none")).toBeTruthy();
    const send = screen.getByTestId("tonny-send") as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    const input = screen.getByTestId("tonny-input");
    fireEvent.change(input, { target: { value: "   " } });
    expect(send.disabled).toBe(true);
    fireEvent.change(input, { target: { value: "turn on the kitchen lights" } });
    expect(send.disabled).toBe(false);
    fireEvent.keyDown(input, { key: "Enter" });
    await waitFor(() => expect(fake.module.sendCommand).toHaveBeenCalledWith("turn on the kitchen lights"));
    await waitFor(() => expect(status()).toBe("Tonny is thinking…"));
    expect(screen.getByTestId("tonny-command-text").textContent).toBe("turn on the kitchen lights");
    expect((input as HTMLInputElement).value).toBe("");

    await act(async () => fake.emit("command:state", commandState({ id: "r1", status: "sending", reply: "" })));
    expect(status()).toBe("Tonny is thinking…");
    await act(async () => fake.emit("command:state", commandState({ id: "r1", latencyMs: 840 })));
    await waitFor(() => expect(screen.getByTestId("tonny-reply").textContent).toBe("The kitchen lights are on."));
    expect(screen.getByTestId("tonny-latency").textContent).toContain("840 ms");
    expect(screen.getByTestId("tonny-command").getAttribute("data-status")).toBe("delivered");
  });

  it("shows the latest command from the snapshot and follows a failure", async () => {
    fake.module.getSnapshot.mockResolvedValue(makeSnapshot({ lastCommand: commandState({ status: "queued", reply: "" }) }));
    renderApp(<TonnyCard />);
    await waitFor(() => expect(status()).toBe("Tonny is thinking…"));
    await act(async () =>
      fake.emit("command:state", commandState({ status: "failed", reply: "", message: "The workflow answered 500: internal error." })),
    );
    await waitFor(() => expect(screen.getByTestId("tonny-message").textContent).toContain("The workflow answered 500"));
    expect(status()).toBe("Failed");
    expect(screen.queryByTestId("tonny-reply")).toBeNull();
  });

  it("says a retrying command waits in the outbox, and an accepted one has no reply", async () => {
    renderApp(<TonnyCard />);
    await screen.findByTestId("tonny-none");
    await act(async () => fake.emit("command:state", commandState({ status: "retrying", reply: "", message: "Tonny is unreachable." })));
    await waitFor(() => expect(screen.getByTestId("tonny-message").textContent).toContain("waits in the outbox"));
    expect(screen.getByTestId("tonny-message").textContent).toContain("Tonny is unreachable.");
    await act(async () => fake.emit("command:state", commandState({ status: "accepted", reply: "" })));
    await waitFor(() => expect(status()).toBe("Delivered — the workflow sends no reply"));
    expect(screen.queryByTestId("tonny-message")).toBeNull();
  });

  it("shows a refused send inline and keeps the text", async () => {
    fake.module.sendCommand.mockRejectedValue(new Error(JSON.stringify({ code: "invalid", message: "text: say or type something for Tonny" })));
    renderApp(<TonnyCard />);
    const input = await screen.findByTestId("tonny-input");
    fireEvent.change(input, { target: { value: "hello" } });
    fireEvent.click(screen.getByTestId("tonny-send"));
    await waitFor(() => expect(screen.getByTestId("tonny-send-error").textContent).toContain("say or type something"));
    expect((input as HTMLInputElement).value).toBe("hello");
  });
});

describe("LastUtteranceCard dictation line", () => {
  it("shows how the last dictation was inserted, or why it failed", async () => {
    renderApp(<LastUtteranceCard />);
    await waitFor(() => expect(fake.listenerCount("dictation:done")).toBe(1));
    expect(screen.queryByTestId("last-dictation")).toBeNull();
    await act(async () => fake.emit("dictation:done", dictation()));
    expect(screen.getByTestId("last-dictation").textContent).toContain("typed with xdotool");
    await act(async () => fake.emit("dictation:done", dictation({ status: "clipboard", method: "" })));
    expect(screen.getByTestId("last-dictation").textContent).toContain("copied to the clipboard");
    await act(async () =>
      fake.emit("dictation:done", dictation({ status: "failed", onClipboard: true, message: "ydotoold is not running." })),
    );
    expect(screen.getByTestId("last-dictation").textContent).toContain("ydotoold is not running. The text is on the clipboard.");
    expect(screen.getByTestId("last-dictation").getAttribute("data-status")).toBe("failed");
  });
});

describe("TonnyCard speaking state", () => {
  it("shows the sentence being spoken with Stop, which calls stopSpeaking", async () => {
    fake.module.stopSpeaking.mockResolvedValue(undefined);
    renderApp(<TonnyCard />);
    await screen.findByTestId("tonny-none");
    expect(screen.queryByTestId("tonny-speaking")).toBeNull();

    await act(async () => fake.emit("speech:state", speechState({ speaking: true, id: "r1/1", text: "The kitchen lights are on." })));
    expect(screen.getByTestId("tonny-speaking").textContent).toContain("Tonny is speaking");
    expect(screen.getByTestId("tonny-speaking-indicator")).toBeTruthy();
    expect(screen.getByTestId("tonny-speaking-text").textContent).toBe("“The kitchen lights are on.”");
    await act(async () => fake.emit("speech:state", speechState({ speaking: true, id: "r1/2", text: "Anything else?" })));
    expect(screen.getByTestId("tonny-speaking-text").textContent).toBe("“Anything else?”");

    fireEvent.click(screen.getByTestId("tonny-stop"));
    await waitFor(() => expect(fake.module.stopSpeaking).toHaveBeenCalledTimes(1));
    await act(async () => fake.emit("speech:state", speechState()));
    expect(screen.queryByTestId("tonny-speaking")).toBeNull();
  });

  it("shows speaking from the snapshot, and a failed Stop inline", async () => {
    fake.module.getSnapshot.mockResolvedValue(makeSnapshot({ speech: speechState({ speaking: true, id: "r9/1", text: "Hello." }) }));
    fake.module.stopSpeaking.mockRejectedValue(new Error(JSON.stringify({ code: "starting", message: "TonnyTray is still starting" })));
    renderApp(<TonnyCard />);
    await screen.findByTestId("tonny-speaking");
    fireEvent.click(screen.getByTestId("tonny-stop"));
    await waitFor(() => expect(screen.getByTestId("tonny-stop-error").textContent).toContain("still starting"));
  });

  it("does not show sound cues or malformed payloads", async () => {
    renderApp(<TonnyCard />);
    await screen.findByTestId("tonny-none");
    for (const id of ["cue:start", "cue:stop", "cue:error"]) {
      await act(async () => fake.emit("speech:state", speechState({ speaking: true, id })));
      expect(screen.queryByTestId("tonny-speaking")).toBeNull();
    }
    await act(async () => fake.emit("speech:state", { speaking: "yes", id: "r1/1", text: "x" }));
    expect(screen.queryByTestId("tonny-speaking")).toBeNull();
  });
});
