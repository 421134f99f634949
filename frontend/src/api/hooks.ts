// Small typed hooks over the backend calls, so pages never touch the bindings.
import { useCallback, useEffect, useRef, useState } from "react";
import { logComponents } from "./backend";
import { toApiError } from "./errors";
import type { ApiError } from "./types";

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: ApiError };

export interface Action<A extends unknown[], R> {
  run: (...args: A) => Promise<Outcome<R>>;
  busy: boolean;
  error: ApiError | null;
  result: R | undefined;
  reset: () => void;
}

/**
 * Wraps an async backend call with busy/error/result state. `run` never throws: it resolves to an
 * Outcome, and a failure also lands in `error`, so callers show it instead of dropping it.
 */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>): Action<A, R> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<R | undefined>(undefined);
  const mounted = useRef(true);
  const fnRef = useRef(fn);
  useEffect(() => {
    fnRef.current = fn;
  });
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback(async (...args: A): Promise<Outcome<R>> => {
    setBusy(true);
    setError(null);
    try {
      const value = await fnRef.current(...args);
      if (mounted.current) setResult(value);
      return { ok: true, value };
    } catch (e) {
      const error = toApiError(e);
      if (mounted.current) setError(error);
      return { ok: false, error };
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, []);

  const reset = useCallback(() => {
    setError(null);
    setResult(undefined);
  }, []);

  return { run, busy, error, result, reset };
}

/** The components that have written logs, loaded once on mount (and on demand via reload). */
export function useLogComponents(): { components: string[]; reload: () => void } {
  const [components, setComponents] = useState<string[]>([]);
  const reload = useCallback(() => {
    logComponents()
      .then((c) => setComponents([...c].sort()))
      .catch(() => setComponents([]));
  }, []);
  useEffect(reload, [reload]);
  return { components, reload };
}
