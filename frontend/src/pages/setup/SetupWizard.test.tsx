// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import type { Settings } from "../../api";
import { family, member, n8nTest, serverState, voiceList } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { firstRunSnapshot } from "../../test/setupFixtures";
import type { StepId } from "./steps";
import { SetupPage } from "./SetupWizard";

const fake = await vi.hoisted(async () => (await import("../../test/fakeBackend")).createFakeBackend());
vi.mock("../../api/backend", () => fake.module);

const coded = (code: string, message: string, extra: object = {}) => new Error(JSON.stringify({ code, message, ...extra }));
const BAD_URL = "http://tonny.example/webhook";
const urlError = { field: "n8n.webhook_url", message: "https is required unless the host is this machine" };

beforeEach(() => {
  window.location.hash = "#/setup";
  fake.reset();
  fake.module.getSnapshot.mockResolvedValue(firstRunSnapshot());
  fake.module.validateSettings.mockImplementation(async (s: Settings) => (s.n8n.webhook_url === BAD_URL ? [urlError] : []));
  fake.module.saveSettings.mockResolvedValue({ restartNeeded: [] });
  fake.module.setSecret.mockResolvedValue(undefined);
  fake.module.runDoctor.mockResolvedValue([
    { name: "display", status: "ok", detail: "X11", fix: "" },
    { name: "whisperlivekit-server", status: "fail", detail: "whisperlivekit-server not found", fix: "python3 -m venv ~/.venv" },
  ]);
  fake.module.family.mockResolvedValue(
    family({ members: [member({ id: 1, name: "Admin", role: "admin", hasPin: false })], active: "Admin", needsPin: true }),
  );
});
afterEach(() => {
  cleanup();
  window.location.hash = "";
});

const step = () => screen.getByTestId("setup-step");
const input = (id: string) => screen.getByTestId(id) as HTMLInputElement;
const savedSettings = (): Settings => fake.module.saveSettings.mock.lastCall![0];

async function open() {
  renderApp(<SetupPage />);
  await screen.findByTestId("setup-step");
}

/** Clicks Next until the wizard shows step `id`. */
function nextTo(id: StepId) {
  while (step().getAttribute("data-step") !== id) fireEvent.click(screen.getByTestId("setup-next"));
}

async function goTo(id: StepId) {
  await open();
  nextTo(id);
}

describe("the setup wizard", () => {
  it("shows the speech server's state and the WhisperLiveKit check, and starts the server", async () => {
    fake.module.controlSpeechServer.mockResolvedValue(serverState({ state: "starting" }));
    await open();
    expect(step().getAttribute("data-step")).toBe("server");
    expect(screen.getByTestId("setup-server-state").textContent).toBe("Stopped");
    const check = await screen.findByText("whisperlivekit-server not found");
    expect(screen.getByTestId("setup-doctor-whisper").contains(check)).toBe(true);
    expect(screen.getByTestId("setup-doctor-whisper").textContent).toContain("python3 -m venv ~/.venv");
    expect(screen.getByTestId("setup-doctor-whisper").textContent).not.toContain("X11");

    fireEvent.click(screen.getByTestId("setup-server-start"));
    await waitFor(() => expect(fake.module.controlSpeechServer).toHaveBeenCalledWith("start"));
    await act(async () => fake.emit("server:state", serverState({ state: "starting" })));
    expect(screen.getByTestId("setup-server-state").textContent).toBe("Loading model…");
    expect(screen.getByTestId("setup-back")).toHaveProperty("disabled", true);
  });

  it("shows why the server did not start", async () => {
    fake.module.controlSpeechServer.mockRejectedValue(coded("server", "whisperlivekit-server is not installed"));
    await open();
    fireEvent.click(screen.getByTestId("setup-server-start"));
    expect((await screen.findByTestId("setup-server-error")).textContent).toContain("whisperlivekit-server is not installed");
  });

  it("tests the chosen microphone and shows the verdict or the backend's refusal", async () => {
    fake.module.testMicrophone.mockResolvedValueOnce({ device: "USB mic", seconds: 2, peakDbfs: -12, rmsDbfs: -30, sound: true, notices: [] });
    await goTo("microphone");
    fireEvent.change(input("field-audio.input_device"), { target: { value: "USB mic" } });
    fireEvent.click(screen.getByTestId("setup-mic-test"));
    await waitFor(() => expect(screen.getByTestId("setup-mic-result").textContent).toContain("Heard sound on “USB mic”"));
    expect(fake.module.testMicrophone).toHaveBeenCalledWith("USB mic", 2);

    fake.module.testMicrophone.mockRejectedValueOnce(coded("audio", "no audio input device named USB mic"));
    fireEvent.click(screen.getByTestId("setup-mic-test"));
    await waitFor(() => expect(screen.getByTestId("setup-mic-result").textContent).toBe("no audio input device named USB mic"));
  });

  it("stores the n8n URL and auth value before testing the connection", async () => {
    fake.module.testN8N.mockResolvedValue(n8nTest({ reply: "pong" }));
    await goTo("n8n");
    fireEvent.change(input("setup-n8n-url"), { target: { value: "https://n8n.example/webhook/tonny" } });
    fireEvent.change(input("setup-n8n-secret"), { target: { value: "hunter2" } });
    fireEvent.click(screen.getByTestId("setup-n8n-test"));
    await waitFor(() => expect(screen.getByTestId("setup-n8n-result").textContent).toContain("Tonny answered."));
    expect(fake.module.setSecret).toHaveBeenCalledWith("n8n.auth", "hunter2");
    expect(savedSettings().n8n.webhook_url).toBe("https://n8n.example/webhook/tonny");
    expect(savedSettings().general.setup_complete).toBe(false);
    expect(input("setup-n8n-secret").value).toBe("");
  });

  it("shows the backend's sentence when the n8n test cannot run", async () => {
    fake.module.testN8N.mockRejectedValue(coded("n8n", "no webhook URL is set"));
    await goTo("n8n");
    fireEvent.click(screen.getByTestId("setup-n8n-test"));
    await waitFor(() => expect(screen.getByTestId("setup-n8n-result").textContent).toBe("no webhook URL is set"));
    expect(fake.module.saveSettings).not.toHaveBeenCalled();
  });

  it("saves the ElevenLabs key, then lists the voices to preview and use", async () => {
    fake.module.voices.mockResolvedValue(voiceList());
    fake.module.previewVoice.mockResolvedValue(undefined);
    await goTo("voice");
    fireEvent.change(input("setup-eleven-key"), { target: { value: "sk-1" } });
    const configured = firstRunSnapshot();
    configured.secrets = configured.secrets.map((s) => (s.key === "elevenlabs.api_key" ? { ...s, configured: true } : s));
    fake.module.getSnapshot.mockResolvedValue(configured);
    fireEvent.click(screen.getByTestId("secret-save-elevenlabs.api_key"));
    await waitFor(() => expect(fake.module.setSecret).toHaveBeenCalledWith("elevenlabs.api_key", "sk-1"));
    await act(async () => fake.emit("secret:changed", { key: "elevenlabs.api_key", configured: true }));

    const list = screen.getByTestId("setup-voice-list");
    await waitFor(() => expect(within(list).getAllByTestId("voice")).toHaveLength(3));
    fireEvent.click(within(list).getByLabelText("Preview Adam"));
    await waitFor(() => expect(fake.module.previewVoice).toHaveBeenCalledWith("pNInz6obpgDQGcFmaJgB"));
    fireEvent.click(within(list).getByLabelText("Use Adam"));

    fireEvent.click(screen.getByTestId("setup-next"));
    fireEvent.click(screen.getByTestId("setup-next"));
    fireEvent.click(screen.getByTestId("setup-finish"));
    await waitFor(() => expect(fake.module.saveSettings).toHaveBeenCalled());
    expect(savedSettings().elevenlabs.voice_id).toBe("pNInz6obpgDQGcFmaJgB");
  });

  it("sets the admin PIN with the Profiles page's dialog", async () => {
    fake.module.setAdminPIN.mockResolvedValue(undefined);
    await goTo("family");
    await waitFor(() => expect(screen.getByTestId("setup-set-pin")).toHaveProperty("disabled", false));
    fireEvent.click(screen.getByTestId("setup-set-pin"));
    const modal = await screen.findByTestId("set-pin-modal");
    fireEvent.change(within(modal).getByTestId("set-pin-new"), { target: { value: "2468" } });
    fireEvent.change(within(modal).getByTestId("set-pin-confirm"), { target: { value: "2468" } });
    fireEvent.click(within(modal).getByTestId("set-pin-save"));
    await waitFor(() => expect(fake.module.setAdminPIN).toHaveBeenCalledWith("Admin", "", "2468"));
  });

  it("finishes: saves the edited URL with setup_complete and goes to the dashboard", async () => {
    await goTo("n8n");
    fireEvent.change(input("setup-n8n-url"), { target: { value: "https://n8n.example/webhook/tonny" } });
    fireEvent.click(screen.getByTestId("setup-next"));
    fireEvent.click(screen.getByTestId("setup-skip-step"));
    fireEvent.click(screen.getByTestId("setup-skip-step"));
    const summary = screen.getByTestId("setup-summary");
    expect(summary.textContent).toContain("Tonny's webhook: https://n8n.example/webhook/tonny");
    const voice = within(summary).getAllByTestId("setup-summary-item").find((i) => i.getAttribute("data-step") === "voice")!;
    expect(voice.textContent).toContain("skipped");

    fireEvent.click(screen.getByTestId("setup-finish"));
    await waitFor(() => expect(window.location.hash).toBe("#/dashboard"));
    expect(savedSettings().general.setup_complete).toBe(true);
    expect(savedSettings().n8n.webhook_url).toBe("https://n8n.example/webhook/tonny");
    expect(fake.module.setSecret).not.toHaveBeenCalled();
  });

  it("stores a secret typed but not saved when finishing", async () => {
    await goTo("n8n");
    fireEvent.change(input("setup-n8n-secret"), { target: { value: "hunter2" } });
    nextTo("done");
    fireEvent.click(screen.getByTestId("setup-finish"));
    await waitFor(() => expect(window.location.hash).toBe("#/dashboard"));
    expect(fake.module.setSecret).toHaveBeenCalledWith("n8n.auth", "hunter2");
  });

  it("shows a validation error under the URL input and keeps what was typed", async () => {
    fake.module.saveSettings.mockRejectedValue(coded("validation", "Some settings need fixing.", { fields: [urlError] }));
    await goTo("n8n");
    fireEvent.change(input("setup-n8n-url"), { target: { value: BAD_URL } });
    nextTo("done");
    fireEvent.click(screen.getByTestId("setup-finish"));

    await waitFor(() => expect(step().getAttribute("data-step")).toBe("n8n"));
    expect(screen.getByTestId("field-error-n8n.webhook_url").textContent).toBe(urlError.message);
    expect(input("setup-n8n-url").value).toBe(BAD_URL);
    expect(screen.getByTestId("setup-error").textContent).toContain("Some settings need fixing.");
    expect(savedSettings().general.setup_complete).toBe(true);
    expect(window.location.hash).toBe("#/setup");
  });

  it("skips the setup: saves only setup_complete and goes to the dashboard", async () => {
    await open();
    fireEvent.click(screen.getByTestId("setup-skip-all"));
    await waitFor(() => expect(window.location.hash).toBe("#/dashboard"));
    const expected = firstRunSnapshot().settings;
    expected.general.setup_complete = true;
    expect(savedSettings()).toEqual(expected);
  });

  it("asks before skipping when something was typed, and drops it", async () => {
    await goTo("n8n");
    fireEvent.change(input("setup-n8n-url"), { target: { value: "https://n8n.example/webhook/tonny" } });
    fireEvent.click(screen.getByTestId("setup-skip-all"));
    fireEvent.click(await screen.findByTestId("setup-skip-all-confirm"));
    await waitFor(() => expect(window.location.hash).toBe("#/dashboard"));
    expect(savedSettings().general.setup_complete).toBe(true);
    expect(savedSettings().n8n.webhook_url).toBe("");
  });

  it("shows why skipping failed and stays", async () => {
    fake.module.saveSettings.mockRejectedValue(coded("not_allowed", "only an admin may change settings"));
    await open();
    fireEvent.click(screen.getByTestId("setup-skip-all"));
    expect((await screen.findByTestId("setup-error")).textContent).toContain("only an admin may change settings");
    expect(window.location.hash).toBe("#/setup");
  });

  it("goes back a step", async () => {
    await goTo("voice");
    fireEvent.click(screen.getByTestId("setup-back"));
    expect(step().getAttribute("data-step")).toBe("n8n");
  });
});
