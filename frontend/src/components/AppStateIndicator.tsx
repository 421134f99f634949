// What TonnyTray is doing, on every page: a coloured dot and a word in the header (the tray icon's state, with the
// active profile), a Pause/Resume button, and, while paused, a yellow banner nobody can miss.
import { useState } from "react";
import { Alert, Anchor, Box, Button, Group, Text, Tooltip } from "@mantine/core";
import { backend, useSnapshot, type AppState } from "../api";
import { notifyFailure } from "./notify";

const LOOK: Record<string, { color: string; label: string }> = {
  paused: { color: "yellow", label: "Paused" },
  error: { color: "red", label: "Needs attention" },
  listening: { color: "red", label: "Listening" },
  speaking: { color: "violet", label: "Tonny is speaking" },
  processing: { color: "blue", label: "Transcribing…" },
  idle: { color: "gray", label: "Idle" },
};

/** The words for a state: "Needs attention: <detail>" for an error; an unknown state is shown as it is. */
export function appStateLabel(s: AppState): string {
  const look = LOOK[s.state];
  if (!look) return s.state;
  if (s.state === "error" && s.detail) return `${look.label}: ${s.detail}`;
  return look.label;
}

/** Pauses or resumes, putting the answer in place at once (the app:state event follows anyway). */
function usePauseToggle() {
  const { setAppState } = useSnapshot();
  const [busy, setBusy] = useState(false);
  const run = async (paused: boolean) => {
    setBusy(true);
    try {
      setAppState(await backend.pause(paused));
    } catch (e) {
      notifyFailure(paused ? "Could not pause" : "Could not resume", e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, run };
}

/** The header's state: dot, words, profile, Pause/Resume. Nothing until the first snapshot. */
export function AppStateIndicator() {
  const { snapshot } = useSnapshot();
  const { busy, run } = usePauseToggle();
  if (!snapshot) return null;
  const s = snapshot.state;
  const paused = s.state === "paused";
  const color = LOOK[s.state]?.color ?? "gray";
  const label = appStateLabel(s);
  return (
    <Group gap="sm" wrap="nowrap" justify="flex-end" data-testid="app-state" data-state={s.state} style={{ minWidth: 0, flex: 1 }}>
      <Box
        w={10}
        h={10}
        bg={`var(--mantine-color-${color}-6)`}
        style={{ borderRadius: "50%", flexShrink: 0 }}
        aria-hidden
        data-testid="app-state-dot"
        data-color={color}
      />
      <Tooltip label={s.detail} disabled={!s.detail || s.state === "error"} multiline w={320}>
        <Text size="sm" fw={500} truncate="end" aria-live="polite" data-testid="app-state-label" style={{ minWidth: 0 }}>
          {label}
        </Text>
      </Tooltip>
      {s.profile && (
        // Who is active must stay readable, so the state's words give way first; it leads to the family screen.
        <Anchor
          href="#/profiles"
          size="xs"
          c="dimmed"
          data-testid="app-state-profile"
          visibleFrom="xs"
          style={{ flexShrink: 0, whiteSpace: "nowrap" }}
        >
          Profile: {s.profile}
        </Anchor>
      )}
      <Button
        size="compact-xs"
        variant={paused ? "filled" : "default"}
        color={paused ? "yellow" : undefined}
        loading={busy}
        onClick={() => void run(!paused)}
        data-testid="app-pause-toggle"
        style={{ flexShrink: 0 }}
      >
        {paused ? "Resume" : "Pause"}
      </Button>
    </Group>
  );
}

/** The yellow banner above every page while paused, with Resume. */
export function PausedBanner() {
  const { snapshot } = useSnapshot();
  const { busy, run } = usePauseToggle();
  if (snapshot?.state.state !== "paused") return null;
  return (
    <Alert color="yellow" variant="filled" mb="md" title="TonnyTray is paused — nothing listens" data-testid="banner-paused">
      <Group justify="space-between" gap="sm">
        <Text size="sm">
          {snapshot.state.detail || "Shortcuts, voice activation and the microphone are off until you resume."}
        </Text>
        <Button size="xs" variant="white" color="yellow" loading={busy} onClick={() => void run(false)} data-testid="banner-resume">
          Resume
        </Button>
      </Group>
    </Alert>
  );
}
