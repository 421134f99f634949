import { useEffect, useReducer } from "react";

/** Re-renders every `ms` milliseconds while `ms` is not null; no timer at all otherwise. */
export function useTick(ms: number | null): void {
  const [, tick] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (ms === null) return;
    const id = setInterval(tick, ms);
    return () => clearInterval(id);
  }, [ms]);
}
