// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { hotkeyStatus, makeSnapshot } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { HotkeySection } from "./HotkeySection";
import { hyprLines, splitCommand, swayKey, swayLines } from "./hotkeyBinding";
import { SettingsPage } from "./SettingsPage";

const fake = await vi.hoisted(async () => (await import("../../test/fakeBackend")).createFakeBackend());
vi.mock("../../api/backend", () => fake.module);

beforeEach(() => {
  fake.reset();
  fake.module.getSnapshot.mockResolvedValue(makeSnapshot());
  fake.module.validateSettings.mockResolvedValue([]);
  fake.module.hotkeyStatus.mockResolvedValue(hotkeyStatus());
});
afterEach(cleanup);

const NO_DISPLAY = hotkeyStatus({
  available: false,
  reason: "no X display (Wayland or headless): bind `tonnytray toggle` in your desktop's shortcut settings",
  active: [],
});

describe("hotkeyBinding", () => {
  it("writes Sway and Hyprland lines, with press and release for push-to-talk", () => {
    expect(swayKey("Ctrl+Shift+V")).toBe("Ctrl+Shift+v");
    expect(swayKey("Super+Alt+space")).toBe("Mod4+Mod1+space");
    expect(swayKey("")).toBe("<key>");
    expect(splitCommand("/t ptt-start / /t ptt-stop")).toEqual({ press: "/t ptt-start", release: "/t ptt-stop" });
    expect(swayLines("Ctrl+Shift+V", "/t toggle")).toEqual(["bindsym Ctrl+Shift+v exec /t toggle"]);
    expect(swayLines("Ctrl+space", "/t ptt-start / /t ptt-stop")).toEqual([
      "bindsym --no-repeat Ctrl+space exec /t ptt-start",
      "bindsym --release Ctrl+space exec /t ptt-stop",
    ]);
    expect(hyprLines("Ctrl+Shift+V", "/t toggle")).toEqual(["bind = CTRL SHIFT, v, exec, /t toggle"]);
    expect(hyprLines("Super+space", "/t ptt-start / /t ptt-stop")).toEqual([
      "bind = SUPER, space, exec, /t ptt-start",
      "bindr = SUPER, space, exec, /t ptt-stop",
    ]);
  });
});

describe("HotkeySection", () => {
  it("says the shortcuts work and lists the active ones with their keys", async () => {
    fake.module.hotkeyStatus.mockResolvedValue(hotkeyStatus({ active: ["pause", "toggle"] }));
    renderApp(<HotkeySection />);
    expect((await screen.findByTestId("hotkey-available")).textContent).toContain("Global shortcuts work on this desktop");
    const active = screen.getAllByTestId("hotkey-active-binding").map((b) => b.textContent);
    expect(active).toEqual(["Pause/resume: Ctrl+Shift+P", "Start/stop listening: Ctrl+Shift+V"]);
    expect(screen.queryByTestId("hotkey-conflict")).toBeNull();
    expect(screen.queryByTestId("hotkey-commands")).toBeNull();
  });

  it("shows a binding another application holds in red", async () => {
    fake.module.hotkeyStatus.mockResolvedValue(
      hotkeyStatus({ active: ["pause"], conflicts: { toggle: "Ctrl+Shift+V is already taken by another application" } }),
    );
    renderApp(<HotkeySection />);
    const conflict = await screen.findByTestId("hotkey-conflict");
    expect(conflict.getAttribute("data-binding")).toBe("toggle");
    expect(conflict.textContent).toContain("Ctrl+Shift+V is already taken by another application — choose another key");
    expect(conflict.getAttribute("style") ?? "").toContain("red");
    expect(screen.getByTestId("hotkey-available")).toBeTruthy();
    expect(screen.getAllByTestId("hotkey-active-binding").map((b) => b.getAttribute("data-binding"))).toEqual(["pause"]);
  });

  it("when unavailable shows the reason and the commands to bind in the desktop's settings", async () => {
    fake.module.hotkeyStatus.mockResolvedValue(NO_DISPLAY);
    renderApp(<HotkeySection />);
    expect((await screen.findByTestId("hotkey-reason")).textContent).toContain("no X display");
    expect(screen.queryByTestId("hotkey-available")).toBeNull();
    const rows = screen.getAllByTestId("hotkey-command").map((r) => r.getAttribute("data-binding"));
    expect(rows).toEqual(["toggle", "pause", "push_to_talk"]);
    const lines = screen.getAllByTestId("hotkey-command-line").map((c) => c.textContent);
    expect(lines).toEqual([
      "/usr/bin/tonnytray toggle",
      "/usr/bin/tonnytray pause",
      "/usr/bin/tonnytray ptt-start",
      "/usr/bin/tonnytray ptt-stop",
    ]);
    expect(screen.getByTestId("hotkey-where-gnome").textContent).toContain("Settings → Keyboard");
    expect(screen.getByTestId("hotkey-where-gnome").textContent).toContain("Custom Shortcuts");
    expect(screen.getByTestId("hotkey-where-kde").textContent).toContain("System Settings → Shortcuts");
    // Only the bindings with a key (push-to-talk has none by default) get config lines.
    expect(screen.getByTestId("hotkey-sway").textContent).toBe(
      "bindsym Ctrl+Shift+v exec /usr/bin/tonnytray toggle\nbindsym Ctrl+Shift+p exec /usr/bin/tonnytray pause",
    );
    expect(screen.getByTestId("hotkey-hyprland").textContent).toContain("bind = CTRL SHIFT, v, exec, /usr/bin/tonnytray toggle");
    expect(screen.getByTestId("hotkey-copy-all")).toBeTruthy();
  });

  it("Check again asks once more and shows the new answer", async () => {
    fake.module.hotkeyStatus.mockResolvedValueOnce(NO_DISPLAY).mockResolvedValueOnce(hotkeyStatus());
    renderApp(<HotkeySection />);
    await screen.findByTestId("hotkey-reason");
    fireEvent.click(screen.getByTestId("hotkey-check"));
    await screen.findByTestId("hotkey-available");
    expect(screen.queryByTestId("hotkey-commands")).toBeNull();
    expect(fake.module.hotkeyStatus).toHaveBeenCalledTimes(2);
  });

  it("shows a failed check", async () => {
    fake.module.hotkeyStatus.mockRejectedValue(new Error(JSON.stringify({ code: "starting", message: "TonnyTray is still starting" })));
    renderApp(<HotkeySection />);
    await waitFor(() => expect(screen.getByTestId("hotkey-error").textContent).toContain("still starting"));
  });

  it("is the Hotkeys group's extra section in Settings", async () => {
    renderApp(<SettingsPage />);
    fireEvent.click(await screen.findByTestId("settings-tab-hotkeys"));
    await screen.findByTestId("settings-extra-hotkeys");
    expect((await screen.findByTestId("hotkey-available")).textContent).toContain("Global shortcuts work on this desktop");
  });
});
