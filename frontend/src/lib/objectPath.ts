// Pure helpers to read and immutably update nested plain objects by dotted path ("whisper.port").

export function getAtPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split(".")) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Returns a copy of obj with path set to value; objects along the path are copied, the rest is shared. */
export function setAtPath<T>(obj: T, path: string, value: unknown): T {
  const [head, ...rest] = path.split(".");
  const base = (typeof obj === "object" && obj !== null ? obj : {}) as Record<string, unknown>;
  const next = rest.length === 0 ? value : setAtPath(base[head], rest.join("."), value);
  return { ...base, [head]: next } as T;
}

/** Every leaf path of a plain object; arrays count as leaves ("whisper.extra_args"). */
export function leafPaths(obj: unknown, prefix = ""): string[] {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return prefix ? [prefix] : [];
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) =>
    leafPaths(v, prefix ? `${prefix}.${k}` : k),
  );
}

/** Structural equality for JSON-like values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

/** Leaf paths whose values differ between a and b. */
export function changedPaths(a: unknown, b: unknown): string[] {
  const paths = new Set([...leafPaths(a), ...leafPaths(b)]);
  return [...paths].filter((p) => !deepEqual(getAtPath(a, p), getAtPath(b, p)));
}
