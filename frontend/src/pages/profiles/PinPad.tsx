// The PIN pad for switching up to a profile: dots for the digits typed (never the digits), a phone-style
// keypad that also takes the physical keyboard, and the backend's wait after wrong PINs as a live countdown.
import { useState, type KeyboardEvent } from "react";
import { Box, Button, Group, Modal, SimpleGrid, Stack, Text } from "@mantine/core";
import { backend, toApiError, type AppState } from "../../api";
import { useTick } from "../../lib/useTick";

const MAX_DIGITS = 8;
const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9"] as const;

interface Props {
  /** The profile to switch to; null = closed. */
  name: string | null;
  onClose: () => void;
  onSwitched: (state: AppState) => void;
}

export function PinPad({ name, onClose, onSwitched }: Props) {
  return (
    <Modal opened={name !== null} onClose={onClose} title={`Enter the admin PIN to switch to ${name ?? ""}`} centered size="xs">
      {/* Keyed by name so another profile's pad starts empty. */}
      {name !== null && <PinPadBody key={name} name={name} onSwitched={onSwitched} />}
    </Modal>
  );
}

/** Seconds left until `until` (epoch ms), re-rendering each quarter second while there are some. */
function useCountdown(until: number): number {
  const left = Math.ceil((until - Date.now()) / 1000);
  useTick(left > 0 ? 250 : null);
  return Math.max(0, left);
}

function PinPadBody({ name, onSwitched }: { name: string; onSwitched: (state: AppState) => void }) {
  const [digits, setDigits] = useState("");
  const [error, setError] = useState("");
  const [lockedUntil, setLockedUntil] = useState(0);
  const [busy, setBusy] = useState(false);
  const waitS = useCountdown(lockedUntil);
  const disabled = busy || waitS > 0;

  const add = (d: string) => setDigits((s) => (s.length < MAX_DIGITS ? s + d : s));
  const back = () => setDigits((s) => s.slice(0, -1));
  const submit = async () => {
    if (digits === "" || disabled) return;
    setBusy(true);
    try {
      onSwitched(await backend.switchProfile(name, digits));
    } catch (e) {
      const err = toApiError(e);
      setDigits("");
      setError(err.message);
      setLockedUntil(err.retryAfterMs ? Date.now() + err.retryAfterMs : 0);
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (disabled) return;
    if (/^[0-9]$/.test(e.key)) add(e.key);
    else if (e.key === "Backspace") back();
    else if (e.key === "Enter") void submit();
    else return;
    // Handled here: Enter must not also click the focused key.
    e.preventDefault();
  };

  const key = (d: string) => (
    <Button key={d} size="xl" variant="default" disabled={disabled} onClick={() => add(d)} data-testid={`pin-digit-${d}`} aria-label={d}>
      {d}
    </Button>
  );

  return (
    <Stack
      // Focused when the modal opens (Mantine's data-autofocus), so the keyboard works at once.
      tabIndex={-1}
      data-autofocus
      onKeyDown={onKeyDown}
      gap="md"
      align="center"
      data-testid="pin-pad"
      style={{ outline: "none" }}
    >
      <PinDots count={digits.length} />
      {error && (
        <Text c="red" size="sm" role="alert" ta="center" data-testid="pin-error">
          {error}
        </Text>
      )}
      {waitS > 0 && (
        <Text size="sm" c="dimmed" aria-live="polite" data-testid="pin-wait">
          Try again in {waitS} s
        </Text>
      )}
      <SimpleGrid cols={3} spacing="sm" w="100%">
        {KEYS.map(key)}
        <Button size="xl" variant="default" disabled={disabled || digits === ""} onClick={back} aria-label="Delete last digit" data-testid="pin-backspace">
          ⌫
        </Button>
        {key("0")}
        <Button size="xl" disabled={disabled || digits === ""} loading={busy} onClick={() => void submit()} aria-label="OK" data-testid="pin-submit">
          OK
        </Button>
      </SimpleGrid>
    </Stack>
  );
}

/** One dot per digit typed, at least four places. */
function PinDots({ count }: { count: number }) {
  const places = Math.max(4, count);
  return (
    <Group gap="xs" data-testid="pin-dots" data-count={count} aria-label={`${count} digits entered`} role="status">
      {Array.from({ length: places }, (_, i) => (
        <Box
          key={i}
          w={14}
          h={14}
          style={{
            borderRadius: "50%",
            border: "2px solid var(--mantine-color-blue-6)",
            background: i < count ? "var(--mantine-color-blue-6)" : "transparent",
          }}
        />
      ))}
    </Group>
  );
}
