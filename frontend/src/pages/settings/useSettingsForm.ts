// State of the Settings form: the saved settings, the draft being edited, live validation by the backend
// (debounced), local input problems, and saving.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useDebouncedValue } from "@mantine/hooks";
import {
  backend,
  DETAILS_LOST,
  mapFieldErrors,
  toApiError,
  useSnapshot,
  type ApiError,
  type FieldError,
  type MappedErrors,
  type SaveResult,
  type Settings,
} from "../../api";
import { deepEqual, setAtPath } from "../../lib/objectPath";
import { rebaseEdits } from "./rebase";
import { knownFieldPaths } from "./schema";

export const VALIDATE_DEBOUNCE_MS = 350;

export type SaveOutcome = { ok: true; result: SaveResult } | { ok: false; error: ApiError };

export interface SettingsForm {
  draft: Settings | null;
  dirty: boolean;
  errors: MappedErrors;
  /** Problems the inputs found themselves (e.g. an empty number); saving waits until they are fixed. */
  localErrors: Record<string, string>;
  /** Why live validation could not run, if it could not. */
  validationUnavailable: string | null;
  /** True after settings changed elsewhere while this form had unsaved edits (they were kept). */
  changedElsewhere: boolean;
  saving: boolean;
  /** Increments on discard, so inputs holding their own raw text start over. */
  resetKey: number;
  setField: (path: string, value: unknown) => void;
  setLocalError: (path: string, message: string | null) => void;
  discard: () => void;
  /** Saves the draft, or what `edit` makes of it (which then becomes the draft). */
  save: (edit?: (draft: Settings) => Settings) => Promise<SaveOutcome | null>;
  dismissChangedElsewhere: () => void;
}

export function useSettingsForm(): SettingsForm {
  const { snapshot } = useSnapshot();
  const [saved, setSaved] = useState<Settings | null>(null);
  const [draft, setDraft] = useState<Settings | null>(null);
  const [serverErrors, setServerErrors] = useState<FieldError[]>([]);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [validationUnavailable, setValidationUnavailable] = useState<string | null>(null);
  const [changedElsewhere, setChangedElsewhere] = useState(false);
  const [saving, setSaving] = useState(false);
  const [resetKey, setResetKey] = useState(0);

  // Follow the backend's settings; unsaved edits are carried over on top of what changed.
  const incoming = snapshot?.settings ?? null;
  const incomingRef = useRef(incoming);
  incomingRef.current = incoming;
  useEffect(() => {
    if (!incoming) return;
    if (saved === null || draft === null) {
      setSaved(incoming);
      setDraft(incoming);
      return;
    }
    if (deepEqual(incoming, saved)) return;
    const rebased = rebaseEdits(saved, draft, incoming);
    setSaved(incoming);
    setDraft(rebased);
    if (!deepEqual(rebased, incoming) && !deepEqual(draft, incoming)) setChangedElsewhere(true);
    // saved/draft are read, not followed: only a new snapshot triggers this.
  }, [incoming]);

  // Live validation: ask the backend about the draft once typing pauses; only the newest answer counts.
  const [debounced] = useDebouncedValue(draft, VALIDATE_DEBOUNCE_MS);
  const validateSeq = useRef(0);
  useEffect(() => {
    if (!debounced) return;
    const mine = ++validateSeq.current;
    backend
      .validateSettings(debounced)
      .then((errs) => {
        if (mine !== validateSeq.current) return;
        setServerErrors(errs);
        setValidationUnavailable(null);
      })
      .catch((e) => {
        if (mine !== validateSeq.current) return;
        const err = toApiError(e);
        if (err.fields) setServerErrors(err.fields);
        setValidationUnavailable(err.fields ? null : err.message);
      });
  }, [debounced]);

  const setField = useCallback((path: string, value: unknown) => {
    setDraft((d) => (d ? setAtPath(d, path, value) : d));
  }, []);

  const setLocalError = useCallback((path: string, message: string | null) => {
    setLocalErrors((m) => {
      if (message === null) {
        if (!(path in m)) return m;
        const next = { ...m };
        delete next[path];
        return next;
      }
      return m[path] === message ? m : { ...m, [path]: message };
    });
  }, []);

  const discard = useCallback(() => {
    setDraft(saved);
    setLocalErrors({});
    setChangedElsewhere(false);
    setResetKey((k) => k + 1);
  }, [saved]);

  const save = useCallback(async (edit?: (draft: Settings) => Settings): Promise<SaveOutcome | null> => {
    if (!draft) return null;
    const submitted = edit ? edit(draft) : draft;
    if (edit) setDraft(submitted);
    const before = incomingRef.current;
    setSaving(true);
    try {
      const result = await backend.saveSettings(submitted);
      validateSeq.current++; // an older validation answer must not bring back errors for saved values
      setServerErrors([]);
      // If the backend's own copy already arrived (settings:changed beat this answer), it is the truth.
      if (incomingRef.current === before) setSaved(submitted);
      setChangedElsewhere(false);
      return { ok: true, result };
    } catch (e) {
      let error = toApiError(e);
      if (error.code === DETAILS_LOST) {
        // The rejection arrived without its field list: ask the validator, which names the fields itself.
        const fields = await backend.validateSettings(submitted).catch(() => []);
        if (fields.length > 0) error = { code: "validation", message: "Some settings need fixing.", fields };
      }
      if (error.fields) setServerErrors(error.fields);
      return { ok: false, error };
    } finally {
      setSaving(false);
    }
  }, [draft]);

  const errors = useMemo(() => mapFieldErrors(serverErrors, knownFieldPaths), [serverErrors]);
  const dirty = draft !== null && saved !== null && !deepEqual(draft, saved);

  return {
    draft,
    dirty,
    errors,
    localErrors,
    validationUnavailable,
    changedElsewhere,
    saving,
    resetKey,
    setField,
    setLocalError,
    discard,
    save,
    dismissChangedElsewhere: () => setChangedElsewhere(false),
  };
}
