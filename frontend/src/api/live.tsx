// The live side of the Dashboard: the utterance in progress (listening:state, transcript:update) and the last
// finished one (transcript:final). Kept here, above the pages, so navigating away and back keeps the last
// utterance. Two contexts: a transcript update re-renders only the live transcript's readers, never the last
// utterance's. Nothing here polls or ticks; state changes on events only.
import { createContext, useContext, useReducer, type ReactNode } from "react";
import { useEvent, type ListeningStatePayload, type TranscriptFinalPayload, type TranscriptUpdatePayload } from "./events";

export interface LiveTranscript {
  listening: boolean;
  /** The utterance was captured and its final text is awaited (listening:state "processing"). */
  processing: boolean;
  /** The mode of the current (or last) utterance, as listening:state said; "" when unknown. */
  mode: string;
  committed: string;
  volatile: string;
  /** The speech server's lag in ms; null until the first update of the utterance. */
  lagMs: number | null;
  lagGrowing: boolean;
}

export interface LiveState {
  transcript: LiveTranscript;
  last: TranscriptFinalPayload | null;
}

export type LiveAction =
  | { type: "listening"; payload: ListeningStatePayload }
  | { type: "update"; payload: TranscriptUpdatePayload }
  | { type: "final"; payload: TranscriptFinalPayload };

export const EMPTY_TRANSCRIPT: LiveTranscript = {
  listening: false,
  processing: false,
  mode: "",
  committed: "",
  volatile: "",
  lagMs: null,
  lagGrowing: false,
};

export const INITIAL_LIVE: LiveState = { transcript: EMPTY_TRANSCRIPT, last: null };

/**
 * listening:state "listening" starts a new utterance (even while already listening): the transcript is cleared.
 * "processing" and "idle" only end the listening indicator, so the text stays readable ("processing" says the
 * final text is on its way). Updates replace the text and lag.
 */
export function liveReducer(s: LiveState, a: LiveAction): LiveState {
  switch (a.type) {
    case "listening":
      if (a.payload.state === "listening") {
        return { ...s, transcript: { ...EMPTY_TRANSCRIPT, listening: true, mode: a.payload.mode } };
      }
      {
        const processing = a.payload.state === "processing";
        if (!s.transcript.listening && s.transcript.processing === processing) return s;
        return { ...s, transcript: { ...s.transcript, listening: false, processing } };
      }
    case "update": {
      const { committed, volatile, lagMs, lagGrowing } = a.payload;
      return { ...s, transcript: { ...s.transcript, committed, volatile, lagMs, lagGrowing } };
    }
    case "final":
      // The final text has come: nothing is being transcribed any more.
      return s.transcript.processing
        ? { transcript: { ...s.transcript, processing: false }, last: a.payload }
        : { ...s, last: a.payload };
  }
}

const TranscriptContext = createContext<LiveTranscript | null>(null);
const LastUtteranceContext = createContext<TranscriptFinalPayload | null | undefined>(undefined);

export function LiveProvider({ children }: { children: ReactNode }) {
  const [state, dispatch] = useReducer(liveReducer, INITIAL_LIVE);
  useEvent("listening:state", (payload) => dispatch({ type: "listening", payload }));
  useEvent("transcript:update", (payload) => dispatch({ type: "update", payload }));
  useEvent("transcript:final", (payload) => dispatch({ type: "final", payload }));
  return (
    <TranscriptContext.Provider value={state.transcript}>
      <LastUtteranceContext.Provider value={state.last}>{children}</LastUtteranceContext.Provider>
    </TranscriptContext.Provider>
  );
}

/** The utterance in progress (or the last one's text until the next starts); must be used under LiveProvider. */
export function useLiveTranscript(): LiveTranscript {
  const v = useContext(TranscriptContext);
  if (!v) throw new Error("useLiveTranscript must be used inside <LiveProvider>");
  return v;
}

/** The last finished utterance, null before the first; must be used under LiveProvider. */
export function useLastUtterance(): TranscriptFinalPayload | null {
  const v = useContext(LastUtteranceContext);
  if (v === undefined) throw new Error("useLastUtterance must be used inside <LiveProvider>");
  return v;
}
