// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { appState, family, makeSnapshot, member } from "../test/fixtures";
import { renderApp } from "../test/render";
import { AdminPinBanner } from "./AdminPinBanner";

const fake = await vi.hoisted(async () => (await import("../test/fakeBackend")).createFakeBackend());
vi.mock("../api/backend", () => fake.module);

/** First run: the admin Dad has no PIN yet. */
const firstRun = () => family({ members: [member({ name: "Dad", role: "admin" }), member({ id: 2, name: "Sam", role: "user" })], needsPin: true });

beforeEach(() => {
  fake.reset();
  fake.module.getSnapshot.mockResolvedValue(makeSnapshot({ state: appState({ profile: "Dad", role: "admin" }) }));
  fake.module.family.mockResolvedValue(firstRun());
  fake.module.setAdminPIN.mockResolvedValue(undefined);
});
afterEach(cleanup);

describe("AdminPinBanner", () => {
  it("asks the active admin for a PIN and goes once it is set", async () => {
    renderApp(<AdminPinBanner />);
    const banner = await screen.findByTestId("admin-pin-banner");
    expect(banner.textContent).toContain("Set an admin PIN — until you do, anyone can switch to an admin profile");
    fireEvent.click(within(banner).getByTestId("admin-pin-set"));
    const modal = await screen.findByTestId("set-pin-modal");
    expect(within(modal).queryByTestId("set-pin-old")).toBeNull();
    fireEvent.change(within(modal).getByTestId("set-pin-new"), { target: { value: "2468" } });
    fireEvent.change(within(modal).getByTestId("set-pin-confirm"), { target: { value: "2468" } });
    fireEvent.click(within(modal).getByTestId("set-pin-save"));
    await waitFor(() => expect(fake.module.setAdminPIN).toHaveBeenCalledWith("Dad", "", "2468"));

    fake.module.family.mockResolvedValue({ ...firstRun(), needsPin: false });
    await act(async () => fake.emit("profiles:changed", { reason: "pin", profile: "Dad", active: "Dad" }));
    await waitFor(() => expect(screen.queryByTestId("admin-pin-banner")).toBeNull());
  });

  it("is not shown to a profile that cannot set one", async () => {
    fake.module.family.mockResolvedValue({ ...firstRun(), active: "Sam", canManage: false });
    renderApp(<AdminPinBanner />);
    await waitFor(() => expect(fake.module.family).toHaveBeenCalled());
    await act(async () => {});
    expect(screen.queryByTestId("admin-pin-banner")).toBeNull();
  });
});
