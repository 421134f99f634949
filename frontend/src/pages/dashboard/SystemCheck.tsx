// "System check": runs the backend's doctor and shows each check with its fix as a copyable command.
import { Alert, Button, Code, CopyButton, Group, Stack, Text, ThemeIcon } from "@mantine/core";
import { backend, useAction, type DoctorCheck } from "../../api";
import { checkStatusStyle } from "./serviceState";

export function SystemCheck() {
  const doctor = useAction(backend.runDoctor);
  const checks = doctor.result;
  const counts = checks?.reduce<Record<string, number>>((m, c) => ({ ...m, [c.status]: (m[c.status] ?? 0) + 1 }), {});
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Checks every dependency of TonnyTray on this machine.
        </Text>
        <Button onClick={() => void doctor.run()} loading={doctor.busy} variant="light" data-testid="doctor-run">
          {checks ? "Run again" : "Run system check"}
        </Button>
      </Group>
      {doctor.error && (
        <Alert color="red" title="The system check could not run">
          {doctor.error.message}
        </Alert>
      )}
      {checks && counts && (
        <Text size="sm" data-testid="doctor-summary">
          {counts.ok ?? 0} OK · {counts.warn ?? 0} warning(s) · {counts.fail ?? 0} failed
        </Text>
      )}
      {checks?.map((c) => <CheckRow key={c.name} check={c} />)}
    </Stack>
  );
}

/** One check with its detail and copyable fix (also the setup wizard's WhisperLiveKit check). */
export function CheckRow({ check }: { check: DoctorCheck }) {
  const st = checkStatusStyle(check.status);
  return (
    <Group align="flex-start" wrap="nowrap" gap="sm" data-testid="doctor-check" data-status={check.status}>
      <ThemeIcon color={st.color} variant="light" radius="xl" size="md" aria-label={st.label}>
        <span aria-hidden>{st.symbol}</span>
      </ThemeIcon>
      <Stack gap={2} style={{ flex: 1, minWidth: 0 }}>
        <Text fw={600} size="sm">
          {check.name}
        </Text>
        {check.detail && (
          <Text size="sm" c="dimmed" style={{ wordBreak: "break-word" }}>
            {check.detail}
          </Text>
        )}
        {check.fix && (
          <Group gap="xs" wrap="nowrap" align="flex-start">
            <Code block style={{ flex: 1, whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
              {check.fix}
            </Code>
            <CopyButton value={check.fix}>
              {({ copied, copy }) => (
                <Button size="xs" variant="default" onClick={copy} aria-label={`Copy fix for ${check.name}`}>
                  {copied ? "Copied" : "Copy"}
                </Button>
              )}
            </CopyButton>
          </Group>
        )}
      </Stack>
    </Group>
  );
}
