// The utterance in progress: committed text, then the volatile tail (dimmed, italic), whether TonnyTray is
// listening and in which mode, the speech server's lag, and Start/Stop listening. Renders on events only.
import { useState } from "react";
import { Badge, Button, Card, Group, Text, Title } from "@mantine/core";
import { backend, useLiveTranscript } from "../../api";
import { notifyFailure } from "../../components/notify";
import { formatLag, joinSeparator } from "./liveView";

export function LiveTranscriptCard() {
  const t = useLiveTranscript();
  const empty = t.committed === "" && t.volatile === "";

  return (
    <Card withBorder padding="lg" data-testid="live-transcript" data-listening={t.listening}>
      <Group justify="space-between" align="flex-start" mb="sm" gap="sm">
        <Title order={4}>Live transcript</Title>
        <Group gap="xs" wrap="nowrap">
          {t.lagMs !== null && (
            <Text size="xs" c={t.lagGrowing ? "orange.7" : "dimmed"} ff="monospace" data-testid="live-lag">
              {formatLag(t.lagMs)}
            </Text>
          )}
          <ListeningBadge listening={t.listening} processing={t.processing} mode={t.mode} />
        </Group>
      </Group>
      {t.lagGrowing && (
        <Badge color="orange" variant="light" mb="sm" data-testid="live-lag-warning" style={{ textTransform: "none" }}>
          The speech server can't keep up
        </Badge>
      )}
      <Text size="md" mb="md" style={{ wordBreak: "break-word", minHeight: "1.5em" }} data-testid="live-text">
        {empty ? (
          <Text span c="dimmed" size="sm">
            {t.listening ? "Speak now…" : "Nothing heard yet."}
          </Text>
        ) : (
          <>
            <span data-testid="live-committed">{t.committed}</span>
            {joinSeparator(t.committed, t.volatile)}
            <Text span c="dimmed" fs="italic" data-testid="live-volatile">
              {t.volatile}
            </Text>
          </>
        )}
      </Text>
      <ListenToggle listening={t.listening} />
    </Card>
  );
}

function ListeningBadge({ listening, processing, mode }: { listening: boolean; processing: boolean; mode: string }) {
  if (!listening && processing) {
    return (
      <Badge color="blue" variant="light" data-testid="listening-state" data-state="processing" aria-live="polite" style={{ textTransform: "none" }}>
        Transcribing…
      </Badge>
    );
  }
  return (
    <Badge
      color={listening ? "red" : "gray"}
      variant={listening ? "filled" : "light"}
      data-testid="listening-state"
      data-state={listening ? "listening" : "idle"}
      aria-live="polite"
      style={{ textTransform: "none" }}
    >
      {/* No animation: a listening app must not repaint for nothing. */}
      {listening ? `● Listening…${mode ? ` (${mode})` : ""}` : "Not listening"}
    </Badge>
  );
}

/** Starts or ends an utterance. The card follows listening:state events, not the call's answer. */
function ListenToggle({ listening }: { listening: boolean }) {
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    setBusy(true);
    try {
      await backend.toggleListening();
    } catch (e) {
      notifyFailure(listening ? "Could not stop listening" : "Could not start listening", e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button
      size="xs"
      variant={listening ? "default" : "filled"}
      color={listening ? undefined : "red"}
      loading={busy}
      style={{ alignSelf: "flex-start" }}
      onClick={() => void toggle()}
      data-testid="listen-toggle"
    >
      {listening ? "Stop listening" : "Start listening"}
    </Button>
  );
}
