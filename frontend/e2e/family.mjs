#!/usr/bin/env node
// Browser end-to-end check of the family screen against a running TonnyTray UI (`wails dev`, started by
// scripts/e2e.sh after the settings phases, on the same data).
//
//   node e2e/family.mjs --url http://localhost:34115 --screenshot-dir DIR
//
// First run: the admin sets a PIN from the banner, adds a child "Mia", switches to her with one click (no PIN
// pad), and Settings is refused with the backend's sentence. Back on the family screen, switching to the admin
// opens the PIN pad: a wrong PIN is refused and the child stays active; the right PIN switches, and Settings
// opens again. One line per passed assertion; exit 1 with a clear message (and a screenshot) on the first
// failure.
import { parseArgs } from "node:util";
import { check, Failure, runInBrowser, STARTUP_MS, STEP_MS, tid, until, visibleText } from "./lib.mjs";

const PIN = "2468";
const WRONG_PIN = "1357";
const CHILD = "Mia";

const { values: args } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:34115" },
    "screenshot-dir": { type: "string", default: "e2e-shots" },
  },
});
const base = args.url.replace(/\/+$/, "");
const c = check("family", args["screenshot-dir"]);

const member = (page, name) => page.locator(`${tid("family-member")}[data-profile="${name}"]`);
const isCurrent = async (page, name) => (await member(page, name).getAttribute("aria-current")) === "true";

async function openFamily(page) {
  await page.goto(`${base}/#/profiles`, { waitUntil: "domcontentloaded" });
  await until(page, "the family screen shows the Admin and Guest profiles", STARTUP_MS, async () =>
    (await member(page, "Admin").count()) === 1 && (await member(page, "Guest").count()) === 1);
  c.pass("the family screen lists the first-run profiles Admin and Guest");
  if (!(await isCurrent(page, "Admin"))) throw new Failure("Admin is not the active profile on first run");
  c.pass("Admin is highlighted as the active profile");
}

async function setAdminPIN(page) {
  await until(page, "the set-a-PIN banner on first run", STEP_MS, () => page.locator(tid("admin-pin-banner")).isVisible());
  c.pass("the first-run banner asks for an admin PIN");
  await page.locator(tid("admin-pin-set")).click();
  const modal = page.locator(tid("set-pin-modal"));
  await until(page, "the set-PIN dialog", STEP_MS, () => modal.isVisible());
  await modal.locator(tid("set-pin-new")).fill(PIN);
  await modal.locator(tid("set-pin-confirm")).fill(PIN);
  await modal.locator(tid("set-pin-save")).click();
  await until(page, "the banner goes once the PIN is set", STEP_MS, async () => (await page.locator(tid("admin-pin-banner")).count()) === 0,
    async () => (await visibleText(page, tid("set-pin-error"))) ?? "");
  c.pass("the admin PIN is set and the banner is gone");
}

async function addChild(page) {
  await page.locator(tid("family-add")).click();
  const editor = page.locator(tid("profile-editor"));
  await until(page, "the profile editor", STEP_MS, () => editor.isVisible());
  await editor.locator(tid("profile-field-name")).fill(CHILD);
  await editor.locator(tid("profile-field-role")).selectOption("child");
  await editor.locator(tid("profile-field-allowed")).fill("lights\ngood night");
  await editor.locator(tid("profile-save")).click();
  await until(page, `${CHILD}'s card appears`, STEP_MS, async () => (await member(page, CHILD).count()) === 1,
    async () => `editor errors: ${await editor.locator('[data-testid^="profile-error-"]').allInnerTexts().catch(() => [])}`);
  c.pass(`the admin added the child profile ${CHILD}`);
}

async function switchDownWithOneClick(page) {
  await member(page, CHILD).locator(tid("family-switch")).click();
  await until(page, `${CHILD} becomes active after one click`, STEP_MS, () => isCurrent(page, CHILD));
  if (await page.locator(tid("pin-pad")).isVisible().catch(() => false)) throw new Failure("switching down showed the PIN pad");
  c.pass(`one click switched from Admin down to ${CHILD}, with no PIN pad`);
  await c.shot(page, "child-active");
}

async function settingsRefused(page) {
  await page.locator(tid("nav-settings")).click();
  const refused = await until(page, "Settings refuses the child", STEP_MS, () => visibleText(page, tid("settings-refused")));
  if (!/admin/i.test(refused)) throw new Failure(`the refusal does not say an admin is needed: "${refused}"`);
  if ((await page.locator(tid("field-whisper.port")).count()) > 0) throw new Failure("the settings form is shown to the child");
  c.pass(`Settings is refused for ${CHILD}: "${refused.split("\n")[0]}"`);
  await c.shot(page, "settings-refused");
}

async function typePIN(page, pin) {
  for (const d of pin) await page.locator(tid(`pin-digit-${d}`)).click();
  const dots = await page.locator(tid("pin-dots")).getAttribute("data-count");
  if (dots !== String(pin.length)) throw new Failure(`the PIN pad shows ${dots} dots after ${pin.length} digits`);
  if ((await page.locator(tid("pin-pad")).innerText()).includes(pin)) throw new Failure("the PIN pad shows the digits typed");
  await page.locator(tid("pin-submit")).click();
}

async function switchUpWithPIN(page) {
  await page.locator(tid("nav-profiles")).click();
  await until(page, "the family screen again", STEP_MS, () => member(page, "Admin").isVisible());
  await member(page, "Admin").locator(tid("family-switch")).click();
  await until(page, "the PIN pad to switch up to Admin", STEP_MS, () => page.locator(tid("pin-pad")).isVisible());
  c.pass("switching up to Admin opens the PIN pad");

  await typePIN(page, WRONG_PIN);
  const err = await until(page, "the wrong PIN is refused", STEP_MS, () => visibleText(page, tid("pin-error")));
  if (!/wrong/i.test(err)) throw new Failure(`the PIN error does not say it was wrong: "${err}"`);
  if (!(await isCurrent(page, CHILD))) throw new Failure("a wrong PIN switched the profile");
  c.pass(`a wrong PIN is refused ("${err}") and ${CHILD} stays active`);
  await c.shot(page, "wrong-pin");

  await typePIN(page, PIN);
  await until(page, "the right PIN switches to Admin", STEP_MS, async () => (await isCurrent(page, "Admin")) && !(await page.locator(tid("pin-pad")).isVisible()),
    async () => (await visibleText(page, tid("pin-error"))) ?? "");
  c.pass("the right PIN switches back to Admin and closes the pad");

  await page.locator(tid("nav-settings")).click();
  await until(page, "Settings opens for the admin again", STEP_MS, async () => {
    const tab = page.locator(tid("settings-tab-whisper"));
    if ((await tab.count()) > 0 && (await tab.getAttribute("aria-selected")) !== "true") await tab.click();
    return page.locator(tid("field-whisper.port")).isVisible();
  });
  c.pass("Settings opens for the admin");
  await c.shot(page, "admin-settings");
}

process.exit(await runInBrowser(c, async (page) => {
  await openFamily(page);
  await setAdminPIN(page);
  await addChild(page);
  await switchDownWithOneClick(page);
  await settingsRefused(page);
  await switchUpWithPIN(page);
}));
