// "Test connection" under the n8n settings: one round trip to the webhook (outside the outbox) and its verdict.
import { useState } from "react";
import { Button, Group, Paper, Stack, Text } from "@mantine/core";
import { backend, errorMessage, type N8NTest } from "../../api";
import { formatLatency } from "../dashboard/tonnyView";
import type { TestIds } from "./testIds";

const SETTINGS_IDS: TestIds = { button: "n8n-test", result: "n8n-test-result", error: "n8n-test-error" };

interface Props {
  /** The form has unsaved edits (the test uses the saved settings). */
  dirty: boolean;
  /** Runs before the test (the wizard saves what was typed); when it throws, its error is shown instead. */
  prepare?: () => Promise<void>;
  ids?: TestIds;
}

export function N8NTestSection({ dirty, prepare, ids = SETTINGS_IDS }: Props) {
  const [busy, setBusy] = useState(false);
  const [verdict, setVerdict] = useState<N8NTest | null>(null);
  const [error, setError] = useState<string | null>(null);

  const test = async () => {
    setBusy(true);
    setVerdict(null);
    setError(null);
    try {
      await prepare?.();
      setVerdict(await backend.testN8N());
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder p="md" data-testid="n8n-test-section">
      <Stack gap="xs">
        <Group gap="sm">
          <Button size="xs" variant="default" onClick={() => void test()} loading={busy} data-testid={ids.button}>
            Test connection
          </Button>
          <Text size="xs" c="dimmed">
            {prepare
              ? "Saves the settings above, then sends one test request to the webhook."
              : `Sends one test request to the webhook${dirty ? " with the saved settings: save your changes first to test them" : ""}.`}
          </Text>
        </Group>
        {verdict &&
          (verdict.ok ? (
            <Stack gap={4} data-testid={ids.result} data-ok="true">
              <Text size="sm" c="teal">
                ✓ {verdict.message || "Tonny answered."}
                {verdict.latencyMs > 0 ? ` (${formatLatency(verdict.latencyMs)})` : ""}
              </Text>
              {verdict.reply && (
                <Text size="sm" c="dimmed" style={{ wordBreak: "break-word" }} data-testid="n8n-test-reply">
                  Reply: {verdict.reply}
                </Text>
              )}
            </Stack>
          ) : (
            <Text size="sm" c="red" style={{ wordBreak: "break-word" }} data-testid={ids.result} data-ok="false">
              ✗ {verdict.message || "The test failed."}
              {verdict.status > 0 ? ` (HTTP ${verdict.status})` : ""}
            </Text>
          ))}
        {error && (
          <Text size="sm" c="red" data-testid={ids.error}>
            {error}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
