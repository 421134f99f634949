// The backend state the whole UI renders from: fetched on mount (events sent before subscribing are lost),
// re-fetched when settings or secrets change, and patched in place by service:state, server:state, outbox:state,
// command:state, speech:state and app:state events.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { getSnapshot, uiReady } from "./backend";
import { toApiError } from "./errors";
import { useEvent } from "./events";
import type { AppState } from "./appState";
import type { ApiError, ServiceStatus, Snapshot } from "./types";

export interface SnapshotState {
  snapshot: Snapshot | null;
  /** The last GetSnapshot failure, cleared by the next success. */
  error: ApiError | null;
  loading: boolean;
  refresh: () => Promise<void>;
  /** Puts an app state a call returned (Pause) in place before its app:state event arrives. */
  setAppState: (state: AppState) => void;
}

const STARTING_RETRIES = 60;

const SnapshotContext = createContext<SnapshotState | null>(null);

/** Replaces (or appends) one service's state, keeping the order of the others. */
export function applyServiceState(services: readonly ServiceStatus[], s: ServiceStatus): ServiceStatus[] {
  const i = services.findIndex((x) => x.service === s.service);
  if (i < 0) return [...services, s];
  const next = services.slice();
  next[i] = s;
  return next;
}

export function SnapshotProvider({ children }: { children: ReactNode }) {
  const [snapshot, setSnapshot] = useState<Snapshot | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  // Only the newest request may write state, so a slow old answer never overwrites a newer one.
  const seq = useRef(0);
  const retry = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const refresh = useCallback(async (attempt = 0) => {
    clearTimeout(retry.current);
    const mine = ++seq.current;
    setLoading(true);
    try {
      const s = await getSnapshot();
      if (mine !== seq.current) return;
      setSnapshot(s);
      setError(null);
    } catch (e) {
      if (mine !== seq.current) return;
      const err = toApiError(e);
      setError(err);
      // The backend says it is still starting: ask again shortly instead of leaving the error up.
      if (err.code === "starting" && attempt < STARTING_RETRIES) {
        retry.current = setTimeout(() => void refresh(attempt + 1), 1000);
      }
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void refresh();
    return () => clearTimeout(retry.current);
  }, [refresh]);

  // Tell the backend once when the first real screen has been painted (the start-up benchmark's end point).
  const told = useRef(false);
  useEffect(() => {
    if (!snapshot || told.current) return;
    told.current = true;
    requestAnimationFrame(() => void uiReady().catch(() => undefined)); // a figure only: nothing to show on failure
  }, [snapshot]);

  useEvent("settings:changed", () => void refresh());
  useEvent("secret:changed", () => void refresh());
  useEvent("service:state", (p) =>
    setSnapshot((s) => (s ? { ...s, services: applyServiceState(s.services, p) } : s)),
  );
  // Before the first snapshot there is nothing to patch; GetSnapshot then carries the current state anyway.
  useEvent("server:state", (p) => setSnapshot((s) => (s ? { ...s, server: p } : s)));
  useEvent("outbox:state", (p) => setSnapshot((s) => (s ? { ...s, outbox: p } : s)));
  // The newest command activity is the one the Dashboard shows.
  useEvent("command:state", (p) => setSnapshot((s) => (s ? { ...s, lastCommand: p } : s)));
  useEvent("speech:state", (p) => setSnapshot((s) => (s ? { ...s, speech: p } : s)));
  const setAppState = useCallback((p: AppState) => setSnapshot((s) => (s ? { ...s, state: p } : s)), []);
  useEvent("app:state", setAppState);

  const value = useMemo(
    () => ({ snapshot, error, loading, refresh: () => refresh(), setAppState }),
    [snapshot, error, loading, refresh, setAppState],
  );
  return <SnapshotContext.Provider value={value}>{children}</SnapshotContext.Provider>;
}

/** The shared backend snapshot; must be used under SnapshotProvider. */
export function useSnapshot(): SnapshotState {
  const v = useContext(SnapshotContext);
  if (!v) throw new Error("useSnapshot must be used inside <SnapshotProvider>");
  return v;
}
