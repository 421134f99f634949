import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { leafPaths } from "../../lib/objectPath";
import { defaultSettings } from "../../test/fixtures";
import { knownFieldPaths, settingsSchema } from "./schema";

interface GoField {
  path: string;
  /** The oneof= values of its validate tag, if any. */
  oneof?: string[];
}

/** Fields of backend/settings/settings.go, read from the struct tags. */
function goSettingsFields(): GoField[] {
  const src = readFileSync(resolve(__dirname, "../../../../backend/settings/settings.go"), "utf8");
  const structs = new Map<string, string>();
  for (const m of src.matchAll(/type (\w+) struct \{([\s\S]*?)\n\}/g)) structs.set(m[1], m[2]);
  const fields = (body: string) =>
    [...body.matchAll(/^\s*\w+\s+([\w.[\]]+)\s+`([^`]*)`/gm)].map((m) => ({
      type: m[1],
      tag: /json:"([^",]+)/.exec(m[2])?.[1] ?? "",
      oneof: /validate:"[^"]*oneof=([^",]+)/.exec(m[2])?.[1].split(" "),
    }));
  const top = structs.get("Settings");
  if (!top) throw new Error("type Settings not found");
  return fields(top).flatMap(({ type, tag }) => {
    const body = structs.get(type);
    if (!body) throw new Error(`struct ${type} not found`);
    return fields(body).map((f) => ({ path: `${tag}.${f.tag}`, oneof: f.oneof }));
  });
}

/**
 * Settings fields that deliberately have no input in the form. Each needs its reason:
 * - general.setup_complete: set by the first-run wizard when it is finished or skipped, never typed (Settings
 *   offers "Run the setup again" instead).
 */
const NOT_FORM_INPUTS = ["general.setup_complete"];

/** The fields the form must have an input for. */
const withInputs = (paths: string[]) => paths.filter((p) => !NOT_FORM_INPUTS.includes(p)).sort();

describe("settings schema", () => {
  it("has an input for every settings field and no other", () => {
    expect([...knownFieldPaths].sort()).toEqual(withInputs(leafPaths(defaultSettings)));
  });

  it("leaves out only fields that exist", () => {
    for (const p of NOT_FORM_INPUTS) expect(leafPaths(defaultSettings)).toContain(p);
  });

  it("lists each path once", () => {
    const all = settingsSchema.flatMap((g) => g.fields.map((f) => f.path));
    expect(all.length).toBe(new Set(all).size);
  });

  it("puts each field in its own group", () => {
    for (const g of settingsSchema) for (const f of g.fields) expect(f.path.split(".")[0]).toBe(g.id);
  });

  it("matches the Go Settings struct's json tags exactly", () => {
    expect([...knownFieldPaths].sort()).toEqual(withInputs(goSettingsFields().map((f) => f.path)));
  });

  it("offers every value Go's oneof accepts for select fields", () => {
    const oneof = new Map(goSettingsFields().map((f) => [f.path, f.oneof]));
    let checked = 0;
    for (const g of settingsSchema)
      for (const f of g.fields) {
        const want = oneof.get(f.path);
        if (!want) continue;
        expect(f.kind, `${f.path} has a fixed set of values: use a select`).toBe("select");
        if (f.kind !== "select") continue;
        expect(f.options.map((o) => o.value).sort(), f.path).toEqual([...want].sort());
        checked++;
      }
    expect(checked).toBeGreaterThan(0);
  });
});
