// "Test microphone": records two seconds from a device and shows the level it heard, or the backend's refusal.
import { useState } from "react";
import { Button, Group, Text } from "@mantine/core";
import { backend, errorMessage } from "../../api";
import type { MicTest } from "../../api/backend";
import type { TestIds } from "./testIds";

const SETTINGS_IDS: TestIds = { button: "mic-test", result: "mic-test-result", error: "mic-test-error" };

interface Props {
  /** The device to record from; "" = the system default. */
  device: string;
  ids?: TestIds;
}

export function MicTestButton({ device, ids = SETTINGS_IDS }: Props) {
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<MicTest | null>(null);
  const [testError, setTestError] = useState<string | null>(null);

  const test = async () => {
    setTesting(true);
    setResult(null);
    setTestError(null);
    try {
      setResult(await backend.testMicrophone(device, 2));
    } catch (e) {
      setTestError(errorMessage(e));
    } finally {
      setTesting(false);
    }
  };

  return (
    <Group gap="sm">
      <Button size="xs" variant="default" onClick={test} loading={testing} data-testid={ids.button}>
        Test microphone
      </Button>
      {testing && <Text size="xs">Speak now…</Text>}
      {result && (
        <Text size="xs" c={result.sound ? "teal" : "red"} data-testid={ids.result} data-ok={result.sound}>
          {result.sound
            ? `Heard sound on “${result.device}”: peak ${result.peakDbfs.toFixed(0)} dBFS.`
            : `No sound from “${result.device}” in ${result.seconds} s: check that it is not muted.`}
          {result.notices.length > 0 ? ` ${result.notices.join(" ")}` : ""}
        </Text>
      )}
      {testError && (
        <Text size="xs" c="red" data-testid={ids.error} data-ok={false}>
          {testError}
        </Text>
      )}
    </Group>
  );
}
