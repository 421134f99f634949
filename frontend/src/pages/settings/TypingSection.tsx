// Under the typing settings: what can insert text on this desktop session (TypingStatus), and "Test insertion",
// which gives the user three seconds to click into a text field and then types a test phrase there.
import { useCallback, useEffect, useRef, useState } from "react";
import { Badge, Button, Group, Loader, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { backend, errorMessage, type Dictation, type TypingStatus } from "../../api";
import { dictationOutcome } from "../dashboard/tonnyView";

/** How long the user has to click into a text field. */
export const TEST_DELAY_MS = 3000;

export function TypingSection() {
  return (
    <Stack gap="md">
      <Detection />
      <TestInsertion />
    </Stack>
  );
}

function Detection() {
  const [status, setStatus] = useState<TypingStatus | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const detect = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setStatus((await backend.typingStatus()) ?? null);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void detect();
  }, [detect]);

  return (
    <Paper withBorder p="md" data-testid="typing-detection">
      <Group justify="space-between" mb="xs">
        <Title order={5}>Detected on this desktop</Title>
        <Button size="compact-xs" variant="subtle" onClick={() => void detect()} loading={loading} data-testid="typing-detect">
          Detect again
        </Button>
      </Group>
      {error && (
        <Text size="sm" c="red" data-testid="typing-detection-error">
          {error}
        </Text>
      )}
      {!status && loading && <Loader size="sm" />}
      {status && (
        <Stack gap="xs">
          <Text size="sm" data-testid="typing-summary">
            {status.summary || "Nothing detected."}
          </Text>
          <Group gap="xs">
            {status.session && <Badge variant="light">{status.session}</Badge>}
            {status.desktop && <Badge variant="light" color="gray">{status.desktop}</Badge>}
            <Badge variant="light" color={status.chosen ? "teal" : "red"} style={{ textTransform: "none" }} data-testid="typing-chosen">
              {status.chosen ? `using ${status.chosen}` : "no method works here"}
            </Badge>
            {status.clipboard && (
              <Badge variant="light" color="gray" style={{ textTransform: "none" }}>
                clipboard: {status.clipboard}
              </Badge>
            )}
          </Group>
          {status.methods.length > 0 && (
            <Table withRowBorders={false} verticalSpacing={2} data-testid="typing-methods">
              <Table.Tbody>
                {status.methods.map((m) => (
                  <Table.Tr key={m.method} data-testid="typing-method" data-method={m.method} data-available={m.available}>
                    <Table.Td w={28}>
                      <Text size="sm" c={m.available ? "teal" : "red"} aria-label={m.available ? "available" : "not available"}>
                        {m.available ? "✓" : "✗"}
                      </Text>
                    </Table.Td>
                    <Table.Td w="25%">
                      <Text size="sm" ff="monospace">
                        {m.method}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" c="dimmed">
                        {m.reason || (m.available ? "available" : "")}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      )}
    </Paper>
  );
}

function TestInsertion() {
  const [left, setLeft] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Dictation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setInterval> | undefined>(undefined);
  useEffect(() => () => clearInterval(timer.current), []);

  // The backend waits the delay itself; the countdown only tells the user how long is left.
  const test = async () => {
    setBusy(true);
    setResult(null);
    setError(null);
    let n = Math.round(TEST_DELAY_MS / 1000);
    setLeft(n);
    clearInterval(timer.current);
    timer.current = setInterval(() => {
      n -= 1;
      setLeft(n > 0 ? n : 0);
      if (n <= 0) clearInterval(timer.current);
    }, 1000);
    try {
      setResult(await backend.testTyping(TEST_DELAY_MS));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      clearInterval(timer.current);
      setLeft(null);
      setBusy(false);
    }
  };

  return (
    <Paper withBorder p="md" data-testid="typing-test-section">
      <Stack gap="xs">
        <Group gap="sm">
          <Button size="xs" variant="default" onClick={() => void test()} loading={busy} data-testid="typing-test">
            Test insertion
          </Button>
          <Text size="xs" c="dimmed">
            Types a test phrase into the window you click within {TEST_DELAY_MS / 1000} seconds (uses the saved settings).
          </Text>
        </Group>
        {left !== null && (
          <Text size="sm" fw={500} data-testid="typing-test-countdown">
            {left > 0 ? `Click into a text field… ${left}` : "Typing…"}
          </Text>
        )}
        {result && (
          <Text size="sm" c={result.status === "failed" ? "red" : "teal"} style={{ wordBreak: "break-word" }} data-testid="typing-test-result" data-status={result.status}>
            {result.status === "failed" ? "✗ " : "✓ "}
            {result.text ? `“${result.text}”: ` : ""}
            {dictationOutcome(result)}
          </Text>
        )}
        {error && (
          <Text size="sm" c="red" data-testid="typing-test-error">
            {error}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
