import { beforeAll, describe, expect, it } from "vitest";
import { logEntry } from "../test/fixtures";
import {
  buildLogQuery,
  emptyLogFilter,
  entryMatches,
  filterProblems,
  levelRank,
  localInputToRFC3339,
  mergeEntries,
  newestId,
} from "./logFilter";

beforeAll(() => {
  // datetime-local values are local time; pin the zone so the conversion is checkable (CET in winter, +1).
  process.env.TZ = "Europe/Berlin";
});

describe("localInputToRFC3339", () => {
  it("converts local input to UTC RFC 3339 without milliseconds", () => {
    expect(localInputToRFC3339("2025-01-15T14:30")).toBe("2025-01-15T13:30:00Z");
    expect(localInputToRFC3339("2025-07-15T14:30:05")).toBe("2025-07-15T12:30:05Z"); // CEST, +2
  });
  it("keeps empty empty and rejects garbage", () => {
    expect(localInputToRFC3339("")).toBe("");
    expect(localInputToRFC3339("  ")).toBe("");
    expect(localInputToRFC3339("yesterday")).toBeNull();
    expect(localInputToRFC3339("2025-13-45T99:99")).toBeNull();
  });
});

describe("buildLogQuery", () => {
  it("maps the form to the backend filter with trimmed text and a cursor", () => {
    const q = buildLogQuery(
      { minLevel: "warn", component: " settings ", since: "2025-01-15T14:30", until: "", text: "  settings saved " },
      { before: 120 },
    );
    expect(q).toEqual({
      minLevel: "warn",
      component: "settings",
      since: "2025-01-15T13:30:00Z",
      until: "",
      text: "settings saved",
      before: 120,
      after: 0,
      limit: 200,
    });
  });
  it("sanitizes cursors", () => {
    const q = buildLogQuery(emptyLogFilter, { before: -5, after: 7.9, limit: 0 });
    expect([q.before, q.after, q.limit]).toEqual([0, 7, 1]);
  });
  it("refuses a filter with a bad date", () => {
    expect(() => buildLogQuery({ ...emptyLogFilter, since: "nope" })).toThrow();
  });
});

describe("filterProblems", () => {
  it("reports bad dates and an inverted range", () => {
    expect(filterProblems(emptyLogFilter)).toEqual([]);
    expect(filterProblems({ ...emptyLogFilter, since: "x" }).map((p) => p.field)).toEqual(["since"]);
    expect(filterProblems({ ...emptyLogFilter, since: "2025-01-02T00:00", until: "2025-01-01T00:00" })).toEqual([
      { field: "until", message: expect.stringContaining("before") },
    ]);
  });
});

describe("levelRank", () => {
  it("orders levels in any case", () => {
    expect(levelRank("DEBUG")).toBeLessThan(levelRank("info"));
    expect(levelRank("INFO")).toBeLessThan(levelRank("WARN"));
    expect(levelRank("warn")).toBe(levelRank("WARNING"));
    expect(levelRank("WARN")).toBeLessThan(levelRank("ERROR"));
  });
});

describe("entryMatches", () => {
  const q = (over: Partial<Parameters<typeof buildLogQuery>[0]> = {}) => buildLogQuery({ ...emptyLogFilter, ...over });
  const e = logEntry(5, { level: "WARN", component: "settings", message: "Settings saved", attrs: { changed: "whisper.port" } });

  it("matches everything with an empty filter", () => {
    expect(entryMatches(e, q())).toBe(true);
  });
  it("applies the minimum level", () => {
    expect(entryMatches(e, q({ minLevel: "warn" }))).toBe(true);
    expect(entryMatches(e, q({ minLevel: "error" }))).toBe(false);
    expect(entryMatches({ ...e, level: "DEBUG" }, q({ minLevel: "info" }))).toBe(false);
  });
  it("applies the component exactly", () => {
    expect(entryMatches(e, q({ component: "settings" }))).toBe(true);
    expect(entryMatches(e, q({ component: "setting" }))).toBe(false);
  });
  it("searches message and attributes case-insensitively", () => {
    expect(entryMatches(e, q({ text: "settings SAVED" }))).toBe(true);
    expect(entryMatches(e, q({ text: "whisper.port" }))).toBe(true);
    expect(entryMatches(e, q({ text: "CHANGED" }))).toBe(true);
    expect(entryMatches(e, q({ text: "restart" }))).toBe(false);
  });
  it("applies the time range like the backend: since inclusive, until exclusive", () => {
    const at = new Date(e.time);
    const local = (d: Date) => {
      const p = (n: number) => String(n).padStart(2, "0");
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    };
    const later = local(new Date(at.getTime() + 1000));
    expect(entryMatches(e, q({ since: local(at), until: later }))).toBe(true);
    expect(entryMatches(e, q({ since: later }))).toBe(false);
    expect(entryMatches(e, q({ until: local(at) }))).toBe(false);
  });
});

describe("mergeEntries / newestId", () => {
  it("keeps newest first without duplicates, replacing by id", () => {
    const merged = mergeEntries([logEntry(3), logEntry(1)], [logEntry(2), logEntry(3, { message: "new" }), logEntry(4)]);
    expect(merged.map((x) => x.id)).toEqual([4, 3, 2, 1]);
    expect(merged[1].message).toBe("new");
  });
  it("caps to the newest entries", () => {
    expect(mergeEntries([logEntry(1), logEntry(2)], [logEntry(3)], 2).map((x) => x.id)).toEqual([3, 2]);
  });
  it("finds the after-cursor", () => {
    expect(newestId([])).toBe(0);
    expect(newestId([logEntry(2), logEntry(9), logEntry(4)])).toBe(9);
  });
});
