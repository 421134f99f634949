// Backup of the database and "clear my data".
import { Alert, Button, Code, Group, Stack, Text, Title } from "@mantine/core";
import { backend, useAction, useSnapshot } from "../../api";
import { ConfirmButton } from "../../components/ConfirmButton";
import { notify } from "../../components/notify";
import { formatBytes } from "../../lib/format";

export function DataSection() {
  const { snapshot } = useSnapshot();
  const backup = useAction(backend.backupDatabase);
  const clear = useAction(backend.clearMyData);

  const onBackup = async () => {
    const r = await backup.run();
    if (r.ok) notify("success", "Backup written", r.value, "notice-backup-written");
  };
  const onClear = async () => {
    const r = await clear.run();
    if (r.ok) notify("success", "Your data was cleared", "History, conversations, logs and metrics are gone.", "notice-data-cleared");
  };

  return (
    <Stack gap="xl">
      {snapshot && (
        <Text size="sm" c="dimmed">
          Database <Code>{snapshot.store.path || snapshot.paths.database}</Code> ({formatBytes(snapshot.store.sizeBytes)})
        </Text>
      )}
      <Stack gap="xs">
        <Title order={4}>Backup</Title>
        <Text size="sm" c="dimmed">
          Writes a consistent copy of the database while TonnyTray keeps running.
        </Text>
        <Group>
          <Button onClick={onBackup} loading={backup.busy} data-testid="data-backup">
            Back up database
          </Button>
        </Group>
        {backup.result && (
          <Text size="sm" data-testid="data-backup-path">
            Written to <Code>{backup.result}</Code>
          </Text>
        )}
        {backup.error && (
          <Alert color="red" title="Backup failed">
            {backup.error.message}
          </Alert>
        )}
      </Stack>
      <Stack gap="xs">
        <Title order={4}>Clear my data</Title>
        <Text size="sm" c="dimmed">
          Deletes the history: utterances, conversations, logs, metrics and queued messages. Settings, profiles and secrets stay.
        </Text>
        <Group>
          <ConfirmButton
            color="red"
            variant="light"
            loading={clear.busy}
            testId="data-clear"
            title="Clear all your data?"
            confirmLabel="Clear my data"
            body="Utterances, conversations, logs, metrics and queued messages are deleted for good. Make a backup first if you may need them."
            onConfirm={onClear}
          >
            Clear my data…
          </ConfirmButton>
        </Group>
        {clear.error && (
          <Alert color="red" title="Clearing failed">
            {clear.error.message}
          </Alert>
        )}
      </Stack>
    </Stack>
  );
}
