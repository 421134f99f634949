// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { makeSnapshot } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { StatusBanner } from "../../components/StatusBanner";
import { DashboardPage } from "./DashboardPage";

const fake = await vi.hoisted(async () => (await import("../../test/fakeBackend")).createFakeBackend());
vi.mock("../../api/backend", () => fake.module);

beforeEach(() => {
  fake.reset();
  fake.module.getSnapshot.mockResolvedValue(makeSnapshot());
});
afterEach(cleanup);

describe("DashboardPage", () => {
  it("shows each service exactly as the backend reports it, and follows service:state", async () => {
    renderApp(<DashboardPage />);
    const whisper = await screen.findByTestId("service-whisper-server");
    expect(whisper.getAttribute("data-state")).toBe("stopped");
    expect(screen.getByTestId("service-microphone").getAttribute("data-state")).toBe("unavailable");
    expect(screen.getByTestId("service-detail-microphone").textContent).toBe("not available yet");
    await act(async () => fake.emit("service:state", { service: "whisper-server", state: "down", detail: "exited with status 1" }));
    await waitFor(() => expect(screen.getByTestId("service-whisper-server").getAttribute("data-state")).toBe("down"));
    expect(screen.getByTestId("service-detail-whisper-server").textContent).toBe("exited with status 1");
    expect(screen.getByTestId("dashboard-last-command").textContent).toContain("No command yet");
    expect(screen.getByTestId("outbox-summary").textContent).toBe("All delivered");
  });

  it("adds the ElevenLabs card when its service:state arrives and follows it", async () => {
    renderApp(<DashboardPage />);
    await screen.findByTestId("service-whisper-server");
    expect(screen.queryByTestId("service-elevenlabs")).toBeNull();
    await act(async () =>
      fake.emit("service:state", { service: "elevenlabs", state: "ok", detail: "9,500 characters left this period (starter)" }),
    );
    await waitFor(() => expect(screen.getByTestId("service-elevenlabs").getAttribute("data-state")).toBe("ok"));
    expect(screen.getByTestId("service-detail-elevenlabs").textContent).toBe("9,500 characters left this period (starter)");
    await act(async () => fake.emit("service:state", { service: "elevenlabs", state: "degraded", detail: "quota used up until 1 Feb" }));
    await waitFor(() => expect(screen.getByTestId("service-elevenlabs").getAttribute("data-state")).toBe("degraded"));
    expect(screen.getByTestId("service-elevenlabs").textContent).toContain("Degraded");
    expect(screen.getByTestId("service-detail-elevenlabs").textContent).toBe("quota used up until 1 Feb");
  });

  it("runs the system check and shows fixes, whatever the key case", async () => {
    fake.module.runDoctor.mockResolvedValue([
      { name: "webkit2gtk-4.1", status: "ok", detail: "found", fix: "" },
      { name: "portaudio", status: "fail", detail: "libportaudio2 missing", fix: "sudo apt-get install libportaudio2" },
    ]);
    renderApp(<DashboardPage />);
    fireEvent.click(await screen.findByTestId("doctor-run"));
    await waitFor(() => expect(screen.getAllByTestId("doctor-check")).toHaveLength(2));
    const [ok, fail] = screen.getAllByTestId("doctor-check");
    expect(ok.getAttribute("data-status")).toBe("ok");
    expect(fail.getAttribute("data-status")).toBe("fail");
    expect(fail.textContent).toContain("sudo apt-get install libportaudio2");
    expect(screen.getByTestId("doctor-summary").textContent).toBe("1 OK · 0 warning(s) · 1 failed");
  });
});

describe("StatusBanner", () => {
  it("is absent when all is well", async () => {
    renderApp(<StatusBanner />);
    await waitFor(() => expect(fake.module.getSnapshot).toHaveBeenCalled());
    expect(screen.queryByTestId("status-banner")).toBeNull();
  });

  it("shows the backend's error and an app:notice error", async () => {
    fake.module.getSnapshot.mockRejectedValue(new Error(JSON.stringify({ code: "error", message: "open database: disk I/O error" })));
    renderApp(<StatusBanner />);
    expect((await screen.findByTestId("banner-backend-error")).textContent).toContain("open database: disk I/O error");
    await act(async () => fake.emit("app:notice", { level: "error", title: "n8n unreachable", message: "timeout after 10 s" }));
    expect((await screen.findByTestId("banner-notice")).textContent).toContain("timeout after 10 s");
  });

  it("offers to unlock a locked file keychain", async () => {
    fake.module.getSnapshot.mockResolvedValue(
      makeSnapshot({ keychain: { backend: "file", ok: false, locked: true, detail: "the keychain file is locked" } }),
    );
    fake.module.unlockFileKeychain.mockResolvedValue(undefined);
    renderApp(<StatusBanner />);
    expect((await screen.findByTestId("banner-keychain")).textContent).toContain("the keychain file is locked");
    fireEvent.change(screen.getByTestId("keychain-password"), { target: { value: "family-password" } });
    fake.module.getSnapshot.mockResolvedValue(makeSnapshot());
    fireEvent.click(screen.getByTestId("keychain-unlock"));
    await waitFor(() => expect(fake.module.unlockFileKeychain).toHaveBeenCalledWith("family-password"));
    await waitFor(() => expect(screen.queryByTestId("banner-keychain")).toBeNull());
  });
});

