// The speech server (WhisperLiveKit) on the Dashboard: its state as server:state events report it, and
// Start / Stop / Restart. Clocks re-render the card only while they change what it shows: every second while
// the model loads, every 30 s for a running server's uptime, never otherwise (the app must idle cheaply).
import { useState, type ReactNode } from "react";
import { Alert, Badge, Button, Card, Code, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { backend, type ServerAction, type ServerState } from "../../api";
import { notifyFailure } from "../../components/notify";
import { formatElapsed, formatLogTime, formatUptime, parseTime } from "../../lib/format";
import { useTick } from "../../lib/useTick";
import { serverActions, serverBadge, tickInterval } from "./serverView";

const VERB: Record<ServerAction, string> = { start: "start", stop: "stop", restart: "restart" };
const LABEL: Record<ServerAction, string> = { start: "Start", stop: "Stop", restart: "Restart" };

export function SpeechServerCard({ server }: { server: ServerState }) {
  useTick(tickInterval(server));
  // Times are read at render: the tick above (or a new state) is what brings a new render.
  const now = Date.now();
  const badge = serverBadge(server, now);
  const since = parseTime(server.since);
  const started = parseTime(server.startedAt);
  const starting = server.state === "starting";
  const uptime = server.state === "running" && started !== null ? formatUptime(now - started) : null;

  return (
    <Card withBorder padding="lg" data-testid="server-card">
      <Group justify="space-between" align="flex-start" mb="sm" gap="sm">
        <Title order={4}>Speech server</Title>
        <Group gap="xs" wrap="nowrap">
          <Badge
            color={badge.color}
            size="lg"
            variant={server.state === "stopped" ? "outline" : "light"}
            tt="none"
            h="auto"
            py={2}
            styles={{ label: { whiteSpace: "normal" } }}
            data-testid="server-state"
            data-state={server.state}
            data-external={server.external ? "true" : "false"}
          >
            {badge.label}
          </Badge>
          {starting && since !== null && (
            <Text size="sm" ff="monospace" data-testid="server-elapsed" aria-label="Loading for">
              {formatElapsed(now - since)}
            </Text>
          )}
        </Group>
      </Group>
      <Stack gap="sm">
        {starting && (
          <Text size="sm" c="dimmed">
            The first start downloads the model and can take several minutes.
          </Text>
        )}
        {server.state === "failed" && (
          <Alert color="red" title="The speech server failed">
            <Text size="sm" style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }} data-testid="server-reason">
              {server.reason || server.lastError || "No reason was reported."}
            </Text>
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="xs" verticalSpacing={4}>
          <Field label="Address">{server.address ? <Code>{server.address}</Code> : "—"}</Field>
          <Field label="Version">{server.version || "unknown"}</Field>
          <Field label="Model">{server.model || "—"}</Field>
          <Field label="PID">{server.pid > 0 ? String(server.pid) : "—"}</Field>
          <Field label="Uptime">
            {uptime !== null ? (
              <span title={`since ${formatLogTime(server.startedAt)}`} data-testid="server-uptime">
                {uptime}
              </span>
            ) : (
              "—"
            )}
          </Field>
          <Field label="Restarts">{String(server.restarts)}</Field>
        </SimpleGrid>
        {server.lastError && !(server.state === "failed" && (server.reason === "" || server.reason === server.lastError)) && (
          <Text size="sm" c="red.7" style={{ wordBreak: "break-word" }} data-testid="server-last-error">
            Last error: {server.lastError}
          </Text>
        )}
        {server.warnings.length > 0 && (
          <Alert color="yellow" title="Warnings" data-testid="server-warnings">
            <Stack gap={2}>
              {server.warnings.map((w) => (
                <Text size="sm" key={w}>
                  {w}
                </Text>
              ))}
            </Stack>
          </Alert>
        )}
        {server.lastLines.length > 0 && (
          <details data-testid="server-last-output">
            <summary style={{ cursor: "pointer" }}>
              <Text span size="sm">
                Last output ({server.lastLines.length} line{server.lastLines.length === 1 ? "" : "s"})
              </Text>
            </summary>
            <Code block mt="xs" style={{ whiteSpace: "pre-wrap", wordBreak: "break-all", maxHeight: 320, overflow: "auto" }}>
              {server.lastLines.join("\n")}
            </Code>
          </details>
        )}
        <ServerButtons server={server} />
      </Stack>
    </Card>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap={6} wrap="nowrap" align="baseline">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div" style={{ wordBreak: "break-word", minWidth: 0 }}>
        {children}
      </Text>
    </Group>
  );
}

function ServerButtons({ server }: { server: ServerState }) {
  const [pending, setPending] = useState<ServerAction | null>(null);
  const allowed = serverActions(server);

  // The card follows server:state events; the call's own answer is not applied, since an event with a newer
  // state may already have arrived and must not be overwritten by this older one.
  const run = async (action: ServerAction) => {
    setPending(action);
    try {
      await backend.controlSpeechServer(action);
    } catch (e) {
      notifyFailure(`Could not ${VERB[action]} the speech server`, e);
    } finally {
      setPending(null);
    }
  };

  return (
    <Stack gap={4}>
      <Group gap="xs">
        {(["start", "stop", "restart"] as const).map((a) => (
          <Button
            key={a}
            size="xs"
            variant={a === "start" ? "filled" : "default"}
            loading={pending === a}
            disabled={!allowed[a] || (pending !== null && pending !== a)}
            onClick={() => void run(a)}
            data-testid={`server-${a}`}
          >
            {LABEL[a]}
          </Button>
        ))}
      </Group>
      {server.external && (
        <Text size="xs" c="dimmed">
          TonnyTray did not start this server, so it never stops or restarts it.
        </Text>
      )}
    </Stack>
  );
}
