import { changedPaths, getAtPath, setAtPath } from "../../lib/objectPath";

/**
 * Carries the user's unsaved edits over to settings that changed underneath them (saved elsewhere, or
 * normalized by the backend): every path the user changed from `base` is applied on top of `incoming`.
 */
export function rebaseEdits<T>(base: T, draft: T, incoming: T): T {
  return changedPaths(base, draft).reduce((acc, p) => setAtPath(acc, p, getAtPath(draft, p)), incoming);
}
