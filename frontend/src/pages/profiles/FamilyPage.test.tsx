// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { appState, family, makeSnapshot } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { FamilyPage } from "./FamilyPage";

const fake = await vi.hoisted(async () => (await import("../../test/fakeBackend")).createFakeBackend());
vi.mock("../../api/backend", () => fake.module);

const coded = (code: string, message: string, extra: object = {}) => new Error(JSON.stringify({ code, message, ...extra }));

/** Family as the child Mia sees it: she is active and manages nothing. */
const asMia = () => family({ active: "Mia", canManage: false });

beforeEach(() => {
  window.location.hash = "#/profiles";
  fake.reset();
  fake.module.getSnapshot.mockResolvedValue(makeSnapshot({ state: appState({ profile: "Dad", role: "admin" }) }));
  fake.module.family.mockResolvedValue(family());
});
afterEach(() => {
  cleanup();
  window.location.hash = "";
});

const card = (name: string) => screen.getAllByTestId("family-member").find((c) => c.getAttribute("data-profile") === name)!;
const inCard = (name: string) => within(card(name));

async function renderFamily() {
  renderApp(<FamilyPage />);
  await screen.findAllByTestId("family-member");
}

async function openPadFor(name: string) {
  fake.module.family.mockResolvedValue(asMia());
  fake.module.switchProfile.mockRejectedValueOnce(coded("pin_required", "switching up needs the admin PIN"));
  await renderFamily();
  fireEvent.click(inCard(name).getByTestId("family-switch"));
  return screen.findByTestId("pin-pad");
}

const typeDigits = (digits: string) => {
  for (const d of digits) fireEvent.click(screen.getByTestId(`pin-digit-${d}`));
};
const dots = () => screen.getByTestId("pin-dots").getAttribute("data-count");

describe("FamilyPage", () => {
  it("shows every member with role, stats and the active one highlighted", async () => {
    await renderFamily();
    expect(screen.getAllByTestId("family-member").map((c) => c.getAttribute("data-profile"))).toEqual(["Dad", "Sam", "Mia"]);
    expect(card("Dad").getAttribute("aria-current")).toBe("true");
    expect(card("Sam").hasAttribute("aria-current")).toBe(false);
    expect(inCard("Dad").getByTestId("family-stats").textContent).toBe("12 commands · 11 ok · avg 240 ms");
    expect(inCard("Sam").getByTestId("family-stats").textContent).toBe("No commands yet");
    expect(card("Dad").textContent).toContain("Active");
    expect(card("Mia").textContent).toContain("kid-safe");
    expect(card("Sam").textContent).toContain("🐱");
    expect(inCard("Dad").queryByTestId("family-switch")).toBeNull();
  });

  it("switches down with one click and no PIN pad", async () => {
    fake.module.switchProfile.mockResolvedValueOnce(appState({ profile: "Sam", role: "user" }));
    await renderFamily();
    fireEvent.click(inCard("Sam").getByTestId("family-switch"));
    await waitFor(() => expect(fake.module.switchProfile).toHaveBeenCalledWith("Sam", ""));
    expect(screen.queryByTestId("pin-pad")).toBeNull();
  });

  it("opens the PIN pad when the backend wants the PIN; a wrong PIN is cleared and shown", async () => {
    await openPadFor("Dad");
    expect(screen.getByText("Enter the admin PIN to switch to Dad")).toBeTruthy();
    typeDigits("1234");
    expect(dots()).toBe("4");
    // The dots never show the digits.
    expect(screen.getByTestId("pin-dots").textContent).toBe("");
    fake.module.switchProfile.mockRejectedValueOnce(coded("wrong_pin", "Wrong PIN"));
    fireEvent.click(screen.getByTestId("pin-submit"));
    await waitFor(() => expect(screen.getByTestId("pin-error").textContent).toBe("Wrong PIN"));
    expect(fake.module.switchProfile).toHaveBeenLastCalledWith("Dad", "1234");
    expect(screen.getByTestId("pin-error").getAttribute("role")).toBe("alert");
    expect(dots()).toBe("0");
  });

  it("disables the keypad while the backend makes the next try wait, with a countdown", async () => {
    await openPadFor("Dad");
    typeDigits("9999");
    fake.module.switchProfile.mockRejectedValueOnce(coded("wrong_pin", "Wrong PIN. Wait 2 s before the next try", { retryAfterMs: 1500 }));
    fireEvent.click(screen.getByTestId("pin-submit"));
    await screen.findByTestId("pin-wait");
    expect(screen.getByTestId("pin-wait").textContent).toBe("Try again in 2 s");
    expect(screen.getByTestId("pin-digit-1")).toHaveProperty("disabled", true);
    await waitFor(() => expect(screen.getByTestId("pin-digit-1")).toHaveProperty("disabled", false));
    expect(screen.queryByTestId("pin-wait")).toBeNull();
  });

  it("takes the physical keyboard, and the right PIN switches and closes the pad", async () => {
    const pad = await openPadFor("Dad");
    await waitFor(() => expect(document.activeElement).toBe(pad));
    for (const key of ["2", "4", "9", "Backspace", "6", "8"]) fireEvent.keyDown(pad, { key });
    expect(dots()).toBe("4");
    fake.module.switchProfile.mockResolvedValueOnce(appState({ profile: "Dad", role: "admin" }));
    fireEvent.keyDown(pad, { key: "Enter" });
    await waitFor(() => expect(fake.module.switchProfile).toHaveBeenLastCalledWith("Dad", "2468"));
    await waitFor(() => expect(screen.queryByTestId("pin-pad")).toBeNull());
    expect(window.location.hash).toBe("#/profiles");
  });

  it("opens the pad for a PIN request in the hash (the tray's)", async () => {
    window.location.hash = "#/profiles?pin=Dad";
    renderApp(<FamilyPage />);
    await screen.findByTestId("pin-pad");
    expect(screen.getByText("Enter the admin PIN to switch to Dad")).toBeTruthy();
  });

  it("gives an admin Add, Edit, Delete and the PIN on admin cards; others none of them", async () => {
    await renderFamily();
    expect(screen.getByTestId("family-add")).toBeTruthy();
    expect(inCard("Sam").getByTestId("family-edit")).toBeTruthy();
    expect(inCard("Sam").getByTestId("family-delete")).toBeTruthy();
    expect(inCard("Dad").getByTestId("family-set-pin").textContent).toBe("Change PIN");
    expect(inCard("Sam").queryByTestId("family-set-pin")).toBeNull();
    cleanup();

    fake.module.family.mockResolvedValue(asMia());
    await renderFamily();
    for (const id of ["family-add", "family-edit", "family-delete", "family-set-pin"]) expect(screen.queryByTestId(id)).toBeNull();
  });

  it("deletes after confirming and shows the backend's refusal", async () => {
    fake.module.deleteProfile.mockRejectedValueOnce(coded("not_allowed", "The last admin cannot be deleted"));
    await renderFamily();
    fireEvent.click(inCard("Dad").getByTestId("family-delete"));
    fireEvent.click(await screen.findByTestId("family-delete-confirm"));
    await waitFor(() => expect(fake.module.deleteProfile).toHaveBeenCalledWith("Dad"));
    expect((await screen.findByTestId("notice-error")).textContent).toBe("The last admin cannot be deleted");
  });

  it("shows a backend field error under its input and keeps what was typed", async () => {
    await renderFamily();
    fireEvent.click(inCard("Mia").getByTestId("family-edit"));
    const editor = await screen.findByTestId("profile-editor");
    const allowed = within(editor).getByTestId("profile-field-allowed") as HTMLTextAreaElement;
    expect(allowed.value).toBe("lights");
    fireEvent.change(allowed, { target: { value: "lights\nx" } });
    fireEvent.change(within(editor).getByTestId("profile-qa-name-0"), { target: { value: "" } });
    fake.module.updateProfile.mockRejectedValueOnce(
      coded("validation", "allowed[1]: too short", {
        fields: [
          { field: "allowed[1]", message: "must be at least 2 characters" },
          { field: "quickActions[0].name", message: "must not be empty" },
        ],
      }),
    );
    fireEvent.click(within(editor).getByTestId("profile-save"));
    expect((await screen.findByTestId("profile-error-allowed")).textContent).toBe("must be at least 2 characters");
    expect(screen.getByTestId("profile-error-qa-name-0").textContent).toBe("must not be empty");
    expect(allowed.value).toBe("lights\nx");
    expect(fake.module.updateProfile.mock.calls[0][0]).toMatchObject({ id: 3, name: "Mia", role: "child", allowed: ["lights", "x"] });
  });

  it("adds a profile with the role from the native select and the quick action rows", async () => {
    fake.module.createProfile.mockImplementation(async (p: unknown) => p);
    await renderFamily();
    fireEvent.click(screen.getByTestId("family-add"));
    const editor = await screen.findByTestId("profile-editor");
    fireEvent.change(within(editor).getByTestId("profile-field-name"), { target: { value: "Grandma" } });
    fireEvent.change(within(editor).getByTestId("profile-field-role"), { target: { value: "guest" } });
    fireEvent.click(within(editor).getByTestId("profile-qa-add"));
    fireEvent.change(within(editor).getByTestId("profile-qa-name-0"), { target: { value: "Radio" } });
    fireEvent.change(within(editor).getByTestId("profile-qa-command-0"), { target: { value: "play the radio" } });
    fireEvent.click(within(editor).getByTestId("profile-save"));
    await waitFor(() =>
      expect(fake.module.createProfile).toHaveBeenCalledWith(
        expect.objectContaining({ id: 0, name: "Grandma", role: "guest", quickActions: [{ name: "Radio", command: "play the radio" }] }),
      ),
    );
    await waitFor(() => expect(screen.queryByTestId("profile-editor")).toBeNull());
  });

  it("asks for an admin PIN first when a child is picked before one exists", async () => {
    fake.module.family.mockResolvedValue(family({ needsPin: true }));
    await renderFamily();
    fireEvent.click(screen.getByTestId("family-add"));
    const editor = await screen.findByTestId("profile-editor");
    expect(within(editor).queryByTestId("profile-field-dictation")).toBeNull();
    fireEvent.change(within(editor).getByTestId("profile-field-role"), { target: { value: "child" } });
    expect(within(editor).getByTestId("profile-child-needs-pin")).toBeTruthy();
    expect(within(editor).getByTestId("profile-save")).toHaveProperty("disabled", true);
    expect(within(editor).getByTestId("profile-field-dictation")).toBeTruthy();
    fireEvent.click(within(editor).getByTestId("profile-child-set-pin"));
    expect(await screen.findByTestId("set-pin-modal")).toBeTruthy();
  });

  it("runs the active profile's quick action and reports a refusal", async () => {
    fake.module.family.mockResolvedValue(asMia());
    fake.module.runQuickAction.mockResolvedValueOnce({ id: "r1", status: "queued" });
    await renderFamily();
    const button = inCard("Mia").getByTestId("quick-action");
    expect(button.getAttribute("data-name")).toBe("Night light");
    fireEvent.click(button);
    await waitFor(() => expect(fake.module.runQuickAction).toHaveBeenCalledWith("Night light"));
    expect(await screen.findByTestId("notice-quick-action")).toBeTruthy();

    fake.module.runQuickAction.mockRejectedValueOnce(coded("not_allowed", "Mia may not send that"));
    fireEvent.click(inCard("Mia").getByTestId("quick-action"));
    expect((await screen.findByTestId("notice-error")).textContent).toBe("Mia may not send that");
  });

  it("changes an admin's PIN: checks the digits and match here, shows the backend's refusal", async () => {
    fake.module.setAdminPIN.mockRejectedValueOnce(coded("wrong_pin", "Wrong PIN"));
    await renderFamily();
    fireEvent.click(inCard("Dad").getByTestId("family-set-pin"));
    const modal = await screen.findByTestId("set-pin-modal");
    const fill = (id: string, value: string) => fireEvent.change(within(modal).getByTestId(id), { target: { value } });
    fill("set-pin-old", "1111");
    fill("set-pin-new", "12");
    fill("set-pin-confirm", "12");
    fireEvent.click(within(modal).getByTestId("set-pin-save"));
    expect(screen.getByTestId("set-pin-error").textContent).toBe("The new PIN must be 4 to 8 digits.");
    fill("set-pin-new", "2468");
    fill("set-pin-confirm", "2469");
    fireEvent.click(within(modal).getByTestId("set-pin-save"));
    expect(screen.getByTestId("set-pin-error").textContent).toBe("The two new PINs differ.");
    expect(fake.module.setAdminPIN).not.toHaveBeenCalled();
    fill("set-pin-confirm", "2468");
    fireEvent.click(within(modal).getByTestId("set-pin-save"));
    await waitFor(() => expect(screen.getByTestId("set-pin-error").textContent).toBe("Wrong PIN"));
    expect(fake.module.setAdminPIN).toHaveBeenCalledWith("Dad", "1111", "2468");
  });

  it("reloads the family on profiles:changed", async () => {
    await renderFamily();
    await waitFor(() => expect(fake.listenerCount("profiles:changed")).toBeGreaterThan(0));
    fake.module.family.mockResolvedValue(family({ members: family().members.slice(0, 2) }));
    await act(async () => fake.emit("profiles:changed", { reason: "deleted", profile: "Mia", active: "Dad" }));
    await waitFor(() => expect(screen.getAllByTestId("family-member")).toHaveLength(2));
  });
});
