// The Settings screen (admins only: see AccessGate): one tab per settings group (live-validated, saved
// together), then Secrets, Import & export, and Data.
import { useMemo, useState, type ReactNode } from "react";
import { Alert, Badge, Button, Code, Group, List, Loader, Paper, Stack, Tabs, Text, Title } from "@mantine/core";
import { countErrorsByGroup, useSnapshot, type Settings } from "../../api";
import { notify } from "../../components/notify";
import { AccessGate } from "./AccessGate";
import { DataSection } from "./DataSection";
import { GroupForm } from "./GroupForm";
import { HotkeySection } from "./HotkeySection";
import { N8NTestSection } from "./N8NTestSection";
import { settingsSchema } from "./schema";
import { SecretsSection } from "./SecretsSection";
import { TransferSection } from "./TransferSection";
import { TypingSection } from "./TypingSection";
import { useSettingsForm } from "./useSettingsForm";
import { VoiceSection } from "./VoiceSection";

const EXTRA_TABS = [
  { id: "secrets", label: "Secrets" },
  { id: "transfer", label: "Import & export" },
  { id: "data", label: "Data" },
] as const;

/** What a group's extra section gets: whether the form has unsaved edits, the draft, and a way to set a field. */
interface ExtraProps {
  dirty: boolean;
  draft: Settings;
  setField: (path: string, value: unknown) => void;
}

/** Per settings group, a section shown under its inputs (tests and detection that act on the saved settings). */
const GROUP_EXTRAS: Partial<Record<string, (p: ExtraProps) => ReactNode>> = {
  n8n: ({ dirty }) => <N8NTestSection dirty={dirty} />,
  elevenlabs: ({ dirty, draft, setField }) => (
    <VoiceSection dirty={dirty} voiceId={draft.elevenlabs.voice_id} onUse={(id) => setField("elevenlabs.voice_id", id)} />
  ),
  typing: () => <TypingSection />,
  hotkeys: () => <HotkeySection />,
};

/** Settings, for the profiles the backend lets in (admins). */
export function SettingsPage() {
  return (
    <AccessGate screen="settings" title="Settings">
      <SettingsForm />
    </AccessGate>
  );
}

function SettingsForm() {
  const { error: snapshotError } = useSnapshot();
  const form = useSettingsForm();
  const [tab, setTab] = useState<string>(settingsSchema[0].id);

  const allErrors = useMemo(() => ({ ...form.errors.byField, ...form.localErrors }), [form.errors.byField, form.localErrors]);
  const groupErrors = useMemo(() => countErrorsByGroup(allErrors), [allErrors]);
  const hasLocalErrors = Object.keys(form.localErrors).length > 0;

  const onSave = async () => {
    const outcome = await form.save();
    if (!outcome) return;
    if (outcome.ok) {
      const restart = outcome.result.restartNeeded;
      notify(
        "success",
        "Settings saved",
        restart.length > 0 ? `Restart needed for ${restart.join(", ")}.` : "All changes are in effect.",
        "notice-settings-saved",
      );
      return;
    }
    notify("error", "Settings not saved", outcome.error.message, "notice-settings-save-failed");
    const first = outcome.error.fields?.map((f) => f.field.split(".")[0]).find((g) => settingsSchema.some((s) => s.id === g));
    if (first && !groupErrors[tab]) setTab(first);
  };

  if (!form.draft) {
    return (
      <Stack>
        <Title order={2}>Settings</Title>
        {snapshotError ? (
          <Alert color="red" title="Settings could not be loaded">
            {snapshotError.message}
          </Alert>
        ) : (
          <Group gap="xs">
            <Loader size="sm" /> <Text c="dimmed">Loading settings…</Text>
          </Group>
        )}
      </Stack>
    );
  }

  return (
    <Stack gap="md">
      <Paper
        pos="sticky"
        top={0}
        style={{ zIndex: 5, background: "var(--mantine-color-body)" }}
        py="xs"
      >
        <Group justify="space-between">
          <Title order={2}>Settings</Title>
          <Group gap="sm">
            <Button variant="subtle" onClick={() => (window.location.hash = "/setup")} data-testid="settings-run-setup">
              Run the setup again
            </Button>
            {form.dirty && (
              <Text size="sm" c="dimmed" data-testid="settings-unsaved">
                Unsaved changes
              </Text>
            )}
            <Button variant="default" onClick={form.discard} disabled={!form.dirty || form.saving} data-testid="settings-discard">
              Discard
            </Button>
            <Button onClick={onSave} disabled={!form.dirty || hasLocalErrors} loading={form.saving} data-testid="settings-save">
              Save
            </Button>
          </Group>
        </Group>
      </Paper>

      {form.validationUnavailable && (
        <Alert color="yellow" title="Live validation is not available" data-testid="settings-validation-unavailable">
          {form.validationUnavailable} Problems will be reported when you save.
        </Alert>
      )}
      {form.changedElsewhere && (
        <Alert
          color="blue"
          title="Settings were changed elsewhere"
          withCloseButton
          onClose={form.dismissChangedElsewhere}
          data-testid="settings-changed-elsewhere"
        >
          The new values are loaded; your unsaved edits were kept on top of them. Discard to drop your edits.
        </Alert>
      )}
      {form.errors.unmatched.length > 0 && (
        <Alert color="red" title="Other problems" data-testid="settings-other-errors">
          <List size="sm">
            {form.errors.unmatched.map((e) => (
              <List.Item key={e.field + e.message}>
                {e.field && <Code mr={4}>{e.field}</Code>}
                {e.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}

      <Tabs
        value={tab}
        onChange={(v) => v && setTab(v)}
        orientation="vertical"
        variant="pills"
        // Only the open tab is rendered: the draft lives in useSettingsForm, not in the inputs.
        keepMounted={false}
        styles={{ tab: { justifyContent: "flex-start" }, tabLabel: { textAlign: "left" } }}
      >
        <Tabs.List miw={180}>
          {settingsSchema.map((g) => (
            <Tabs.Tab
              key={g.id}
              value={g.id}
              data-testid={`settings-tab-${g.id}`}
              rightSection={
                groupErrors[g.id] ? (
                  <Badge size="xs" color="red" circle aria-label={`${groupErrors[g.id]} problem(s)`}>
                    {groupErrors[g.id]}
                  </Badge>
                ) : null
              }
            >
              {g.label}
            </Tabs.Tab>
          ))}
          {EXTRA_TABS.map((t) => (
            <Tabs.Tab key={t.id} value={t.id} data-testid={`settings-tab-${t.id}`}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>

        {settingsSchema.map((g) => (
          <Tabs.Panel key={g.id} value={g.id} pl="lg">
            <Title order={3} mb="xs">
              {g.label}
            </Title>
            <GroupForm
              key={form.resetKey}
              group={g}
              draft={form.draft!}
              errors={form.errors.byField}
              onChange={form.setField}
              onLocalError={form.setLocalError}
            />
            {GROUP_EXTRAS[g.id] && (
              <Stack mt="lg" gap="md" data-testid={`settings-extra-${g.id}`}>
                {GROUP_EXTRAS[g.id]!({ dirty: form.dirty, draft: form.draft!, setField: form.setField })}
              </Stack>
            )}
          </Tabs.Panel>
        ))}
        <Tabs.Panel value="secrets" pl="lg">
          <Title order={3} mb="xs">
            Secrets
          </Title>
          <SecretsSection />
        </Tabs.Panel>
        <Tabs.Panel value="transfer" pl="lg">
          <Title order={3} mb="xs">
            Import & export
          </Title>
          <TransferSection />
        </Tabs.Panel>
        <Tabs.Panel value="data" pl="lg">
          <Title order={3} mb="xs">
            Data
          </Title>
          <DataSection />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
