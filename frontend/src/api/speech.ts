// Tonny's voice: plain mirrors of event.SpeechStatePayload (backend/event/payloads.go, sent as `speech:state`
// and as Snapshot.speech) and daemon.VoiceInfo (the Settings voice picker), with their parsers.

/**
 * Whether Tonny is speaking, and what (event.SpeechStatePayload). `id` is "<reply id>/<sentence n>" for a
 * reply's sentence, or "cue:start" / "cue:stop" / "cue:error" for a sound cue; `text` is the sentence.
 */
export interface SpeechState {
  speaking: boolean;
  id: string;
  text: string;
  /** How often the audio ran dry mid-sentence (silence was played). */
  underruns: number;
}

/** One ElevenLabs voice (daemon.VoiceInfo). */
export interface VoiceInfo {
  id: string;
  name: string;
  /** "premade", "cloned", "generated", "professional", … */
  category: string;
  description: string;
}

export const NOT_SPEAKING: SpeechState = { speaking: false, id: "", text: "", underruns: 0 };

/** True for a sound cue's id ("cue:start"), which is not speech the user could read or stop. */
export function isCue(id: string): boolean {
  return id.startsWith("cue:");
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** A speech state, or null without a boolean `speaking` and a string `id` (Go always sends both). */
export function parseSpeechState(raw: unknown): SpeechState | null {
  if (!isObj(raw) || typeof raw.speaking !== "boolean" || str(raw.id) === null) return null;
  const u = raw.underruns;
  return {
    speaking: raw.speaking,
    id: raw.id as string,
    text: str(raw.text) ?? "",
    underruns: typeof u === "number" && Number.isFinite(u) && u >= 0 ? u : 0,
  };
}

/** The voice list, filling Go's null slice and dropping entries without an id. */
export function parseVoices(raw: unknown): VoiceInfo[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObj).flatMap((v) => {
    const id = str(v.id);
    if (!id) return [];
    return [{ id, name: str(v.name) || id, category: str(v.category) ?? "", description: str(v.description) ?? "" }];
  });
}
