// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { defaultSettings, makeSnapshot } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import type { Settings } from "../../api";
import { SettingsPage } from "./SettingsPage";

const fake = await vi.hoisted(async () => (await import("../../test/fakeBackend")).createFakeBackend());
vi.mock("../../api/backend", () => fake.module);

const portError = (s: Settings) =>
  s.whisper.port < 1 || s.whisper.port > 65535 ? [{ field: "whisper.port", message: `port ${s.whisper.port} is outside 1–65535` }] : [];

beforeEach(() => {
  fake.reset();
  fake.module.getSnapshot.mockResolvedValue(makeSnapshot());
  fake.module.validateSettings.mockImplementation(async (s: Settings) => portError(s));
  fake.module.saveSettings.mockResolvedValue({ restartNeeded: ["whisper-server"] });
});
afterEach(cleanup);

const portInput = () => screen.getByTestId("field-whisper.port") as HTMLInputElement;

describe("SettingsPage", () => {
  it("shows every group's inputs with labels and the saved values", async () => {
    renderApp(<SettingsPage />);
    await waitFor(() => expect(portInput().value).toBe("8000"));
    expect(screen.getByLabelText("Port")).toBe(portInput());
    expect(screen.getByTestId("field-whisper.managed")).toHaveProperty("checked", true);
    expect(screen.getByTestId("settings-save")).toHaveProperty("disabled", true);
    fireEvent.click(screen.getByTestId("settings-tab-n8n"));
    expect((screen.getByLabelText("Auth header name") as HTMLInputElement).value).toBe("X-Tonny-Key");
    expect(screen.getByTestId("field-n8n.auth_header_name")).toBe(screen.getByLabelText("Auth header name"));
  });

  it("validates live and shows the backend's message under the field, then clears it", async () => {
    renderApp(<SettingsPage />);
    await waitFor(() => expect(portInput().value).toBe("8000"));

    fireEvent.change(portInput(), { target: { value: "70000" } });
    const err = await screen.findByTestId("field-error-whisper.port");
    expect(err.textContent).toContain("port 70000");
    expect(portInput().getAttribute("aria-invalid")).toBe("true");
    expect(within(screen.getByTestId("settings-tab-whisper")).getByText("1")).toBeTruthy();

    fireEvent.change(portInput(), { target: { value: "8765" } });
    await waitFor(() => expect(screen.queryByTestId("field-error-whisper.port")).toBeNull());
    expect(fake.module.validateSettings).toHaveBeenLastCalledWith(expect.objectContaining({ whisper: expect.objectContaining({ port: 8765 }) }));
  });

  it("saves the draft and reports what needs a restart", async () => {
    renderApp(<SettingsPage />);
    await waitFor(() => expect(portInput().value).toBe("8000"));
    fireEvent.change(portInput(), { target: { value: "8765" } });
    const save = screen.getByTestId("settings-save");
    await waitFor(() => expect(save).toHaveProperty("disabled", false));

    fireEvent.click(save);
    const notice = await screen.findByTestId("notice-settings-saved");
    expect(notice.textContent).toBe("Restart needed for whisper-server.");
    const sent = fake.module.saveSettings.mock.calls[0][0] as Settings;
    expect(sent).toEqual({ ...defaultSettings, whisper: { ...defaultSettings.whisper, port: 8765 } });
    await waitFor(() => expect(save).toHaveProperty("disabled", true));
  });

  it("shows field errors from a rejected save", async () => {
    fake.module.validateSettings.mockResolvedValue([]);
    fake.module.saveSettings.mockRejectedValue(
      new Error(JSON.stringify({ code: "validation", message: "Some settings need fixing", fields: [{ field: "n8n.webhook_url", message: "must use https" }] })),
    );
    renderApp(<SettingsPage />);
    await waitFor(() => expect(portInput().value).toBe("8000"));
    fireEvent.click(screen.getByTestId("settings-tab-n8n"));
    fireEvent.change(screen.getByTestId("field-n8n.webhook_url"), { target: { value: "http://example.org/hook" } });
    fireEvent.click(screen.getByTestId("settings-save"));
    expect((await screen.findByTestId("field-error-n8n.webhook_url")).textContent).toBe("must use https");
    expect((await screen.findByTestId("notice-settings-save-failed")).textContent).toBe("Some settings need fixing");
  });

  it("recovers field errors when the rejection lost its details", async () => {
    fake.module.saveSettings.mockRejectedValue(new Error("[object Object]"));
    renderApp(<SettingsPage />);
    await waitFor(() => expect(portInput().value).toBe("8000"));
    fake.module.validateSettings.mockImplementation(async (s: Settings) => portError(s));
    fireEvent.change(portInput(), { target: { value: "0" } });
    fireEvent.click(screen.getByTestId("settings-save"));
    expect((await screen.findByTestId("notice-settings-save-failed")).textContent).toBe("Some settings need fixing.");
    expect((await screen.findByTestId("field-error-whisper.port")).textContent).toContain("port 0");
  });

  it("blocks saving an empty number until it is filled in", async () => {
    renderApp(<SettingsPage />);
    await waitFor(() => expect(portInput().value).toBe("8000"));
    fireEvent.change(portInput(), { target: { value: "" } });
    expect((await screen.findByTestId("field-error-whisper.port")).textContent).toBe("Enter a number");
    expect(screen.getByTestId("settings-save")).toHaveProperty("disabled", true);
  });

  it("reloads on settings:changed and keeps unsaved edits on top", async () => {
    renderApp(<SettingsPage />);
    await waitFor(() => expect(portInput().value).toBe("8000"));
    fireEvent.change(portInput(), { target: { value: "9000" } });
    const changed = makeSnapshot();
    changed.settings.general.log_level = "debug";
    fake.module.getSnapshot.mockResolvedValue(changed);
    await act(async () => fake.emit("settings:changed", { changed: ["general.log_level"], restartNeeded: [] }));
    await screen.findByTestId("settings-changed-elsewhere");
    expect(portInput().value).toBe("9000");
    fireEvent.click(screen.getByTestId("settings-tab-general"));
    expect((screen.getByTestId("field-general.log_level") as HTMLInputElement).value).toBe("debug");
    // Switching back shows the kept edit, and it is still unsaved.
    fireEvent.click(screen.getByTestId("settings-tab-whisper"));
    expect(portInput().value).toBe("9000");
    expect(screen.getByTestId("settings-save")).toHaveProperty("disabled", false);
  });

  it("handles secrets write-only", async () => {
    fake.module.setSecret.mockResolvedValue(undefined);
    renderApp(<SettingsPage />);
    await waitFor(() => expect(portInput().value).toBe("8000"));
    fireEvent.click(screen.getByTestId("settings-tab-secrets"));
    expect(screen.getByTestId("secret-status-n8n.auth").textContent).toBe("configured ✓");
    expect(screen.getByTestId("secret-status-elevenlabs.api_key").textContent).toBe("not set");
    expect(screen.queryByTestId("secret-delete-elevenlabs.api_key")).toBeNull();

    const input = screen.getByTestId("secret-input-elevenlabs.api_key") as HTMLInputElement;
    expect(input.type).toBe("password");
    fireEvent.change(input, { target: { value: "sk-very-secret" } });
    fireEvent.click(screen.getByTestId("secret-save-elevenlabs.api_key"));
    await screen.findByTestId("notice-secret-saved");
    expect(fake.module.setSecret).toHaveBeenCalledWith("elevenlabs.api_key", "sk-very-secret");
    expect(input.value).toBe("");
    expect(document.body.innerHTML).not.toContain("sk-very-secret");
  });

  it("opens the setup wizard again", async () => {
    window.location.hash = "#/settings";
    renderApp(<SettingsPage />);
    fireEvent.click(await screen.findByTestId("settings-run-setup"));
    expect(window.location.hash).toBe("#/setup");
    window.location.hash = "";
  });
});
