// Step 6: what is set up and what is not (or was skipped), before Finish saves it all.
import type { ReactNode } from "react";
import { Badge, Group, Stack, Text, ThemeIcon } from "@mantine/core";
import { UNKNOWN_SERVER_STATE, useSnapshot, type Settings } from "../../api";
import { serverBadge } from "../dashboard/serverView";
import { useActiveAdmin } from "./FamilyStep";
import type { StepId } from "./steps";
import type { PendingSecrets } from "./usePendingSecrets";

interface Props {
  draft: Settings;
  skipped: ReadonlySet<StepId>;
  secrets: PendingSecrets;
}

export function DoneStep({ draft, skipped, secrets }: Props) {
  const { snapshot } = useSnapshot();
  const { admin } = useActiveAdmin();
  const server = snapshot?.server ?? UNKNOWN_SERVER_STATE;
  // A secret counts once stored, or when typed (Finish stores it).
  const hasSecret = (key: string) =>
    Boolean(secrets.values[key]) || (snapshot?.secrets.some((s) => s.key === key && s.configured) ?? false);
  const url = draft.n8n.webhook_url.trim();

  return (
    <Stack gap="sm" data-testid="setup-summary">
      <Text>Finish saves your choices. Everything here can be changed later in Settings and Profiles.</Text>
      <Item step="server" ok={server.state === "running"} skipped={skipped}>
        Speech server: {serverBadge(server, Date.now()).label}
        {server.state !== "running" && " (start it from the Dashboard once WhisperLiveKit is installed)"}
      </Item>
      <Item step="microphone" ok skipped={skipped}>
        Microphone: {draft.audio.input_device || "the system default"}
      </Item>
      <Item step="n8n" ok={url !== ""} skipped={skipped}>
        {url ? `Tonny's webhook: ${url}` : "No webhook URL: Tonny cannot answer commands yet"}
        {url && (hasSecret("n8n.auth") ? ", with its auth header value" : ", without an auth header value")}
      </Item>
      <Item step="voice" ok={hasSecret("elevenlabs.api_key")} skipped={skipped}>
        {hasSecret("elevenlabs.api_key")
          ? `ElevenLabs key set, voice ${draft.elevenlabs.voice_id || "not chosen"}`
          : "No ElevenLabs key: replies are not spoken"}
      </Item>
      <Item step="family" ok={admin?.hasPin ?? false} skipped={skipped}>
        {admin?.hasPin ? "Admin PIN set" : "No admin PIN yet"}
      </Item>
    </Stack>
  );
}

function Item({ step, ok, skipped, children }: { step: StepId; ok: boolean; skipped: ReadonlySet<StepId>; children: ReactNode }) {
  return (
    <Group gap="sm" wrap="nowrap" data-testid="setup-summary-item" data-step={step} data-ok={ok}>
      <ThemeIcon color={ok ? "teal" : "gray"} variant="light" radius="xl" size="sm" aria-label={ok ? "done" : "not done"}>
        <span aria-hidden>{ok ? "✓" : "–"}</span>
      </ThemeIcon>
      <Text size="sm">{children}</Text>
      {skipped.has(step) && (
        <Badge size="xs" color="gray" variant="outline">
          skipped
        </Badge>
      )}
    </Group>
  );
}
