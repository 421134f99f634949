// The UI's single door to the backend: typed calls, events, hooks and pure helpers.
export * from "./types";
export * as backend from "./backend";
export { eventsAvailable } from "./backend";
export { toApiError, errorMessage, DETAILS_LOST } from "./errors";
export { useEvent, subscribe, parseEvent, eventNames } from "./events";
export type { EventMap, EventName, NoticePayload, NoticeLevel, ServerStatePayload } from "./events";
export { parseServerState, UNKNOWN_SERVER_STATE } from "./serverState";
export { mapFieldErrors, normalizeFieldPath, resolveFieldPath, countErrorsByGroup } from "./fieldErrors";
export type { MappedErrors } from "./fieldErrors";
export {
  buildLogQuery,
  entryMatches,
  filterProblems,
  levelRank,
  localInputToRFC3339,
  mergeEntries,
  newestId,
  emptyLogFilter,
  DEFAULT_PAGE_SIZE,
} from "./logFilter";
export type { LogFilterForm } from "./logFilter";
export { SnapshotProvider, useSnapshot, applyServiceState } from "./snapshot";
export { useAction, useLogComponents } from "./hooks";
export type { Action, Outcome } from "./hooks";
