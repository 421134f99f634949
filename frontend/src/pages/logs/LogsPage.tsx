// The logs viewer: filters, newest-first table, "Load older", follow live, export, and entry details.
import { useState } from "react";
import { Alert, Button, Center, Group, Loader, Stack, Text, Title } from "@mantine/core";
import {
  backend,
  buildLogQuery,
  errorMessage,
  emptyLogFilter,
  useAction,
  useLogComponents,
  type ExportFormat,
  type LogEntry,
  type LogFilterForm,
} from "../../api";
import { notify } from "../../components/notify";
import { fileStamp } from "../../lib/download";
import { LogDetail } from "./LogDetail";
import { LogFilters } from "./LogFilters";
import { LogTable } from "./LogTable";
import { useLogs } from "./useLogs";

const MIME: Record<ExportFormat, string> = { json: "application/json", csv: "text/csv" };

export function LogsPage() {
  const [form, setForm] = useState<LogFilterForm>(emptyLogFilter);
  const [follow, setFollow] = useState(false);
  const [selected, setSelected] = useState<LogEntry | null>(null);
  const { components, reload: reloadComponents } = useLogComponents();
  const logs = useLogs(form, follow);
  const exp = useAction(backend.exportLogs);

  const onExport = async (format: ExportFormat) => {
    if (logs.problems.length > 0) return;
    const r = await exp.run(buildLogQuery(form), format);
    if (!r.ok) return;
    try {
      const path = await backend.saveText(`tonnytray-logs-${fileStamp()}.${format}`, r.value, MIME[format]);
      if (path === "") return; // the user cancelled the dialog
      notify("success", "Logs exported", path ? `Saved to ${path}` : `Saved as ${format.toUpperCase()}.`, "notice-logs-exported");
    } catch (e) {
      notify("error", "Could not save the logs", errorMessage(e), "notice-logs-export-failed");
    }
  };

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={2}>Logs</Title>
        <Group gap="xs">
          <Button variant="default" onClick={logs.reload} data-testid="logs-refresh">
            Refresh
          </Button>
          <Button variant="default" onClick={() => onExport("json")} loading={exp.busy} data-testid="logs-export-json">
            Export JSON
          </Button>
          <Button variant="default" onClick={() => onExport("csv")} loading={exp.busy} data-testid="logs-export-csv">
            Export CSV
          </Button>
        </Group>
      </Group>

      <LogFilters
        form={form}
        onChange={setForm}
        components={components}
        onComponentsOpen={reloadComponents}
        problems={logs.problems}
        follow={follow}
        onFollowChange={setFollow}
      />

      {logs.error && (
        <Alert color="red" title="Logs could not be loaded" data-testid="logs-error">
          {logs.error.message}
        </Alert>
      )}
      {exp.error && (
        <Alert color="red" title="Export failed" withCloseButton onClose={exp.reset}>
          {exp.error.message}
        </Alert>
      )}

      <Group gap="xs" mih={20}>
        {logs.loading && <Loader size="xs" />}
        <Text size="sm" c="dimmed" data-testid="logs-count">
          {logs.entries.length} {logs.entries.length === 1 ? "entry" : "entries"}
          {follow ? " · following live" : ""}
        </Text>
      </Group>

      <LogTable entries={logs.entries} onSelect={setSelected} />
      {!logs.loading && logs.entries.length === 0 && !logs.error && (
        <Center py="lg">
          <Text c="dimmed" data-testid="logs-empty">
            No log entries match these filters.
          </Text>
        </Center>
      )}

      {logs.nextBefore > 0 && (
        <Center>
          <Button variant="light" onClick={() => void logs.loadOlder()} loading={logs.loadingOlder} data-testid="logs-load-older">
            Load older
          </Button>
        </Center>
      )}

      <LogDetail entry={selected} onClose={() => setSelected(null)} />
    </Stack>
  );
}
