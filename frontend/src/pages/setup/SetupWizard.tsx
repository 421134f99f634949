// The first-run wizard (#/setup): one step per thing TonnyTray needs, then Finish, which saves what was chosen
// with general.setup_complete set. "Skip setup" sets only the flag. Admins only, like Settings, since both save
// the settings.
import { useState } from "react";
import { Alert, Button, Code, Group, List, Loader, Paper, Stack, Stepper, Text, Title } from "@mantine/core";
import { backend, useAction, useSnapshot, type ApiError, type Settings } from "../../api";
import { ConfirmButton } from "../../components/ConfirmButton";
import { notify } from "../../components/notify";
import { setAtPath } from "../../lib/objectPath";
import { AccessGate } from "../settings/AccessGate";
import { useSettingsForm } from "../settings/useSettingsForm";
import { DoneStep } from "./DoneStep";
import { FamilyStep } from "./FamilyStep";
import { ServerStep } from "./ServerStep";
import { MicrophoneStep, N8NStep, VoiceStep, type SettingsStepProps } from "./SettingsSteps";
import { errorsWithoutInput, firstStepWithError, STEPS, WIZARD_SECRETS, type StepId } from "./steps";
import { usePendingSecrets } from "./usePendingSecrets";

const markedDone = (s: Settings) => setAtPath(s, "general.setup_complete", true);
const stepIndex = (id: StepId) => STEPS.findIndex((s) => s.id === id);
const toDashboard = () => (window.location.hash = "/dashboard");

export function SetupPage() {
  return (
    <AccessGate screen="settings" title="Set up TonnyTray">
      <SetupWizard />
    </AccessGate>
  );
}

function SetupWizard() {
  const form = useSettingsForm();
  const secrets = usePendingSecrets();
  const [active, setActive] = useState(0);
  const [skipped, setSkipped] = useState<ReadonlySet<StepId>>(new Set());
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [finishing, setFinishing] = useState(false);
  const step = STEPS[active];
  const edited = form.dirty || Object.values(secrets.values).some((v) => v !== "");

  const next = (skip: boolean) => {
    setSkipped((s) => {
      const out = new Set(s);
      if (skip) out.add(step.id);
      else out.delete(step.id);
      return out;
    });
    setActive(active + 1);
  };

  // Stores typed secrets, then saves the settings; a failure shows its sentence on the step with its input.
  const finish = async () => {
    setProblem(null);
    setFinishing(true);
    try {
      const failed = await secrets.store();
      if (failed) {
        setProblem(failed.error);
        setActive(stepIndex(WIZARD_SECRETS[failed.key] ?? "done"));
        return;
      }
      const outcome = await form.save(markedDone);
      if (!outcome) return;
      if (!outcome.ok) {
        setProblem(outcome.error);
        setActive(firstStepWithError(outcome.error.fields) ?? active);
        return;
      }
      const restart = outcome.result.restartNeeded;
      notify("success", "TonnyTray is set up", restart.length > 0 ? `Restart needed for ${restart.join(", ")}.` : "Enjoy!", "notice-setup-done");
      toDashboard();
    } finally {
      setFinishing(false);
    }
  };

  return (
    <Stack gap="md" data-testid="setup-wizard">
      <Group justify="space-between">
        <Title order={2}>Set up TonnyTray</Title>
        <SkipSetup edited={edited} onError={setProblem} />
      </Group>
      {!form.draft ? (
        <Group gap="xs">
          <Loader size="sm" /> <Text c="dimmed">Loading settings…</Text>
        </Group>
      ) : (
        <>
          <Stepper active={active} onStepClick={setActive} allowNextStepsSelect={false} size="sm">
            {STEPS.map((s) => (
              <Stepper.Step key={s.id} label={s.label} />
            ))}
          </Stepper>
          {problem && <ProblemAlert problem={problem} onClose={() => setProblem(null)} />}
          <Paper withBorder p="lg" data-testid="setup-step" data-step={step.id}>
            <StepBody id={step.id} form={form} draft={form.draft} secrets={secrets} skipped={skipped} />
          </Paper>
          <Group justify="space-between">
            <Button variant="default" onClick={() => setActive(active - 1)} disabled={active === 0} data-testid="setup-back">
              Back
            </Button>
            <Group gap="sm">
              {step.skippable && (
                <Button variant="subtle" onClick={() => next(true)} data-testid="setup-skip-step">
                  {step.id === "family" ? "Later" : "Skip this step"}
                </Button>
              )}
              {step.id === "done" ? (
                <Button onClick={() => void finish()} loading={finishing} data-testid="setup-finish">
                  Finish
                </Button>
              ) : (
                <Button onClick={() => next(false)} data-testid="setup-next">
                  Next
                </Button>
              )}
            </Group>
          </Group>
        </>
      )}
    </Stack>
  );
}

function StepBody({ id, skipped, ...props }: SettingsStepProps & { id: StepId; skipped: ReadonlySet<StepId> }) {
  switch (id) {
    case "server":
      return <ServerStep />;
    case "microphone":
      return <MicrophoneStep {...props} />;
    case "n8n":
      return <N8NStep {...props} />;
    case "voice":
      return <VoiceStep {...props} />;
    case "family":
      return <FamilyStep />;
    case "done":
      return <DoneStep draft={props.draft} secrets={props.secrets} skipped={skipped} />;
  }
}

/** Why Finish or Skip did not save, with the problems no input of the wizard shows. */
function ProblemAlert({ problem, onClose }: { problem: ApiError; onClose: () => void }) {
  const others = errorsWithoutInput(problem.fields);
  return (
    <Alert color="red" title="Not saved" withCloseButton onClose={onClose} data-testid="setup-error">
      <Text size="sm">{problem.message}</Text>
      {others.length > 0 && (
        <List size="sm" mt={4}>
          {others.map((e) => (
            <List.Item key={e.field + e.message}>
              {e.field && <Code mr={4}>{e.field}</Code>}
              {e.message}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}

/** Saves only general.setup_complete (on the saved settings) and leaves; asks first when something was typed. */
function SkipSetup({ edited, onError }: { edited: boolean; onError: (e: ApiError) => void }) {
  const { snapshot } = useSnapshot();
  const save = useAction(backend.saveSettings);
  const skip = async () => {
    if (!snapshot) return;
    const r = await save.run(markedDone(snapshot.settings));
    if (r.ok) toDashboard();
    else onError(r.error);
  };

  if (!edited) {
    return (
      <Button variant="subtle" onClick={() => void skip()} loading={save.busy} disabled={!snapshot} data-testid="setup-skip-all">
        Skip setup
      </Button>
    );
  }
  return (
    <ConfirmButton
      variant="subtle"
      testId="setup-skip-all"
      title="Skip the setup?"
      confirmLabel="Skip setup"
      body="What you typed in the wizard and did not save yet is dropped. You can run the setup again from Settings."
      onConfirm={skip}
    >
      Skip setup
    </ConfirmButton>
  );
}
