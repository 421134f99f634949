// Under the hotkey settings: whether TonnyTray's global shortcuts work on this desktop session (HotkeyStatus), which
// bindings another application holds, and, where grabbing keys is impossible (Wayland, no X display), the commands
// to bind in the desktop's own shortcut settings instead.
import { useCallback, useEffect, useRef, useState } from "react";
import { Alert, Badge, Button, Code, CopyButton, Group, Loader, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { backend, errorMessage, useEvent, useSnapshot, type HotkeyStatus } from "../../api";
import { BINDINGS, bindingKey, bindingLabel, hyprLines, splitCommand, swayLines } from "./hotkeyBinding";

/** How long after a save the shortcuts are looked at again (the backend rebinds them in the background). */
const RECHECK_AFTER_SAVE_MS = 500;

export function HotkeySection() {
  const { snapshot } = useSnapshot();
  const keys = snapshot?.settings.hotkeys;
  const [status, setStatus] = useState<HotkeyStatus | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const check = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setStatus(await backend.hotkeyStatus());
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void check();
  }, [check]);

  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  useEvent("settings:changed", (p) => {
    if (!p.changed.some((f) => f.startsWith("hotkeys"))) return;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void check(), RECHECK_AFTER_SAVE_MS);
  });

  const conflicts = status ? Object.entries(status.conflicts) : [];
  return (
    <Paper withBorder p="md" data-testid="hotkey-status">
      <Group justify="space-between" mb="xs">
        <Title order={5}>Global shortcuts on this desktop</Title>
        <Button size="compact-xs" variant="subtle" onClick={() => void check()} loading={loading} data-testid="hotkey-check">
          Check again
        </Button>
      </Group>
      {error && (
        <Text size="sm" c="red" data-testid="hotkey-error">
          {error}
        </Text>
      )}
      {!status && loading && <Loader size="sm" />}
      {status && (
        <Stack gap="xs">
          {status.available ? (
            <>
              <Text size="sm" c="teal" data-testid="hotkey-available">
                ✓ Global shortcuts work on this desktop
              </Text>
              {status.active.length > 0 ? (
                <Group gap="xs" data-testid="hotkey-active">
                  {status.active.map((name) => (
                    <Badge key={name} variant="light" color="teal" style={{ textTransform: "none" }} data-testid="hotkey-active-binding" data-binding={name}>
                      {bindingLabel(name)}
                      {bindingKey(keys, name) ? `: ${bindingKey(keys, name)}` : ""}
                    </Badge>
                  ))}
                </Group>
              ) : (
                conflicts.length === 0 && (
                  <Text size="sm" c="dimmed" data-testid="hotkey-none">
                    No shortcut is set.
                  </Text>
                )
              )}
              {status.reason && (
                <Text size="sm" c="orange.7" data-testid="hotkey-caveat">
                  {status.reason}
                </Text>
              )}
            </>
          ) : (
            <Alert color="orange" title="TonnyTray cannot grab global shortcuts here" data-testid="hotkey-unavailable">
              <Text size="sm" data-testid="hotkey-reason">
                {status.reason || "Global shortcuts are not available on this desktop session."}
              </Text>
            </Alert>
          )}
          {conflicts.map(([name, why]) => (
            <Text key={name} size="sm" c="red" data-testid="hotkey-conflict" data-binding={name}>
              ✗ {bindingLabel(name)}: {why || `${bindingKey(keys, name) || name} is already taken by another application`} — choose
              another key
            </Text>
          ))}
          {!status.available && <CommandsToBind commands={status.commands} keyOf={(n) => bindingKey(keys, n)} />}
        </Stack>
      )}
    </Paper>
  );
}

function Copy({ value, label = "Copy", testId }: { value: string; label?: string; testId?: string }) {
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Button size="compact-xs" variant="light" color={copied ? "teal" : "gray"} onClick={copy} data-testid={testId}>
          {copied ? "Copied" : label}
        </Button>
      )}
    </CopyButton>
  );
}

/** The commands to bind in the desktop's own shortcut settings, with where that is on the common desktops. */
function CommandsToBind({ commands, keyOf }: { commands: Record<string, string>; keyOf: (name: string) => string }) {
  const rows = BINDINGS.filter((b) => commands[b.name]).map((b) => ({ ...b, key: keyOf(b.name), command: commands[b.name] }));
  if (rows.length === 0) return null;
  const bound = rows.filter((r) => r.key);
  const lines = (f: (key: string, cmd: string) => string[]) => (bound.length > 0 ? bound : rows).flatMap((r) => f(r.key, r.command)).join("\n");
  const sway = lines(swayLines);
  const hypr = lines(hyprLines);
  const all = rows.map((r) => `# ${r.label}${r.key ? ` (${r.key})` : ""}\n${splitCommand(r.command).press}${splitCommand(r.command).release ? `\n${splitCommand(r.command).release}` : ""}`).join("\n");
  return (
    <Stack gap="xs" data-testid="hotkey-commands">
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          Bind these commands in your desktop's own shortcut settings:
        </Text>
        <Copy value={all} label="Copy all" testId="hotkey-copy-all" />
      </Group>
      <Table withRowBorders={false} verticalSpacing={2}>
        <Table.Tbody>
          {rows.map((r) => {
            const { press, release } = splitCommand(r.command);
            return (
              <Table.Tr key={r.name} data-testid="hotkey-command" data-binding={r.name}>
                <Table.Td w="30%">
                  <Text size="sm">{r.label}</Text>
                  {r.key && (
                    <Text size="xs" c="dimmed">
                      {r.key}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Stack gap={2}>
                    <Group gap="xs" wrap="nowrap">
                      <Code style={{ wordBreak: "break-all" }} data-testid="hotkey-command-line">
                        {press}
                      </Code>
                      <Copy value={press} />
                    </Group>
                    {release && (
                      <>
                        <Group gap="xs" wrap="nowrap">
                          <Code style={{ wordBreak: "break-all" }} data-testid="hotkey-command-line">
                            {release}
                          </Code>
                          <Copy value={release} />
                        </Group>
                        <Text size="xs" c="dimmed">
                          The first on key press, the second on release; desktops that cannot bind a release (GNOME, KDE) can
                          use the start/stop command instead.
                        </Text>
                      </>
                    )}
                  </Stack>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      <Text size="sm" data-testid="hotkey-where-gnome">
        <b>GNOME:</b> Settings → Keyboard → View and Customize Shortcuts → Custom Shortcuts → +, paste the command and press
        the key.
      </Text>
      <Text size="sm" data-testid="hotkey-where-kde">
        <b>KDE Plasma:</b> System Settings → Shortcuts → Add New → Command or Script, paste the command and set the key.
      </Text>
      <Stack gap={4}>
        <Group justify="space-between">
          <Text size="sm">
            <b>Sway / i3:</b> add to your config, then reload:
          </Text>
          <Copy value={sway} testId="hotkey-copy-sway" />
        </Group>
        <Code block data-testid="hotkey-sway">
          {sway}
        </Code>
      </Stack>
      <Stack gap={4}>
        <Group justify="space-between">
          <Text size="sm">
            <b>Hyprland:</b> add to hyprland.conf:
          </Text>
          <Copy value={hypr} testId="hotkey-copy-hyprland" />
        </Group>
        <Code block data-testid="hotkey-hyprland">
          {hypr}
        </Code>
      </Stack>
    </Stack>
  );
}
