// Shared parts of the browser end-to-end checks (settings-logs.mjs, family.mjs): Debian's Chromium through
// playwright-core (no browser is downloaded), bounded polling, screenshots, and the run wrapper that fails on
// Content-Security-Policy violations and saves a screenshot on the first failure.
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];
/** Bounded waits: generous, because these machines are shared and noisy; never a fixed sleep. */
export const STARTUP_MS = 60_000; // the backend may still be starting when the page first loads
export const STEP_MS = 15_000;

export class Failure extends Error {}
export const tid = (id) => `[data-testid="${id}"]`;

/**
 * A check named `name` (the prefix of every line it prints): pass() prints one line per assertion, shot() saves
 * a numbered screenshot into shotDir.
 */
export function check(name, shotDir) {
  shotDir = resolve(shotDir);
  mkdirSync(shotDir, { recursive: true });
  let shotNo = 0;
  return {
    name,
    shotDir,
    pass: (what) => console.log(`PASS ${name}: ${what}`),
    async shot(page, label) {
      const file = join(shotDir, `${name}-${String(++shotNo).padStart(2, "0")}-${label}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
  };
}

/** Polls fn until it returns a truthy value or the deadline passes; then fails with message (plus detail). */
export async function until(page, what, timeoutMs, fn, detail = async () => "") {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      if (e instanceof Failure) throw e;
      last = e;
    }
    if (Date.now() >= deadline) {
      const extra = await detail().catch(() => "");
      const cause = last instanceof Error ? ` (last error: ${last.message.split("\n")[0]})` : "";
      throw new Failure(`${what} — not within ${timeoutMs / 1000} s${cause}${extra ? `; ${extra}` : ""}`);
    }
    await page.waitForTimeout(200); // poll interval, bounded by the deadline above
  }
}

export async function visibleText(page, selector) {
  const loc = page.locator(selector).first();
  if ((await loc.count()) === 0 || !(await loc.isVisible())) return null;
  return (await loc.innerText()).trim();
}

/** Runs body(page) in a fresh Chromium profile; returns the exit code (0 passed, 1 failed). */
export async function runInBrowser(c, body) {
  const profile = mkdtempSync(join(tmpdir(), "tonnytray-e2e-chromium-"));
  let context;
  let page;
  const cspViolations = [];
  const pageErrors = [];
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      acceptDownloads: false,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => {
      if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    page.on("pageerror", (e) => pageErrors.push((e.stack ?? e.message).split("\n").slice(0, 3).join(" | ")));

    await body(page);

    if (cspViolations.length > 0) throw new Failure(`Content-Security-Policy violations:\n  ${cspViolations.join("\n  ")}`);
    c.pass("no Content-Security-Policy violations");
    if (pageErrors.length > 0) console.log(`NOTE ${c.name}: uncaught page errors:\n  ${pageErrors.join("\n  ")}`);
    console.log(`OK ${c.name}: all assertions passed; screenshots in ${c.shotDir}`);
    return 0;
  } catch (e) {
    const msg = e instanceof Failure ? e.message : `unexpected error: ${e?.stack ?? e}`;
    console.error(`FAIL ${c.name}: ${msg}`);
    if (cspViolations.length > 0) console.error(`  CSP violations seen:\n  ${cspViolations.join("\n  ")}`);
    if (pageErrors.length > 0) console.error(`  uncaught page errors:\n  ${pageErrors.join("\n  ")}`);
    if (page) {
      const f = await c.shot(page, "failure").catch(() => null);
      if (f) console.error(`  screenshot: ${f}`);
    }
    return 1;
  } finally {
    await context?.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}
