// Snapshots for the first-run wizard's tests.
import type { AppState } from "../api";
import { appState, makeSnapshot } from "./fixtures";

/** A first run: setup not done, the active profile as given (the first-run admin by default). */
export function firstRunSnapshot(state: Partial<AppState> = { profile: "Admin", role: "admin" }) {
  const s = makeSnapshot({ state: appState(state) });
  s.settings.general.setup_complete = false;
  return s;
}
