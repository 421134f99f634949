// The Dashboard: the speech server, services, the live transcript and last utterance, the audio level, Ask Tonny
// with the latest command and the outbox, keychain, storage and the system check.
import type { ReactNode } from "react";
import { Alert, Badge, Card, Code, Group, Loader, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useSnapshot, type Snapshot } from "../../api";
import { formatBytes } from "../../lib/format";
import { AudioLevelMeter } from "./AudioLevelMeter";
import { LastUtteranceCard } from "./LastUtteranceCard";
import { LiveTranscriptCard } from "./LiveTranscriptCard";
import { OutboxCard } from "./OutboxCard";
import { ServiceCards } from "./ServiceCards";
import { SpeechServerCard } from "./SpeechServerCard";
import { SystemCheck } from "./SystemCheck";
import { TonnyCard } from "./TonnyCard";

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Card withBorder padding="lg" data-testid={testId}>
      <Title order={4} mb="sm">
        {title}
      </Title>
      {children}
    </Card>
  );
}

export function DashboardPage() {
  const { snapshot, error, loading } = useSnapshot();
  if (!snapshot) {
    return (
      <Stack>
        <Title order={2}>Dashboard</Title>
        {error ? (
          <Alert color="red" title="The backend state could not be loaded">
            {error.message}
          </Alert>
        ) : (
          loading && <Loader size="sm" />
        )}
      </Stack>
    );
  }
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={2}>Dashboard</Title>
        <Text size="sm" c="dimmed">
          TonnyTray {snapshot.version}
        </Text>
      </Group>
      <SpeechServerCard server={snapshot.server} />
      <Section title="Services" testId="dashboard-services">
        <ServiceCards services={snapshot.services} />
      </Section>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <LiveTranscriptCard />
        <LastUtteranceCard />
        <Section title="Audio level" testId="dashboard-audio-level">
          <AudioLevelMeter />
        </Section>
        <TonnyCard />
        <OutboxCard />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Section title="Keychain" testId="dashboard-keychain">
          <KeychainInfo snapshot={snapshot} />
        </Section>
        <Section title="Storage" testId="dashboard-store">
          <StoreInfo snapshot={snapshot} />
        </Section>
      </SimpleGrid>
      <Section title="System check" testId="dashboard-doctor">
        <SystemCheck />
      </Section>
    </Stack>
  );
}

function KeychainInfo({ snapshot }: { snapshot: Snapshot }) {
  const k = snapshot.keychain;
  return (
    <Stack gap={6}>
      <Group gap="sm">
        <Text size="sm">Backend</Text>
        <Code>{k.backend || "—"}</Code>
        <Badge color={k.ok ? "teal" : "red"} variant="light">
          {k.ok ? "OK" : "Not available"}
        </Badge>
      </Group>
      {k.detail && (
        <Text size="sm" c="dimmed">
          {k.detail}
        </Text>
      )}
    </Stack>
  );
}

function StoreInfo({ snapshot }: { snapshot: Snapshot }) {
  const { store, paths } = snapshot;
  const rows = Object.entries(store.rows).sort(([a], [b]) => a.localeCompare(b));
  return (
    <Stack gap="xs">
      <Text size="sm">
        <Code>{store.path || paths.database}</Code> · {formatBytes(store.sizeBytes)}
      </Text>
      {rows.length > 0 && (
        <Table withRowBorders={false} verticalSpacing={2} data-testid="dashboard-store-rows">
          <Table.Tbody>
            {rows.map(([table, n]) => (
              <Table.Tr key={table}>
                <Table.Td>
                  <Text size="sm">{table}</Text>
                </Table.Td>
                <Table.Td ta="right">
                  <Text size="sm" ff="monospace">
                    {n.toLocaleString()}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Text size="xs" c="dimmed">
        Log file <Code>{paths.logFile || "—"}</Code>
      </Text>
      <Text size="xs" c="dimmed">
        Control socket <Code>{paths.socket || "—"}</Code>
      </Text>
      {(snapshot.eventsDropped > 0 || (snapshot.logsDropped ?? 0) > 0) && (
        <Text size="xs" c="yellow.8">
          {snapshot.eventsDropped} event(s) and {snapshot.logsDropped ?? 0} log record(s) were dropped under load.
        </Text>
      )}
    </Stack>
  );
}
