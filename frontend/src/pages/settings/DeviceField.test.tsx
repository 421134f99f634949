// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { renderApp } from "../../test/render";
import { DeviceField } from "./DeviceField";

const fake = await vi.hoisted(async () => (await import("../../test/fakeBackend")).createFakeBackend());
vi.mock("../../api/backend", () => fake.module);

const mic = { path: "audio.input_device", kind: "device" as const, direction: "input" as const, label: "Input device" };

describe("DeviceField", () => {
  afterEach(cleanup);
  it("offers the input devices and tests the chosen microphone", async () => {
    fake.module.audioDevices.mockResolvedValue([
      { name: "USB mic", hostApi: "ALSA", inputChannels: 1, outputChannels: 0, defaultRate: 48000, defaultInput: false, defaultOutput: false },
      { name: "Speakers", hostApi: "ALSA", inputChannels: 0, outputChannels: 2, defaultRate: 48000, defaultInput: false, defaultOutput: true },
    ]);
    fake.module.testMicrophone.mockResolvedValue({ device: "USB mic", seconds: 2, peakDbfs: -12.4, rmsDbfs: -30, sound: true, notices: [] });
    const onChange = vi.fn();
    renderApp(<DeviceField spec={mic} value="USB mic" onChange={onChange} />);
    await waitFor(() => expect(fake.module.audioDevices).toHaveBeenCalled());
    fireEvent.click(screen.getByTestId("mic-test"));
    await waitFor(() => expect(screen.getByTestId("mic-test-result").textContent).toContain("peak -12 dBFS"));
    expect(fake.module.testMicrophone).toHaveBeenCalledWith("USB mic", 2);
  });

  it("says so when the microphone is silent or cannot be opened", async () => {
    fake.module.testMicrophone.mockResolvedValueOnce({ device: "default", seconds: 2, peakDbfs: -100, rmsDbfs: -100, sound: false, notices: ['Microphone "x" is not available; using "default" instead.'] });
    renderApp(<DeviceField spec={mic} value="x" onChange={vi.fn()} />);
    fireEvent.click(screen.getByTestId("mic-test"));
    await waitFor(() => expect(screen.getByTestId("mic-test-result").textContent).toContain("No sound"));
    expect(screen.getByTestId("mic-test-result").textContent).toContain("not available");
    fake.module.testMicrophone.mockRejectedValueOnce(new Error('{"code":"error","message":"open the microphone: no audio input"}'));
    fireEvent.click(screen.getByTestId("mic-test"));
    await waitFor(() => expect(screen.getByTestId("mic-test-error").textContent).toContain("no audio input"));
  });
});
