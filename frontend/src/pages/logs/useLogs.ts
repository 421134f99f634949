// Data of the logs viewer: the first page for the current filter, "load older" by keyset (nextBefore), and
// following live — log:appended events that match the filter, with a 2 s QueryLogs(after) poll whenever events
// are unavailable or have been quiet (which also recovers events the bus dropped).
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useDebouncedValue } from "@mantine/hooks";
import {
  backend,
  buildLogQuery,
  entryMatches,
  eventsAvailable,
  filterProblems,
  mergeEntries,
  newestId,
  toApiError,
  useEvent,
  type ApiError,
  type LogEntry,
  type LogFilterForm,
  type LogQuery,
} from "../../api";

export const SEARCH_DEBOUNCE_MS = 300;
export const POLL_MS = 2000;
export const MAX_ROWS = 5000;

export interface LogsState {
  entries: LogEntry[];
  /** Cursor for "Load older"; 0 when there is nothing older. */
  nextBefore: number;
  loading: boolean;
  loadingOlder: boolean;
  error: ApiError | null;
  /** The request for the current (debounced) filter; null while the filter has problems. */
  query: LogQuery | null;
  problems: ReturnType<typeof filterProblems>;
  loadOlder: () => Promise<void>;
  reload: () => void;
}

export function useLogs(form: LogFilterForm, follow: boolean): LogsState {
  const [text] = useDebouncedValue(form.text, SEARCH_DEBOUNCE_MS);
  const effective = useMemo(() => ({ ...form, text }), [form, text]);
  const problems = useMemo(() => filterProblems(effective), [effective]);
  const queryKey = problems.length === 0 ? JSON.stringify(buildLogQuery(effective)) : null;
  const query = useMemo(() => (queryKey ? (JSON.parse(queryKey) as LogQuery) : null), [queryKey]);

  const [entries, setEntries] = useState<LogEntry[]>([]);
  const [nextBefore, setNextBefore] = useState(0);
  const [loading, setLoading] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [reloadTick, setReloadTick] = useState(0);

  // Answers for an older filter are ignored: every (re)load bumps the generation.
  const gen = useRef(0);
  const entriesRef = useRef(entries);
  entriesRef.current = entries;
  const lastEventAt = useRef(0);

  useEffect(() => {
    if (!query) return;
    const mine = ++gen.current;
    setLoading(true);
    setError(null);
    backend
      .queryLogs(query)
      .then((page) => {
        if (mine !== gen.current) return;
        setEntries(mergeEntries([], page.entries, MAX_ROWS));
        setNextBefore(page.nextBefore);
      })
      .catch((e) => {
        if (mine !== gen.current) return;
        setEntries([]);
        setNextBefore(0);
        setError(toApiError(e));
      })
      .finally(() => {
        if (mine === gen.current) setLoading(false);
      });
  }, [query, reloadTick]);

  const loadOlder = useCallback(async () => {
    if (!query || nextBefore <= 0) return;
    const mine = gen.current;
    setLoadingOlder(true);
    try {
      const page = await backend.queryLogs({ ...query, before: nextBefore, after: 0 });
      if (mine !== gen.current) return;
      setEntries((prev) => mergeEntries(prev, page.entries, Number.MAX_SAFE_INTEGER));
      setNextBefore(page.nextBefore);
    } catch (e) {
      if (mine === gen.current) setError(toApiError(e));
    } finally {
      setLoadingOlder(false);
    }
  }, [query, nextBefore]);

  /** Adds newer entries; when the cap pushes old rows out, "Load older" continues from the oldest kept. */
  const addNewer = useCallback((incoming: LogEntry[]) => {
    if (incoming.length === 0) return;
    setEntries((prev) => {
      const merged = mergeEntries(prev, incoming, Math.max(MAX_ROWS, prev.length));
      if (merged.length < prev.length + incoming.length && merged.length > 0) {
        const oldestKept = merged[merged.length - 1].id;
        const oldestBefore = prev.length > 0 ? prev[prev.length - 1].id : oldestKept;
        if (oldestKept > oldestBefore) setNextBefore(oldestKept);
      }
      return merged;
    });
  }, []);

  useEvent(
    "log:appended",
    (e) => {
      lastEventAt.current = Date.now();
      if (query && !loading && entryMatches(e, query)) addNewer([e]);
    },
    follow,
  );

  useEffect(() => {
    if (!follow || !query) return;
    let stopped = false;
    let inFlight = false;
    const mine = gen.current;
    const tick = async () => {
      if (inFlight || stopped) return;
      if (eventsAvailable() && Date.now() - lastEventAt.current < POLL_MS) return;
      inFlight = true;
      try {
        // With `after` the backend answers oldest first, so asking again from the last id misses nothing;
        // a few rounds per tick catch up with a burst without hogging the backend.
        let after = newestId(entriesRef.current);
        for (let round = 0; round < 5 && !stopped && mine === gen.current; round++) {
          const page = await backend.queryLogs({ ...query, before: 0, after });
          if (stopped || mine !== gen.current) break;
          addNewer(page.entries);
          if (after === 0 || page.entries.length < query.limit) break;
          after = newestId(page.entries);
        }
      } catch {
        // The next tick tries again; a persistent failure shows on the next reload.
      } finally {
        inFlight = false;
      }
    };
    void tick(); // catch up with what was written since the page loaded
    const id = setInterval(() => void tick(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(id);
    };
  }, [follow, query, addNewer, reloadTick]);

  const reload = useCallback(() => setReloadTick((t) => t + 1), []);

  return { entries, nextBefore, loading, loadingOlder, error, query, problems, loadOlder, reload };
}
