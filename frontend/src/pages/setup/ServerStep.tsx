// Step 1: the speech server (WhisperLiveKit). Its state as the Dashboard shows it, Start, and the system check's
// finding about the server command with its install hint. The step never blocks: the server can come later.
import { useEffect } from "react";
import { Alert, Badge, Button, Group, Loader, Stack, Text } from "@mantine/core";
import { backend, UNKNOWN_SERVER_STATE, useAction, useSnapshot } from "../../api";
import { CheckRow } from "../dashboard/SystemCheck";
import { serverActions, serverBadge } from "../dashboard/serverView";

export function ServerStep() {
  const { snapshot } = useSnapshot();
  const server = snapshot?.server ?? UNKNOWN_SERVER_STATE;
  const badge = serverBadge(server, Date.now());
  const start = useAction(backend.controlSpeechServer);

  return (
    <Stack gap="md">
      <Text>
        TonnyTray turns speech into text with WhisperLiveKit, a speech server that runs on this computer. TonnyTray
        starts it for you once it is installed.
      </Text>
      <Group gap="sm">
        <Text fw={600}>Speech server</Text>
        <Badge color={badge.color} variant="light" tt="none" data-testid="setup-server-state" data-state={server.state}>
          {badge.label}
        </Badge>
        <Button
          size="xs"
          onClick={() => void start.run("start")}
          loading={start.busy}
          disabled={!serverActions(server).start}
          data-testid="setup-server-start"
        >
          Start
        </Button>
      </Group>
      {server.state === "starting" && (
        <Text size="sm" c="dimmed">
          The first start downloads the model and can take several minutes.
        </Text>
      )}
      {server.state === "failed" && (
        <Text size="sm" c="red" style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
          {server.reason || server.lastError || "The server failed without a reason."}
        </Text>
      )}
      {start.error && (
        <Text size="sm" c="red" data-testid="setup-server-error">
          Could not start the speech server: {start.error.message}
        </Text>
      )}
      <WhisperCheck />
      <Text size="sm" c="dimmed">
        You can go on without it and start it later from the Dashboard, but until it runs TonnyTray cannot hear you.
      </Text>
    </Stack>
  );
}

/** The system check's verdict on the speech server command: found, or how to install it. */
function WhisperCheck() {
  const doctor = useAction(backend.runDoctor);
  const { run } = doctor;
  useEffect(() => void run(), [run]);
  const check = doctor.result?.find((c) => /whisper/i.test(c.name));

  return (
    <Stack gap="xs" data-testid="setup-doctor-whisper" data-status={check?.status ?? ""}>
      <Group gap="sm">
        <Text fw={600}>Is WhisperLiveKit installed?</Text>
        <Button size="xs" variant="default" onClick={() => void run()} loading={doctor.busy} data-testid="setup-doctor-run">
          Check again
        </Button>
      </Group>
      {doctor.busy && !doctor.result && (
        <Group gap="xs">
          <Loader size="xs" /> <Text size="sm">Looking for it…</Text>
        </Group>
      )}
      {doctor.error && (
        <Alert color="red" title="The system check could not run">
          {doctor.error.message}
        </Alert>
      )}
      {check && <CheckRow check={check} />}
      {doctor.result && !check && (
        <Text size="sm" c="dimmed">
          The system check did not report on the speech server.
        </Text>
      )}
    </Stack>
  );
}
