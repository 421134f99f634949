// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import type { Dictation } from "../../api";
import { defaultSettings, dictation, makeSnapshot, n8nTest, typingStatus, voiceList } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { SettingsPage } from "./SettingsPage";

const fake = await vi.hoisted(async () => (await import("../../test/fakeBackend")).createFakeBackend());
vi.mock("../../api/backend", () => fake.module);

beforeEach(() => {
  fake.reset();
  fake.module.getSnapshot.mockResolvedValue(makeSnapshot());
  fake.module.validateSettings.mockResolvedValue([]);
  fake.module.typingStatus.mockResolvedValue(typingStatus());
});
afterEach(cleanup);

async function openTab(id: string) {
  fireEvent.click(await screen.findByTestId(`settings-tab-${id}`));
  await screen.findByTestId(`settings-extra-${id}`);
}

describe("n8n Test connection", () => {
  it("shows a good verdict with the reply, then a bad one", async () => {
    fake.module.testN8N.mockResolvedValueOnce(n8nTest({ message: "Tonny answered with a reply.", reply: "pong", latencyMs: 120 }));
    renderApp(<SettingsPage />);
    await openTab("n8n");
    fireEvent.click(screen.getByTestId("n8n-test"));
    await waitFor(() => expect(screen.getByTestId("n8n-test-result").getAttribute("data-ok")).toBe("true"));
    expect(screen.getByTestId("n8n-test-result").textContent).toContain("✓ Tonny answered with a reply. (120 ms)");
    expect(screen.getByTestId("n8n-test-reply").textContent).toBe("Reply: pong");

    fake.module.testN8N.mockResolvedValueOnce(
      n8nTest({ ok: false, class: "auth", status: 401, message: "The webhook rejected the auth header.", reply: "" }),
    );
    fireEvent.click(screen.getByTestId("n8n-test"));
    await waitFor(() => expect(screen.getByTestId("n8n-test-result").getAttribute("data-ok")).toBe("false"));
    expect(screen.getByTestId("n8n-test-result").textContent).toBe("✗ The webhook rejected the auth header. (HTTP 401)");
    expect(screen.queryByTestId("n8n-test-reply")).toBeNull();
  });

  it("shows a call that failed outright", async () => {
    fake.module.testN8N.mockRejectedValue(new Error(JSON.stringify({ code: "starting", message: "TonnyTray is still starting" })));
    renderApp(<SettingsPage />);
    await openTab("n8n");
    fireEvent.click(screen.getByTestId("n8n-test"));
    await waitFor(() => expect(screen.getByTestId("n8n-test-error").textContent).toContain("still starting"));
  });

  it("is not shown on other groups", async () => {
    renderApp(<SettingsPage />);
    await screen.findByTestId("settings-tab-whisper");
    expect(screen.queryByTestId("n8n-test")).toBeNull();
    expect(screen.queryByTestId("typing-detection")).toBeNull();
  });
});

describe("typing detection and Test insertion", () => {
  it("lists the methods with their availability and reasons", async () => {
    renderApp(<SettingsPage />);
    await openTab("typing");
    await waitFor(() => expect(screen.getAllByTestId("typing-method")).toHaveLength(3));
    expect(screen.getByTestId("typing-summary").textContent).toBe("X11 session (GNOME): typing with xdotool.");
    expect(screen.getByTestId("typing-chosen").textContent).toBe("using xdotool");
    const [xdo, ydo] = screen.getAllByTestId("typing-method");
    expect(xdo.getAttribute("data-available")).toBe("true");
    expect(xdo.textContent).toContain("✓");
    expect(ydo.getAttribute("data-available")).toBe("false");
    expect(ydo.textContent).toContain("✗");
    expect(ydo.textContent).toContain("ydotoold is not running");

    fake.module.typingStatus.mockResolvedValue(typingStatus({ chosen: "", summary: "No way to type here.", methods: [] }));
    fireEvent.click(screen.getByTestId("typing-detect"));
    await waitFor(() => expect(screen.getByTestId("typing-chosen").textContent).toBe("no method works here"));
    expect(screen.queryByTestId("typing-methods")).toBeNull();
  });

  it("counts down while the backend waits, then shows the result", async () => {
    let finish!: (d: Dictation) => void;
    fake.module.testTyping.mockReturnValue(new Promise<Dictation>((r) => (finish = r)));
    renderApp(<SettingsPage />);
    await openTab("typing");
    fireEvent.click(screen.getByTestId("typing-test"));
    expect(fake.module.testTyping).toHaveBeenCalledWith(3000);
    expect(screen.getByTestId("typing-test-countdown").textContent).toBe("Click into a text field… 3");
    await waitFor(() => expect(screen.getByTestId("typing-test-countdown").textContent).toBe("Click into a text field… 2"));
    await act(async () => finish(dictation({ text: "TonnyTray typing test" })));
    await waitFor(() => expect(screen.getByTestId("typing-test-result").textContent).toBe("✓ “TonnyTray typing test”: typed with xdotool"));
    expect(screen.queryByTestId("typing-test-countdown")).toBeNull();

    fake.module.testTyping.mockResolvedValue(dictation({ text: "", status: "failed", message: "xdotool: cannot open display." }));
    fireEvent.click(screen.getByTestId("typing-test"));
    await waitFor(() => expect(screen.getByTestId("typing-test-result").getAttribute("data-status")).toBe("failed"));
    expect(screen.getByTestId("typing-test-result").textContent).toBe("✗ xdotool: cannot open display.");
  });
});

describe("ElevenLabs voices", () => {
  const rows = () => screen.getAllByTestId("voice");
  const row = (name: string) => rows().find((r) => r.textContent?.includes(name))!;
  const within = (el: HTMLElement, testId: string) => el.querySelector(`[data-testid="${testId}"]`) as HTMLButtonElement;

  it("lists the voices with the configured one marked, and Use sets the form's voice id, which Save sends", async () => {
    fake.module.voices.mockResolvedValue(voiceList());
    fake.module.saveSettings.mockResolvedValue({ restartNeeded: [] });
    renderApp(<SettingsPage />);
    await openTab("elevenlabs");
    expect(fake.module.voices).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId("voices-load"));
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(row("Rachel").textContent).toContain("premade");
    expect(row("Rachel").textContent).toContain("calm, young, female");
    expect(row("My voice").textContent).toContain("cloned");
    expect(row("Rachel").getAttribute("data-current")).toBe("true");
    expect(within(row("Rachel"), "voice-use").disabled).toBe(true);
    expect(screen.getAllByTestId("voice-current")).toHaveLength(1);

    fireEvent.click(within(row("Adam"), "voice-use"));
    const field = screen.getByTestId("field-elevenlabs.voice_id") as HTMLInputElement;
    await waitFor(() => expect(field.value).toBe("pNInz6obpgDQGcFmaJgB"));
    expect(row("Adam").getAttribute("data-current")).toBe("true");
    expect(row("Rachel").getAttribute("data-current")).toBe("false");
    expect(screen.getByTestId("voice-test-note").textContent).toContain("save your changes first");

    fireEvent.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(fake.module.saveSettings).toHaveBeenCalledTimes(1));
    expect(fake.module.saveSettings.mock.calls[0][0]).toEqual({
      ...defaultSettings,
      elevenlabs: { ...defaultSettings.elevenlabs, voice_id: "pNInz6obpgDQGcFmaJgB" },
    });
  });

  it("Preview plays the listed voice, busy until it has played; Test voice uses the saved one", async () => {
    fake.module.voices.mockResolvedValue(voiceList());
    let played!: () => void;
    fake.module.previewVoice.mockReturnValueOnce(new Promise<void>((r) => (played = r)));
    renderApp(<SettingsPage />);
    await openTab("elevenlabs");
    expect(screen.getByTestId("voice-test-note").textContent).not.toContain("save your changes first");
    fireEvent.click(screen.getByTestId("voices-load"));
    await waitFor(() => expect(rows()).toHaveLength(3));

    fireEvent.click(within(row("Adam"), "voice-preview"));
    expect(fake.module.previewVoice).toHaveBeenCalledWith("pNInz6obpgDQGcFmaJgB");
    await waitFor(() => expect(within(row("Adam"), "voice-preview").getAttribute("data-loading")).toBe("true"));
    expect(within(row("Rachel"), "voice-preview").disabled).toBe(true);
    await act(async () => played());
    await waitFor(() => expect(within(row("Adam"), "voice-preview").getAttribute("data-loading")).toBeNull());
    expect(within(row("Rachel"), "voice-preview").disabled).toBe(false);

    fake.module.previewVoice.mockResolvedValue(undefined);
    fireEvent.click(screen.getByTestId("voice-test"));
    await waitFor(() => expect(fake.module.previewVoice).toHaveBeenLastCalledWith(""));
    expect(screen.queryByTestId("voice-play-error")).toBeNull();
  });

  it("shows a missing or invalid key, and a failed preview, inline", async () => {
    fake.module.voices.mockRejectedValueOnce(
      new Error(JSON.stringify({ code: "tts_key", message: "No ElevenLabs API key: add it under Secrets." })),
    );
    renderApp(<SettingsPage />);
    await openTab("elevenlabs");
    fireEvent.click(screen.getByTestId("voices-load"));
    await waitFor(() => expect(screen.getByTestId("voices-error").textContent).toBe("No ElevenLabs API key: add it under Secrets."));
    expect(screen.queryByTestId("voices")).toBeNull();

    fake.module.previewVoice.mockRejectedValue(
      new Error(JSON.stringify({ code: "tts_auth", message: "ElevenLabs rejected the API key (401): check it under Secrets." })),
    );
    fireEvent.click(screen.getByTestId("voice-test"));
    await waitFor(() => expect(screen.getByTestId("voice-play-error").textContent).toContain("rejected the API key"));
    expect((screen.getByTestId("voice-test") as HTMLButtonElement).getAttribute("data-loading")).toBeNull();

    fake.module.voices.mockResolvedValue([]);
    fireEvent.click(screen.getByTestId("voices-load"));
    await waitFor(() => expect(screen.getByTestId("voices-empty")).toBeTruthy());
    expect(screen.queryByTestId("voices-error")).toBeNull();
  });
});
