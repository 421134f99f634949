// Ask Tonny: type a command for the n8n workflow, then follow the latest command (Snapshot.lastCommand, kept
// current by command:state events) from "thinking" to its reply, or to why it waits in the outbox or failed.
// While Tonny speaks a reply (Snapshot.speech, kept current by speech:state events) the sentence shows with Stop.
import { useState } from "react";
import { Badge, Button, Card, Group, Loader, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { backend, errorMessage, isCue, useEvent, useSnapshot, type CommandState, type SpeechState } from "../../api";
import { commandBadge, formatLatency } from "./tonnyView";

export function TonnyCard() {
  const { snapshot } = useSnapshot();
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The command just sent, shown until its first command:state event arrives (which the snapshot then holds).
  const [sent, setSent] = useState<CommandState | null>(null);
  useEvent("command:state", () => setSent(null));

  const last = snapshot?.lastCommand;
  const shown = sent && last?.id !== sent.id ? sent : last && last.id !== "" ? last : null;

  const send = async () => {
    const t = text.trim();
    if (t === "" || sending) return;
    setSending(true);
    setError(null);
    try {
      const r = await backend.sendCommand(t);
      setText("");
      setSent({ id: r.id, text: t, status: r.status || "queued", reply: "", speak: false, message: "", attempts: 0, latencyMs: 0, at: "" });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSending(false);
    }
  };

  return (
    <Card withBorder padding="lg" data-testid="dashboard-last-command">
      <Title order={4} mb="sm">
        Ask Tonny
      </Title>
      <Stack gap="sm">
        <Group gap="xs" align="flex-start" wrap="nowrap">
          <TextInput
            style={{ flex: 1 }}
            placeholder="Ask Tonny something…"
            aria-label="Command for Tonny"
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.nativeEvent.isComposing) {
                e.preventDefault();
                void send();
              }
            }}
            error={error ?? undefined}
            errorProps={{ "data-testid": "tonny-send-error" }}
            data-testid="tonny-input"
          />
          <Button onClick={() => void send()} disabled={text.trim() === ""} loading={sending} data-testid="tonny-send">
            Send
          </Button>
        </Group>
        {snapshot?.speech.speaking && !isCue(snapshot.speech.id) && <Speaking s={snapshot.speech} />}
        {shown ? (
          <Command c={shown} />
        ) : (
          <Text c="dimmed" size="sm" data-testid="tonny-none">
            No command yet. Type one above or say it.
          </Text>
        )}
      </Stack>
    </Card>
  );
}

/** "Tonny is speaking", the sentence being said, and Stop (which also drops the rest of the reply). */
function Speaking({ s }: { s: SpeechState }) {
  const [stopping, setStopping] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const stop = async () => {
    setStopping(true);
    setError(null);
    try {
      await backend.stopSpeaking();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setStopping(false);
    }
  };
  return (
    <Paper withBorder p="xs" radius="sm" data-testid="tonny-speaking" data-id={s.id}>
      <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Group gap={6} wrap="nowrap">
            <Loader type="bars" size={12} color="teal" aria-hidden data-testid="tonny-speaking-indicator" />
            <Text size="sm" fw={500} c="teal">
              Tonny is speaking
            </Text>
          </Group>
          {s.text && (
            <Text size="sm" c="dimmed" fs="italic" style={{ wordBreak: "break-word" }} data-testid="tonny-speaking-text">
              “{s.text}”
            </Text>
          )}
          {error && (
            <Text size="xs" c="red" data-testid="tonny-stop-error">
              {error}
            </Text>
          )}
        </Stack>
        <Button size="compact-sm" variant="light" color="red" onClick={() => void stop()} loading={stopping} data-testid="tonny-stop">
          Stop
        </Button>
      </Group>
    </Paper>
  );
}

function Command({ c }: { c: CommandState }) {
  const badge = commandBadge(c);
  return (
    <Stack gap={6} data-testid="tonny-command" data-status={c.status}>
      <Group justify="space-between" align="flex-start" gap="xs" wrap="nowrap">
        <Text size="sm" fw={500} style={{ wordBreak: "break-word" }} data-testid="tonny-command-text">
          {c.text || "(no text)"}
        </Text>
        <Badge
          color={badge.color}
          variant="light"
          style={{ textTransform: "none", flexShrink: 0, maxWidth: "60%" }}
          leftSection={badge.busy ? <Loader size={10} color={badge.color} /> : undefined}
          data-testid="tonny-status"
        >
          {badge.label}
        </Badge>
      </Group>
      {c.status === "delivered" && (
        <>
          <Paper p="sm" radius="sm" bg="var(--mantine-color-blue-light)" data-testid="tonny-reply">
            <Text size="sm" style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
              {c.reply || "(an empty reply)"}
            </Text>
          </Paper>
          {c.latencyMs > 0 && (
            <Text size="xs" c="dimmed" data-testid="tonny-latency">
              Answered in {formatLatency(c.latencyMs)}
              {c.attempts > 1 ? ` after ${c.attempts} attempts` : ""}
            </Text>
          )}
        </>
      )}
      {c.status === "accepted" && c.latencyMs > 0 && (
        <Text size="xs" c="dimmed" data-testid="tonny-latency">
          Delivered in {formatLatency(c.latencyMs)}
        </Text>
      )}
      {(badge.waits || c.status === "failed" || c.status === "refused") && (
        <Text size="sm" c={badge.color === "yellow" ? "yellow.8" : "red"} style={{ wordBreak: "break-word" }} data-testid="tonny-message">
          {c.message || (c.status === "failed" ? "Tonny could not take this command." : "")}
          {badge.waits ? `${c.message ? " " : ""}The command waits in the outbox.` : ""}
        </Text>
      )}
    </Stack>
  );
}
