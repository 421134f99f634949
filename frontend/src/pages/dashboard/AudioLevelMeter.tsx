// The microphone's level from audio:level events (about 15 a second, only while the microphone is open).
// With the microphone closed nothing arrives and nothing redraws.
import { useState } from "react";
import { Group, Progress, Stack, Text } from "@mantine/core";
import { useEvent, type AudioLevelPayload } from "../../api";

/** dBFS (−60 … 0) as a 0–100 bar; quieter than −60 dBFS shows as empty. */
export function levelPercent(dbfs: number): number {
  return Math.round(Math.min(100, Math.max(0, ((dbfs + 60) / 60) * 100)));
}

export function AudioLevelMeter() {
  const [level, setLevel] = useState<AudioLevelPayload | null>(null);
  useEvent("audio:level", (p) => setLevel(p));
  if (!level) {
    return (
      <Text size="sm" c="dimmed" data-testid="audio-level-idle">
        The microphone is closed. Its level shows while listening (or all the time with “keep the microphone warm”).
      </Text>
    );
  }
  const pct = levelPercent(level.rms);
  return (
    <Stack gap={4} data-testid="audio-level">
      <Progress value={pct} color={level.peak > -1 ? "red" : pct > 15 ? "teal" : "gray"} size="lg" transitionDuration={0} aria-label="Microphone level" />
      <Group justify="space-between">
        <Text size="xs" c="dimmed">{level.device || "default device"}</Text>
        <Text size="xs" c="dimmed" data-testid="audio-level-db">{level.rms.toFixed(0)} dBFS{level.peak > -1 ? " · clipping" : ""}</Text>
      </Group>
    </Stack>
  );
}
