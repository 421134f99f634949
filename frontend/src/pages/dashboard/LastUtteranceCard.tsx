// The last finished utterance (transcript:final): its text and mode, the error if the session failed (with
// what was heard before it), where the time went from the key press to the final text, and what became of the
// last dictation (dictation:done).
import { useState } from "react";
import { Alert, Badge, Card, Group, Progress, Table, Text, Title } from "@mantine/core";
import { useEvent, useLastUtterance, type Dictation, type TranscriptFinalPayload } from "../../api";
import { formatStepMs, latencySteps } from "./liveView";
import { dictationOutcome } from "./tonnyView";

export function LastUtteranceCard() {
  const last = useLastUtterance();
  // Failures also arrive as app:notice (NoticeListener); here only the outcome, next to the utterance.
  const [dictation, setDictation] = useState<Dictation | null>(null);
  useEvent("dictation:done", setDictation);
  return (
    <Card withBorder padding="lg" data-testid="last-utterance" data-state={last ? (last.error ? "error" : "ok") : "none"}>
      <Group justify="space-between" align="flex-start" mb="sm" gap="sm">
        <Title order={4}>Last utterance</Title>
        {last?.mode && (
          <Badge variant="light" style={{ textTransform: "none" }} data-testid="last-utterance-mode">
            {last.mode}
          </Badge>
        )}
      </Group>
      {last ? (
        <Utterance u={last} />
      ) : (
        <Text c="dimmed" size="sm">
          Nothing said yet.
        </Text>
      )}
      {dictation && <LastDictation d={dictation} />}
    </Card>
  );
}

function Utterance({ u }: { u: TranscriptFinalPayload }) {
  return (
    <>
      {u.error ? (
        <Alert color="red" title="The utterance failed" mb="sm" data-testid="last-utterance-error">
          <Text size="sm" style={{ wordBreak: "break-word" }}>
            {u.error}
          </Text>
          {u.text && (
            <Text size="sm" mt={4} style={{ wordBreak: "break-word" }}>
              Heard so far: <span data-testid="last-utterance-text">{u.text}</span>
            </Text>
          )}
        </Alert>
      ) : u.text ? (
        <Text mb="sm" style={{ wordBreak: "break-word" }} data-testid="last-utterance-text">
          {u.text}
        </Text>
      ) : (
        <Text mb="sm" c="dimmed" size="sm" data-testid="last-utterance-text">
          (nothing heard)
        </Text>
      )}
      <LatencyTable u={u} />
    </>
  );
}

function LatencyTable({ u }: { u: TranscriptFinalPayload }) {
  const steps = latencySteps(u.timings);
  return (
    <Table withRowBorders={false} verticalSpacing={2} horizontalSpacing="xs" data-testid="latency">
      <Table.Tbody>
        {steps.map((s) => (
          <Table.Tr key={s.key} data-testid="latency-row" data-step={s.key} data-ms={s.ms}>
            <Table.Td w="30%">
              <Text size="xs">{s.label}</Text>
            </Table.Td>
            <Table.Td>
              <Progress value={s.percent} size="sm" color={s.ms < 0 ? "gray" : "blue"} aria-label={`${s.label} at ${formatStepMs(s.ms)}`} />
            </Table.Td>
            <Table.Td ta="right" w="20%">
              <Text size="xs" ff="monospace" c={s.ms < 0 ? "dimmed" : undefined}>
                {formatStepMs(s.ms)}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function LastDictation({ d }: { d: Dictation }) {
  const failed = d.status === "failed";
  return (
    <Text size="xs" mt="sm" c={failed ? "red" : "dimmed"} style={{ wordBreak: "break-word" }} data-testid="last-dictation" data-status={d.status}>
      Last dictation{d.text ? ` “${d.text.length > 80 ? `${d.text.slice(0, 80)}…` : d.text}”` : ""}: {dictationOutcome(d)}
    </Text>
  );
}
