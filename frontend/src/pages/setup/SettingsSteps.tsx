// The wizard's steps that edit settings and secrets (microphone, n8n, voice), built from the Settings page's own
// inputs and tests. Settings typed here are saved at Finish; secrets when their Save is pressed (or at Finish).
import { Stack, Text } from "@mantine/core";
import { useSnapshot, type SecretStatus, type Settings } from "../../api";
import { DeviceField } from "../settings/DeviceField";
import { FieldControl } from "../settings/FieldControl";
import { N8NTestSection } from "../settings/N8NTestSection";
import { fieldSpec } from "../settings/schema";
import { SecretRow } from "../settings/SecretsSection";
import type { TestIds } from "../settings/testIds";
import type { SettingsForm } from "../settings/useSettingsForm";
import { VoiceSection } from "../settings/VoiceSection";
import type { PendingSecrets } from "./usePendingSecrets";

export interface SettingsStepProps {
  form: SettingsForm;
  draft: Settings;
  secrets: PendingSecrets;
}

// A failed test shows the backend's sentence where its verdict would be.
const MIC_IDS: TestIds = { button: "setup-mic-test", result: "setup-mic-result", error: "setup-mic-result" };
const N8N_IDS: TestIds = { button: "setup-n8n-test", result: "setup-n8n-result", error: "setup-n8n-result" };

const INPUT_DEVICE = fieldSpec("audio.input_device", "device");
const WEBHOOK_URL = fieldSpec("n8n.webhook_url", "text");

/** The keychain's status of a secret; a key the backend does not list counts as not set. */
function useSecretStatus(key: string): SecretStatus {
  const { snapshot } = useSnapshot();
  return snapshot?.secrets.find((s) => s.key === key) ?? { key, label: key, configured: false };
}

/** A secret's row from Settings, its typed value kept by the wizard. */
function WizardSecret({ secretKey, testId, secrets }: { secretKey: string; testId: string; secrets: PendingSecrets }) {
  const status = useSecretStatus(secretKey);
  return (
    <SecretRow
      secret={status}
      inputTestId={testId}
      value={secrets.values[secretKey] ?? ""}
      onValueChange={(v) => secrets.set(secretKey, v)}
    />
  );
}

export function MicrophoneStep({ form, draft }: SettingsStepProps) {
  return (
    <Stack gap="md">
      <Text>
        Pick the microphone TonnyTray listens to (empty means the system default), then test it: press the button and
        speak while it records for two seconds.
      </Text>
      <DeviceField
        spec={INPUT_DEVICE}
        value={draft.audio.input_device}
        error={form.errors.byField[INPUT_DEVICE.path]}
        onChange={form.setField}
        micTestIds={MIC_IDS}
      />
    </Stack>
  );
}

export function N8NStep({ form, draft, secrets }: SettingsStepProps) {
  // The test uses the saved settings and keychain: what was typed here is stored first.
  const prepare = async () => {
    const failed = await secrets.store(["n8n.auth"]);
    if (failed) throw failed.error;
    if (!form.dirty) return;
    const outcome = await form.save();
    if (outcome && !outcome.ok) throw outcome.error;
  };

  return (
    <Stack gap="md">
      <Text>
        Tonny is an n8n workflow that answers your commands. Paste its webhook URL and the value of its auth header (n8n's
        Header Auth credential), then test the connection.
      </Text>
      <FieldControl
        spec={WEBHOOK_URL}
        value={draft.n8n.webhook_url}
        error={form.errors.byField[WEBHOOK_URL.path]}
        onChange={form.setField}
        onLocalError={form.setLocalError}
        testId="setup-n8n-url"
      />
      <WizardSecret secretKey="n8n.auth" testId="setup-n8n-secret" secrets={secrets} />
      <N8NTestSection dirty={form.dirty} prepare={prepare} ids={N8N_IDS} />
    </Stack>
  );
}

export function VoiceStep({ form, draft, secrets }: SettingsStepProps) {
  const key = useSecretStatus("elevenlabs.api_key");
  return (
    <Stack gap="md">
      <Text>
        Tonny speaks its replies with ElevenLabs. Paste your ElevenLabs API key and save it; the voices it can use
        appear below. Preview one, and Use the one you like.
      </Text>
      <WizardSecret secretKey="elevenlabs.api_key" testId="setup-eleven-key" secrets={secrets} />
      <div data-testid="setup-voice-list">
        <VoiceSection
          voiceId={draft.elevenlabs.voice_id}
          onUse={(id) => form.setField("elevenlabs.voice_id", id)}
          dirty={form.dirty}
          autoLoad={key.configured}
        />
      </div>
    </Stack>
  );
}
