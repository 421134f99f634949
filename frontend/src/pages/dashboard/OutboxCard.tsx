// The n8n outbox on the Dashboard: how many commands wait or failed, since when, whether delivery is paused or
// Tonny is unreachable, "Retry now", and the list of waiting commands with per-item Retry and Discard.
import { useCallback, useEffect, useState } from "react";
import { Alert, Badge, Button, Card, Group, Loader, Modal, Stack, Table, Text, Title } from "@mantine/core";
import { backend, EMPTY_OUTBOX, errorMessage, useEvent, useSnapshot, type OutboxEntry, type OutboxState } from "../../api";
import { ConfirmButton } from "../../components/ConfirmButton";
import { formatLogTime } from "../../lib/format";
import { useTick } from "../../lib/useTick";
import { oldestText, outboxSummary } from "./tonnyView";

export function OutboxCard() {
  const { snapshot } = useSnapshot();
  const o = snapshot?.outbox ?? EMPTY_OUTBOX;
  const [open, setOpen] = useState(false);
  const [retrying, setRetrying] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const now = Date.now();
  const summary = outboxSummary(o, now);
  const waiting = o.pending + o.failed > 0;
  // A countdown needs the second; the age of the oldest command only the half minute; nothing waiting, no timer.
  useTick(summary.ticking ? 1000 : waiting ? 30_000 : null);
  const oldest = oldestText(o, now);

  const retryAll = async () => {
    setRetrying(true);
    setError(null);
    try {
      await backend.retryOutbox(0);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setRetrying(false);
    }
  };

  return (
    <Card withBorder padding="lg" data-testid="dashboard-outbox">
      <Group justify="space-between" align="flex-start" mb="sm" gap="sm">
        <Title order={4}>Outbox</Title>
        <Badge color={summary.color} variant="light" style={{ textTransform: "none", maxWidth: "70%" }} data-testid="outbox-summary">
          {summary.text}
        </Badge>
      </Group>
      <Stack gap="xs">
        <Group gap="lg">
          <Text size="sm" data-testid="outbox-pending">
            <b>{o.pending}</b> pending
          </Text>
          <Text size="sm" c={o.failed > 0 ? "red" : undefined} data-testid="outbox-failed">
            <b>{o.failed}</b> failed
          </Text>
          {oldest && (
            <Text size="sm" c="dimmed" data-testid="outbox-oldest">
              {oldest}
            </Text>
          )}
        </Group>
        {o.lastError && !o.blocked && waiting && (
          <Text size="xs" c="dimmed" style={{ wordBreak: "break-word" }} data-testid="outbox-last-error">
            Last problem: {o.lastError}
          </Text>
        )}
        {error && (
          <Text size="sm" c="red" data-testid="outbox-error">
            {error}
          </Text>
        )}
        <Group gap="xs">
          <Button size="xs" onClick={() => void retryAll()} loading={retrying} disabled={!waiting} data-testid="outbox-retry-all">
            Retry now
          </Button>
          <Button size="xs" variant="default" onClick={() => setOpen(true)} data-testid="outbox-show">
            Show
          </Button>
        </Group>
      </Stack>
      <Modal opened={open} onClose={() => setOpen(false)} title="Commands waiting for Tonny" size="xl" data-testid="outbox-list-dialog">
        {open && <OutboxList state={o} />}
      </Modal>
    </Card>
  );
}

/** The waiting commands, loaded on open and reloaded on every outbox:state while open. */
function OutboxList({ state }: { state: OutboxState }) {
  const [items, setItems] = useState<OutboxEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);

  const load = useCallback(async () => {
    try {
      const v = await backend.outbox();
      setItems(v.items);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  useEvent("outbox:state", () => void load());

  const act = async (id: number, f: (id: number) => Promise<void>) => {
    setBusy(id);
    setError(null);
    try {
      await f(id);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Stack gap="sm">
      {state.blocked && (
        <Alert color="red" title="Delivery is paused" data-testid="outbox-list-blocked">
          {state.blocked}
        </Alert>
      )}
      {error && (
        <Text size="sm" c="red" data-testid="outbox-list-error">
          {error}
        </Text>
      )}
      {items === null ? (
        !error && <Loader size="sm" />
      ) : items.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="outbox-list-empty">
          Nothing waits: every command was delivered.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing="xs" data-testid="outbox-list">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Command</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>Last error</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((it) => (
                <Table.Tr key={it.id} data-testid="outbox-item" data-id={it.id} data-status={it.status}>
                  <Table.Td style={{ wordBreak: "break-word" }}>
                    <Text size="sm">{it.text}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={it.status === "failed" ? "red" : "yellow"} variant="light">
                      {it.status}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{it.attempts}</Text>
                  </Table.Td>
                  <Table.Td style={{ wordBreak: "break-word" }}>
                    <Text size="xs" c="dimmed">
                      {it.lastError || "—"}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{it.createdAt ? formatLogTime(it.createdAt).slice(0, 19) : "—"}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap" justify="flex-end">
                      {it.status === "failed" && (
                        <Button
                          size="compact-xs"
                          variant="light"
                          loading={busy === it.id}
                          onClick={() => void act(it.id, backend.retryOutbox)}
                          data-testid={`outbox-retry-${it.id}`}
                        >
                          Retry
                        </Button>
                      )}
                      <ConfirmButton
                        size="compact-xs"
                        variant="subtle"
                        color="red"
                        title="Discard this command?"
                        body={`“${it.text}” will never reach Tonny.`}
                        confirmLabel="Discard"
                        testId={`outbox-discard-${it.id}`}
                        disabled={busy === it.id}
                        onConfirm={() => act(it.id, backend.discardOutbox)}
                      >
                        Discard
                      </ConfirmButton>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
