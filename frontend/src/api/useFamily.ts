// The family screen's data, kept fresh: loaded on mount, again on profiles:changed and whenever the active
// profile or its role changes (app:state, via the snapshot).
import { useCallback, useEffect, useRef, useState } from "react";
import { family as loadFamily } from "./backend";
import { toApiError } from "./errors";
import { useEvent } from "./events";
import type { Family } from "./family";
import { useSnapshot } from "./snapshot";
import type { ApiError } from "./types";

export interface FamilyState {
  /** null until the first answer. */
  family: Family | null;
  error: ApiError | null;
  reload: () => void;
}

export function useFamily(): FamilyState {
  const [family, setFamily] = useState<Family | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  // Only the newest request may write state, so a slow old answer never overwrites a newer one.
  const seq = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const f = await loadFamily();
      if (mine !== seq.current) return;
      setFamily(f);
      setError(null);
    } catch (e) {
      if (mine === seq.current) setError(toApiError(e));
    }
  }, []);

  const { snapshot } = useSnapshot();
  const profile = snapshot?.state.profile;
  const role = snapshot?.state.role;
  useEffect(() => {
    void reload();
  }, [reload, profile, role]);
  useEvent("profiles:changed", () => void reload());
  // After unmount no answer is newest, so none writes state.
  useEffect(() => () => void ++seq.current, []);

  return { family, error, reload: () => void reload() };
}
