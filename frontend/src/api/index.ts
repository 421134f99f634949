// The UI's single door to the backend: typed calls, events, hooks and pure helpers.
export * from "./types";
export * as backend from "./backend";
export { eventsAvailable } from "./backend";
export { toApiError, errorMessage, DETAILS_LOST } from "./errors";
export { useEvent, subscribe, parseEvent, eventNames, TIMING_KEYS } from "./events";
export type {
  EventMap,
  EventName,
  NoticePayload,
  NoticeLevel,
  ServerStatePayload,
  TranscriptUpdatePayload,
  TranscriptFinalPayload,
  UtteranceTimings,
  ListeningState,
  ListeningStatePayload,
  AudioLevelPayload,
  CommandStatePayload,
  OutboxStatePayload,
  DictationPayload,
  SpeechStatePayload,
  AppStatePayload,
  ProfilesChangedPayload,
  PinNeededPayload,
} from "./events";
export * from "./appState";
export * from "./family";
export { useFamily } from "./useFamily";
export type { FamilyState } from "./useFamily";
export * from "./tonny";
export * from "./speech";
export { LiveProvider, useLiveTranscript, useLastUtterance, liveReducer, INITIAL_LIVE, EMPTY_TRANSCRIPT } from "./live";
export type { LiveTranscript, LiveState, LiveAction } from "./live";
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
