#!/usr/bin/env node
// A stand-in for the Wails backend, for browser tests of the built UI without Go: it serves frontend/dist the
// way the Wails asset server does (a /wails/runtime.js script inserted into <head>), and that script binds
// window.go.main.App.* and window.runtime.Events* to this server over fetch. State (settings, secrets, logs)
// is kept in a JSON file, so a "restart" (stop, start again with the same --state) keeps saved settings.
//
//   npm run build && node e2e/mock-server.mjs --port 34115 --state /tmp/tonnytray-mock.json
//
// It only mirrors the API contract the UI relies on (app.go); it is no substitute for the real backend.
import { createServer } from "node:http";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { extname, join, normalize, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: "34115" },
    state: { type: "string", default: "" },
    dist: { type: "string", default: resolve(import.meta.dirname, "../dist") },
  },
});

const defaults = JSON.parse(
  readFileSync(resolve(import.meta.dirname, "mock-defaults.json"), "utf8"),
);

function freshState() {
  return {
    settings: structuredClone(defaults),
    secrets: { "n8n.auth": false, "n8n.hmac": false, "elevenlabs.api_key": false, "rabbitmq.password": false, "whisper.api_token": false },
    logs: [],
    nextId: 1,
  };
}
const state = args.state && existsSync(args.state) ? JSON.parse(readFileSync(args.state, "utf8")) : freshState();
const persist = () => args.state && writeFileSync(args.state, JSON.stringify(state, null, 2));

const startedAt = new Date().toISOString();
const events = []; // {seq, name, payload}
let eventSeq = 0;
function emit(name, payload) {
  events.push({ seq: ++eventSeq, name, payload });
  if (events.length > 500) events.shift();
}
function log(level, component, message, attrs) {
  const e = { id: state.nextId++, time: new Date().toISOString(), level, component, message, ...(attrs ? { attrs } : {}) };
  state.logs.push(e);
  persist();
  emit("log:appended", e);
}
log("INFO", "app", "mock backend started", { port: args.port });

const LABELS = {
  "n8n.auth": "n8n auth header value",
  "n8n.hmac": "n8n signing secret",
  "elevenlabs.api_key": "ElevenLabs API key",
  "rabbitmq.password": "RabbitMQ password",
  "whisper.api_token": "WhisperLiveKit API token",
};

function validate(s) {
  const errs = [];
  const range = (path, v, lo, hi) => {
    if (typeof v !== "number" || !(v >= lo && v <= hi)) errs.push({ field: path, message: `${path} must be between ${lo} and ${hi} (got ${v})` });
  };
  range("whisper.port", s.whisper.port, 1, 65535);
  range("whisper.startup_timeout_s", s.whisper.startup_timeout_s, 5, 3600);
  range("n8n.connect_timeout_s", s.n8n.connect_timeout_s, 1, 120);
  range("n8n.reply_timeout_s", s.n8n.reply_timeout_s, 1, 600);
  range("elevenlabs.speed", s.elevenlabs.speed, 0.7, 1.2);
  range("response.volume", s.response.volume, 0, 1);
  const url = s.n8n.webhook_url;
  if (url && !/^https:\/\//.test(url) && !/^http:\/\/(localhost|127\.0\.0\.1)([:/]|$)/.test(url)) {
    errs.push({ field: "n8n.webhook_url", message: "n8n.webhook_url must use https unless it points at this machine" });
  }
  return errs;
}

class CodedError extends Error {
  constructor(code, message, fields) {
    super(message);
    this.body = { code, message, ...(fields ? { fields } : {}) };
  }
}

function changedPaths(a, b, prefix = "") {
  if (typeof a !== "object" || a === null || Array.isArray(a)) return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
  return Object.keys(a).flatMap((k) => changedPaths(a[k], b?.[k], prefix ? `${prefix}.${k}` : k));
}

const levelRank = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3, debug: 0, info: 1, warn: 2, error: 3 };
function queryLogs(f) {
  let rows = state.logs.filter((e) => {
    if (f.minLevel && levelRank[e.level] < levelRank[f.minLevel]) return false;
    if (f.component && e.component !== f.component) return false;
    if (f.since && Date.parse(e.time) < Date.parse(f.since)) return false;
    if (f.until && Date.parse(e.time) >= Date.parse(f.until)) return false;
    if (f.text) {
      const hay = (e.message + " " + JSON.stringify(e.attrs ?? {})).toLowerCase();
      if (!hay.includes(f.text.toLowerCase())) return false;
    }
    if (f.before && e.id >= f.before) return false;
    if (f.after && e.id <= f.after) return false;
    return true;
  });
  const limit = Math.min(Math.max(f.limit || 100, 1), 1000);
  rows = f.after ? rows.sort((a, b) => a.id - b.id) : rows.sort((a, b) => b.id - a.id);
  const more = rows.length > limit;
  rows = rows.slice(0, limit);
  return { entries: rows, nextBefore: more && !f.after ? rows[rows.length - 1].id : 0 };
}

const api = {
  GetSnapshot: () => ({
    version: "mock",
    settings: state.settings,
    secrets: Object.entries(state.secrets).map(([key, configured]) => ({ key, label: LABELS[key] ?? key, configured })),
    keychain: { backend: "mock", ok: true, locked: false, detail: "" },
    services: [
      { service: "store", state: "ok", detail: "mock store" },
      { service: "whisper-server", state: "unavailable", detail: "not available yet" },
    ],
    store: { path: args.state || "(memory)", sizeBytes: JSON.stringify(state).length, rows: { logs: state.logs.length } },
    paths: { database: args.state || "(memory)", logFile: "", socket: "" },
    profiles: [],
    eventsDropped: 0,
    logsDropped: 0,
    uptimeSeconds: Math.round(process.uptime()),
    startedAt: startedAt,
  }),
  ValidateSettings: (s) => validate(s),
  SaveSettings: (s) => {
    const errs = validate(s);
    if (errs.length > 0) throw new CodedError("validation", "Some settings need fixing: " + errs.map((e) => e.message).join("; "), errs);
    const changed = changedPaths(state.settings, s);
    const restartNeeded = [...new Set(changed.filter((p) => p.startsWith("whisper.")).map(() => "whisper-server"))];
    state.settings = s;
    persist();
    log("INFO", "settings", "settings saved", { changed: changed.join(","), restart: restartNeeded.join(",") });
    emit("settings:changed", { changed, restartNeeded });
    return { restartNeeded };
  },
  SetSecret: (key, value) => {
    if (!(key in state.secrets)) throw new CodedError("error", `unknown secret ${key}`);
    if (!value) throw new CodedError("error", "empty value");
    state.secrets[key] = true;
    persist();
    emit("secret:changed", { key, configured: true });
    return null;
  },
  DeleteSecret: (key) => {
    state.secrets[key] = false;
    persist();
    emit("secret:changed", { key, configured: false });
    return null;
  },
  QueryLogs: (f) => queryLogs(f),
  LogComponents: () => [...new Set(state.logs.map((e) => e.component))].sort(),
  ExportLogs: (f, format) => {
    const rows = queryLogs({ ...f, before: 0, after: 0, limit: 1000 }).entries;
    if (format === "csv") return "id,time,level,component,message\n" + rows.map((e) => [e.id, e.time, e.level, e.component, JSON.stringify(e.message)].join(",")).join("\n");
    return JSON.stringify(rows, null, 2);
  },
  ExportSettings: () => JSON.stringify({ version: 1, settings: state.settings }, null, 2),
  ImportSettings: (text) => {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new CodedError("error", `not JSON: ${e.message}`);
    }
    const s = parsed.settings ?? parsed;
    const merged = structuredClone(state.settings);
    for (const [g, v] of Object.entries(s)) if (merged[g] && typeof v === "object") Object.assign(merged[g], v);
    return { ...api.SaveSettings(merged), warnings: [], secretsImported: [] };
  },
  BackupDatabase: () => `${args.state || "/tmp/mock"}.backup`,
  ClearMyData: () => {
    state.logs = [];
    persist();
    return null;
  },
  UnlockFileKeychain: () => {
    throw new CodedError("error", "the keychain in use is \"mock\", not the encrypted file; choose the file in Settings first");
  },
  RunDoctor: () => [
    { name: "mock backend", status: "ok", detail: "this is the mock server", fix: "" },
    { name: "whisperlivekit-server", status: "warn", detail: "not checked by the mock", fix: "pip install whisperlivekit" },
  ],
};

// The script the page loads as /wails/runtime.js: bindings and events over fetch to this server.
const runtimeJS = `(() => {
  const call = async (method, args) => {
    const r = await fetch("/mock/call", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ method, args }) });
    const body = await r.json();
    if (!r.ok) throw new Error(JSON.stringify(body));
    return body.result;
  };
  const App = {};
  for (const m of ${JSON.stringify(Object.keys(api))}) App[m] = (...a) => call(m, a);
  window.go = { main: { App } };
  const listeners = {};
  let since = 0;
  const poll = async () => {
    try {
      const r = await fetch("/mock/events?since=" + since);
      for (const e of await r.json()) {
        since = Math.max(since, e.seq);
        for (const cb of [...(listeners[e.name] || [])]) cb(e.payload);
      }
    } catch {}
    setTimeout(poll, 300);
  };
  fetch("/mock/events/latest").then((r) => r.json()).then((n) => { since = n; poll(); });
  window.runtime = {
    EventsOnMultiple: (name, cb) => { (listeners[name] ||= []).push(cb); return () => { listeners[name] = listeners[name].filter((x) => x !== cb); }; },
    EventsOff: (name) => { delete listeners[name]; },
    EventsOffAll: () => { for (const k of Object.keys(listeners)) delete listeners[k]; },
    EventsEmit: () => {},
    LogPrint() {}, LogTrace() {}, LogDebug() {}, LogInfo() {}, LogWarning() {}, LogError() {}, LogFatal() {},
  };
})();`;

const MIME = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json" };

function readBody(req) {
  return new Promise((ok, fail) => {
    let s = "";
    req.on("data", (d) => (s += d));
    req.on("end", () => ok(s));
    req.on("error", fail);
  });
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, "http://x");
  try {
    if (url.pathname === "/wails/runtime.js") {
      res.writeHead(200, { "content-type": "text/javascript" }).end(runtimeJS);
    } else if (url.pathname === "/mock/call" && req.method === "POST") {
      const { method, args: a } = JSON.parse(await readBody(req));
      if (!api[method]) return res.writeHead(404).end(JSON.stringify({ code: "error", message: `no method ${method}` }));
      try {
        const result = api[method](...a);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ result }));
      } catch (e) {
        const body = e instanceof CodedError ? e.body : { code: "error", message: String(e?.message ?? e) };
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify(body));
      }
    } else if (url.pathname === "/mock/events/latest") {
      res.writeHead(200, { "content-type": "application/json" }).end(String(eventSeq));
    } else if (url.pathname === "/mock/events") {
      const since = Number(url.searchParams.get("since") || 0);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(events.filter((e) => e.seq > since)));
    } else {
      const rel = url.pathname === "/" ? "index.html" : normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, "");
      const file = join(args.dist, rel);
      if (!file.startsWith(args.dist) || !existsSync(file)) return res.writeHead(404).end("not found");
      let body = readFileSync(file);
      if (rel === "index.html") {
        body = Buffer.from(body.toString("utf8").replace("<head>", '<head>\n    <script src="/wails/runtime.js"></script>'));
      }
      res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" }).end(body);
    }
  } catch (e) {
    res.writeHead(500).end(String(e?.stack ?? e));
  }
});

server.listen(Number(args.port), "127.0.0.1", () => console.log(`mock TonnyTray backend on http://localhost:${args.port} (state: ${args.state || "memory"})`));
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close(() => process.exit(0)));
