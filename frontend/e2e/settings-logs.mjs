#!/usr/bin/env node
// Browser end-to-end check of the Settings and Logs screens against a running TonnyTray UI (`wails dev`,
// started by scripts/e2e.sh). It drives Debian's Chromium through playwright-core; no browser is downloaded.
//
//   node e2e/settings-logs.mjs --url http://localhost:34115 --phase edit   --screenshot-dir DIR
//   (restart the app)
//   node e2e/settings-logs.mjs --url http://localhost:34115 --phase verify --screenshot-dir DIR
//
// Phase edit: Settings → Whisper port 70000 shows the field error → 8765 clears it → Save → success
// notification → Logs, search "settings saved" → a row from component "settings". Phase verify: the port field
// shows 8765. Every phase also fails on Content-Security-Policy violations. One line per passed assertion;
// exit 1 with a clear message on the first failure (a screenshot of the page is saved as well).
import { parseArgs } from "node:util";
import { check, Failure, runInBrowser, STARTUP_MS, STEP_MS, tid, until, visibleText } from "./lib.mjs";

const NEW_PORT = "8765";
const BAD_PORT = "70000";

const { values: args } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:34115" },
    phase: { type: "string" },
    "screenshot-dir": { type: "string", default: "e2e-shots" },
  },
});
if (args.phase !== "edit" && args.phase !== "verify") {
  console.error("usage: node e2e/settings-logs.mjs --url URL --phase edit|verify [--screenshot-dir DIR]");
  process.exit(2);
}
const base = args.url.replace(/\/+$/, "");
const c = check(args.phase, args["screenshot-dir"]);
const pass = c.pass;
const shot = c.shot;

/** Banner / failure notices on the page, to explain a failure. */
async function pageProblems(page) {
  const parts = [];
  for (const id of ["banner-backend-error", "notice-settings-save-failed", "settings-validation-unavailable", "logs-error"]) {
    const t = await visibleText(page, tid(id)).catch(() => null);
    if (t) parts.push(`${id}: ${t}`);
  }
  return parts.join(" | ");
}

async function openSettingsWhisper(page) {
  await page.goto(`${base}/#/settings`, { waitUntil: "domcontentloaded" });
  await until(page, "the Settings screen loads with the Whisper port field", STARTUP_MS, async () => {
    const tab = page.locator(tid("settings-tab-whisper"));
    if ((await tab.count()) > 0 && (await tab.getAttribute("aria-selected")) !== "true") await tab.click();
    return page.locator(tid("field-whisper.port")).isVisible();
  }, () => pageProblems(page));
  pass("Settings screen shows the Whisper port field");
  return page.locator(tid("field-whisper.port"));
}

async function phaseEdit(page) {
  const port = await openSettingsWhisper(page);
  await shot(page, "settings");
  const errorSel = tid("field-error-whisper.port");

  await port.fill(BAD_PORT);
  const errText = await until(page, `a field error under whisper.port after entering ${BAD_PORT}`, STEP_MS, () => visibleText(page, errorSel), () => pageProblems(page));
  if (!/port/i.test(errText)) throw new Failure(`the whisper.port error does not mention the port: "${errText}"`);
  pass(`port ${BAD_PORT} shows the field error "${errText}"`);
  if ((await port.getAttribute("aria-invalid")) !== "true") throw new Failure("the port input is not marked aria-invalid while it has an error");
  pass("the port input is marked aria-invalid");
  await shot(page, "port-error");

  await port.fill(NEW_PORT);
  await until(page, `the whisper.port error disappears after entering ${NEW_PORT}`, STEP_MS, async () => (await page.locator(errorSel).count()) === 0, async () => `still shown: "${await visibleText(page, errorSel)}"`);
  pass(`port ${NEW_PORT} clears the field error`);

  const save = page.locator(tid("settings-save"));
  await until(page, "the Save button becomes enabled", STEP_MS, () => save.isEnabled());
  // A notification lives 5 s; on a loaded machine a poll can miss it, so the page itself records every one
  // that appears. The same page object also tells a reload apart from a notification that never came.
  await page.evaluate(() => {
    window.__e2eNotices = [];
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[data-testid^="notice-settings-save"]')) {
        const seen = `${el.getAttribute("data-testid")}: ${el.textContent}`;
        if (!window.__e2eNotices.includes(seen)) window.__e2eNotices.push(seen);
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
  await save.click();
  const saved = await until(page, "a success notification after Save", STEP_MS, async () => {
    const notices = await page.evaluate(() => window.__e2eNotices ?? null);
    if (notices === null) throw new Failure("the page was reloaded after Save, so its notification could not be seen");
    const failed = notices.find((n) => n.startsWith("notice-settings-save-failed"));
    if (failed) throw new Failure(`Save was rejected: ${failed}`);
    return notices.find((n) => n.startsWith("notice-settings-saved"))?.replace(/^[^:]*: /, "");
  }, () => pageProblems(page));
  pass(`Save shows the success notification "${saved}"`);
  await until(page, "the Save button is disabled again (no unsaved changes)", STEP_MS, async () => !(await save.isEnabled()));
  pass("Save is disabled again after saving");
  await shot(page, "saved");

  await page.locator(tid("nav-logs")).click();
  const search = page.locator(tid("logs-search"));
  await until(page, "the Logs screen shows its search box", STEP_MS, () => search.isVisible());
  await search.fill("settings saved");
  const rows = page.locator(tid("log-row"));
  const row = page.locator(`${tid("log-row")}[data-component="settings"]`).filter({ hasText: /settings saved/i });
  // The search is debounced and the backend writes logs in batches: wait until the table shows only matching
  // rows (the filter is applied) and one of them is ours; ask again (Refresh) meanwhile, within the deadline.
  let lastRefresh = Date.now();
  await until(page, 'the search shows only matching rows, one "settings saved" from component "settings"', STEP_MS, async () => {
    const texts = await rows.allInnerTexts();
    if (texts.length > 0 && texts.every((t) => /settings saved/i.test(t)) && (await row.count()) > 0) return true;
    if (Date.now() - lastRefresh > 2000) {
      lastRefresh = Date.now();
      await page.locator(tid("logs-refresh")).click();
    }
    return false;
  }, async () => `${await page.locator(tid("log-row")).count()} row(s) shown; ${await pageProblems(page)}`);
  const component = (await row.first().locator(tid("log-cell-component")).innerText()).trim();
  if (component !== "settings") throw new Failure(`the matching row's component cell says "${component}", not "settings"`);
  pass('Logs search "settings saved" shows a row whose component is "settings"');
  await shot(page, "logs");
}

async function phaseVerify(page) {
  const port = await openSettingsWhisper(page);
  const value = await until(page, `the port field shows ${NEW_PORT}`, STEP_MS, async () => ((await port.inputValue()) === NEW_PORT ? NEW_PORT : null), async () => `it shows "${await port.inputValue()}"`);
  pass(`after the restart the port field shows ${value}`);
  if ((await page.locator(tid("settings-save")).isEnabled())) throw new Failure("Save is enabled right after loading: the form thinks it has unsaved changes");
  pass("the loaded settings have no unsaved changes");
  await shot(page, "settings");
}

process.exit(await runInBrowser(c, (page) => (args.phase === "edit" ? phaseEdit(page) : phaseVerify(page))));
