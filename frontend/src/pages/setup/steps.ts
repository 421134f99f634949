// The first-run wizard's steps, and which of them shows the input a settings field's error belongs to.
import { resolveFieldPath, type FieldError, type Snapshot } from "../../api";

export type StepId = "server" | "microphone" | "n8n" | "voice" | "family" | "done";

export interface StepSpec {
  id: StepId;
  label: string;
  /** "Skip this step" is offered (the step sets up something optional). */
  skippable: boolean;
}

export const STEPS: readonly StepSpec[] = [
  { id: "server", label: "Speech server", skippable: false },
  { id: "microphone", label: "Microphone", skippable: false },
  { id: "n8n", label: "Tonny (n8n)", skippable: true },
  { id: "voice", label: "Voice", skippable: true },
  { id: "family", label: "Family", skippable: true },
  { id: "done", label: "Done", skippable: false },
];

/** The settings fields the wizard has an input for, and the step that shows it. */
export const WIZARD_FIELDS: Readonly<Record<string, StepId>> = {
  "audio.input_device": "microphone",
  "n8n.webhook_url": "n8n",
};

const wizardFieldPaths: ReadonlySet<string> = new Set(Object.keys(WIZARD_FIELDS));

/** The step whose input shows this error, or undefined. */
const stepOf = (e: FieldError): StepId | undefined => WIZARD_FIELDS[resolveFieldPath(e.field, wizardFieldPaths) ?? ""];

/** The secrets the wizard asks for, and the step that asks. */
export const WIZARD_SECRETS: Readonly<Record<string, StepId>> = {
  "n8n.auth": "n8n",
  "elevenlabs.api_key": "voice",
};

/** The index of the first step showing an input for one of these errors, or null. */
export function firstStepWithError(fields: readonly FieldError[] | undefined): number | null {
  const indexes = (fields ?? []).map(stepOf).flatMap((id) => (id ? [STEPS.findIndex((s) => s.id === id)] : []));
  return indexes.length > 0 ? Math.min(...indexes) : null;
}

/** The errors no wizard input shows (they go into the wizard's alert, so none is hidden). */
export function errorsWithoutInput(fields: readonly FieldError[] | undefined): FieldError[] {
  return (fields ?? []).filter((f) => stepOf(f) === undefined);
}

/**
 * Whether this snapshot opens the wizard instead of the requested page: setup not done yet, and the active
 * profile is an admin (only an admin may save settings; on first run the active profile is the admin).
 */
export function needsSetup(snapshot: Snapshot): boolean {
  return !snapshot.settings.general.setup_complete && snapshot.state.role === "admin";
}
