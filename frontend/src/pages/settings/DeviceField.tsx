// An audio device picker: the devices PortAudio sees (a name may also be typed, for a device that is not
// plugged in right now), and for microphones a "Test microphone" that records two seconds and shows the level.
import { useEffect, useState } from "react";
import { Autocomplete, Button, Group, Stack, Text } from "@mantine/core";
import { backend, errorMessage } from "../../api";
import type { MicTest } from "../../api/backend";
import type { FieldSpec } from "./schema";

interface Props {
  spec: Extract<FieldSpec, { kind: "device" }>;
  value: unknown;
  error?: string;
  onChange: (path: string, value: unknown) => void;
}

export function DeviceField({ spec, value, error, onChange }: Props) {
  const [names, setNames] = useState<string[]>([]);
  const [listError, setListError] = useState<string | null>(null);
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<MicTest | null>(null);
  const [testError, setTestError] = useState<string | null>(null);
  const v = typeof value === "string" ? value : "";

  useEffect(() => {
    let live = true;
    backend
      .audioDevices()
      .then((list) => {
        if (!live) return;
        const wanted = list.filter((d) => (spec.direction === "input" ? d.inputChannels > 0 : d.outputChannels > 0));
        setNames(wanted.map((d) => d.name));
      })
      .catch((e) => live && setListError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [spec.direction]);

  const test = async () => {
    setTesting(true);
    setResult(null);
    setTestError(null);
    try {
      setResult(await backend.testMicrophone(v, 2));
    } catch (e) {
      setTestError(errorMessage(e));
    } finally {
      setTesting(false);
    }
  };

  return (
    <Stack gap={4}>
      <Autocomplete
        label={spec.label}
        description={listError ? `${spec.description ?? ""} (could not list devices: ${listError})` : spec.description}
        data={names}
        value={v}
        placeholder="system default"
        onChange={(x) => onChange(spec.path, x)}
        error={error}
        errorProps={{ "data-testid": `field-error-${spec.path}` }}
        data-testid={`field-${spec.path}`}
        spellCheck={false}
        autoComplete="off"
      />
      {spec.direction === "input" && (
        <Group gap="sm">
          <Button size="xs" variant="default" onClick={test} loading={testing} data-testid="mic-test">
            Test microphone
          </Button>
          {testing && <Text size="xs">Speak now…</Text>}
          {result && (
            <Text size="xs" c={result.sound ? "teal" : "red"} data-testid="mic-test-result">
              {result.sound
                ? `Heard sound on “${result.device}”: peak ${result.peakDbfs.toFixed(0)} dBFS.`
                : `No sound from “${result.device}” in ${result.seconds} s: check that it is not muted.`}
              {result.notices.length > 0 ? ` ${result.notices.join(" ")}` : ""}
            </Text>
          )}
          {testError && (
            <Text size="xs" c="red" data-testid="mic-test-error">
              {testError}
            </Text>
          )}
        </Group>
      )}
    </Stack>
  );
}
