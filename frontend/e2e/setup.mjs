#!/usr/bin/env node
// Browser end-to-end check of the first-run wizard against a running TonnyTray UI (`wails dev`, started by
// scripts/e2e.sh on a fresh data directory, before the other checks).
//
//   node e2e/setup.mjs --url http://localhost:34115 --screenshot-dir DIR
//
// A fresh install opens on the wizard whatever page is asked for. The checks walk it as a new user would: the
// speech server step shows the server's state and the doctor's verdict; the microphone test gives a verdict
// from the private PulseAudio; with its header value stored, a webhook nobody listens on fails the n8n test
// with a sentence about the connection; voice and family
// are skipped; Finish lands on the Dashboard, and after a reload the wizard stays away. One line per passed
// assertion; exit 1 with a clear message (and a screenshot) on the first failure.
import { parseArgs } from "node:util";
import { check, Failure, runInBrowser, STARTUP_MS, STEP_MS, tid, until, visibleText } from "./lib.mjs";

// Port 9 (discard) on loopback: nothing answers, so the test must fail visibly.
const DEAD_WEBHOOK = "http://127.0.0.1:9/webhook/tonny";
// The microphone and n8n tests take seconds (a 3 s recording; a connect timeout).
const TEST_MS = 45_000;

const { values: args } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:34115" },
    "screenshot-dir": { type: "string", default: "e2e-shots" },
  },
});
const base = args.url.replace(/\/+$/, "");
const c = check("setup", args["screenshot-dir"]);

const step = (page) => page.locator(tid("setup-step"));

async function atStep(page, name) {
  await until(page, `the wizard's ${name} step`, STEP_MS, async () => (await step(page).getAttribute("data-step")) === name);
}

async function next(page, from, to) {
  await page.locator(tid("setup-next")).click();
  await atStep(page, to);
  c.pass(`Next goes from ${from} to ${to}`);
}

async function skipStep(page, from, to) {
  await page.locator(tid("setup-skip-step")).click();
  await atStep(page, to);
  c.pass(`"Skip this step" goes from ${from} to ${to}`);
}

async function walk(page) {
  await page.goto(`${base}/#/settings`, { waitUntil: "domcontentloaded" });
  await until(page, "a fresh install opens on the setup wizard", STARTUP_MS, () => page.locator(tid("setup-wizard")).isVisible());
  c.pass("a fresh install opens on the setup wizard, though Settings was asked for");
  await atStep(page, "server");
  const server = await until(page, "the speech server's state", STEP_MS, () => visibleText(page, tid("setup-server-state")));
  const doctor = await until(page, "the doctor's WhisperLiveKit verdict", TEST_MS, () => visibleText(page, tid("setup-doctor-whisper")));
  c.pass(`the server step shows the server ("${server.split("\n")[0]}") and the doctor ("${doctor.split("\n")[0]}")`);
  await c.shot(page, "server");
  await next(page, "server", "microphone");

  await page.locator(tid("setup-mic-test")).click();
  const mic = await until(page, "the microphone test's verdict", TEST_MS, () => visibleText(page, tid("setup-mic-result")));
  c.pass(`the microphone test gives a verdict: "${mic.split("\n")[0]}"`);
  await next(page, "microphone", "n8n");

  await page.locator(tid("setup-n8n-url")).fill(DEAD_WEBHOOK);
  await page.locator(tid("setup-n8n-secret")).fill("e2e-header-value");
  await page.locator(tid("setup-n8n-test")).click();
  const n8n = await until(page, "the n8n test's verdict", TEST_MS, () => visibleText(page, tid("setup-n8n-result")));
  // The key was stored on the way, so the verdict is about the webhook itself: nothing listens there.
  if (/keychain/i.test(n8n) || !/(refused|unreachable|reach|connect|down)/i.test(n8n)) throw new Failure(`a dead webhook did not fail visibly: "${n8n}"`);
  c.pass(`a webhook nobody listens on fails the test with a sentence: "${n8n.split("\n")[0]}"`);
  await c.shot(page, "n8n");
  await next(page, "n8n", "voice");
  await skipStep(page, "voice", "family");
  if (!(await page.locator(tid("setup-set-pin")).isVisible())) throw new Failure("the family step offers no way to set the admin PIN");
  c.pass("the family step offers to set the admin PIN");
  await skipStep(page, "family", "done");

  const summary = await until(page, "the summary", STEP_MS, () => visibleText(page, tid("setup-summary")));
  c.pass(`the summary lists what was set up and skipped (${summary.split("\n").length} lines)`);
  await c.shot(page, "done");
  await page.locator(tid("setup-finish")).click();
  await until(page, "Finish lands on the Dashboard", STEP_MS, async () => (await page.locator(tid("setup-wizard")).count()) === 0 && page.url().includes("#/dashboard"));
  c.pass("Finish saves and lands on the Dashboard");

  await page.goto(`${base}/#/settings`, { waitUntil: "domcontentloaded" });
  await page.reload({ waitUntil: "domcontentloaded" });
  await until(page, "after a reload Settings opens, not the wizard", STARTUP_MS, () => page.locator(tid("settings-run-setup")).isVisible());
  if ((await page.locator(tid("setup-wizard")).count()) > 0) throw new Failure("the wizard came back after Finish");
  c.pass("after a reload the wizard stays away and Settings offers to run it again");
}

process.exit(await runInBrowser(c, walk));
