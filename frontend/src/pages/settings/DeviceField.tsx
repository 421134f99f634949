// An audio device picker: the devices PortAudio sees (a name may also be typed, for a device that is not
// plugged in right now), and for microphones a "Test microphone" that records two seconds and shows the level.
import { useEffect, useState } from "react";
import { Autocomplete, Stack } from "@mantine/core";
import { backend, errorMessage } from "../../api";
import { MicTestButton } from "./MicTestButton";
import type { FieldSpec } from "./schema";
import type { TestIds } from "./testIds";

interface Props {
  spec: Extract<FieldSpec, { kind: "device" }>;
  value: unknown;
  error?: string;
  onChange: (path: string, value: unknown) => void;
  /** The microphone test's ids, when not Settings' own. */
  micTestIds?: TestIds;
}

export function DeviceField({ spec, value, error, onChange, micTestIds }: Props) {
  const [names, setNames] = useState<string[]>([]);
  const [listError, setListError] = useState<string | null>(null);
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
      {spec.direction === "input" && <MicTestButton device={v} ids={micTestIds} />}
    </Stack>
  );
}
