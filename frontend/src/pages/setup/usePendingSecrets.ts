// Secrets typed in the wizard but not stored yet (the user did not press their Save): kept across steps, and
// stored before the n8n test and at Finish, so nothing typed is lost.
import { useCallback, useState } from "react";
import { backend, toApiError, type ApiError } from "../../api";

export interface PendingSecrets {
  /** Secret key → the typed value ("" = nothing pending). */
  values: Readonly<Record<string, string>>;
  set: (key: string, value: string) => void;
  /** Stores the typed values of `keys` (all by default); resolves to the first failure, or null. */
  store: (keys?: string[]) => Promise<{ key: string; error: ApiError } | null>;
}

export function usePendingSecrets(): PendingSecrets {
  const [values, setValues] = useState<Record<string, string>>({});
  const set = useCallback((key: string, value: string) => setValues((m) => ({ ...m, [key]: value })), []);

  const store = async (keys = Object.keys(values)) => {
    for (const key of keys) {
      const value = values[key];
      if (!value) continue;
      try {
        await backend.setSecret(key, value);
        set(key, "");
      } catch (e) {
        return { key, error: toApiError(e) };
      }
    }
    return null;
  };

  return { values, set, store };
}
