// One family member: a big avatar on the profile colour, name, role, figures; the active one is highlighted
// and carries its quick actions; admins get Edit, Delete and (on admin cards) the PIN.
import { useState } from "react";
import { Avatar, Badge, Button, Card, Group, Stack, Text } from "@mantine/core";
import { backend, type Member } from "../../api";
import { ConfirmButton } from "../../components/ConfirmButton";
import { notify, notifyFailure } from "../../components/notify";
import { initials, profileColor, roleLabel, statsLine } from "./familyView";

interface Props {
  member: Member;
  active: boolean;
  canManage: boolean;
  switching: boolean;
  onSwitch: () => void;
  onEdit: () => void;
  onDelete: () => Promise<void>;
  onSetPin: () => void;
}

export function MemberCard({ member, active, canManage, switching, onSwitch, onEdit, onDelete, onSetPin }: Props) {
  const { profile: p, stats } = member;
  const color = profileColor(p.color);
  return (
    <Card
      withBorder
      padding="lg"
      data-testid="family-member"
      data-profile={p.name}
      aria-current={active ? "true" : undefined}
      aria-label={`${p.name}${active ? " (active)" : ""}`}
      style={active ? { border: `4px solid ${color}` } : undefined}
    >
      <Stack align="center" gap="xs">
        <Avatar size={96} radius={96} variant="filled" color={p.color || "gray"} aria-hidden styles={{ placeholder: { fontSize: p.avatar ? 48 : 36 } }}>
          {p.avatar || initials(p.name)}
        </Avatar>
        <Text fw={700} size="lg" ta="center">
          {p.name}
        </Text>
        <Group gap={6} justify="center">
          <Badge variant="light">{roleLabel(p.role)}</Badge>
          {p.role === "child" && (
            <Badge variant="light" color="teal">
              kid-safe
            </Badge>
          )}
          {active && <Badge color="green">Active</Badge>}
        </Group>
        <Text size="sm" c="dimmed" data-testid="family-stats">
          {statsLine(stats)}
        </Text>
        {active ? (
          <QuickActions actions={p.quickActions} />
        ) : (
          <Button fullWidth loading={switching} onClick={onSwitch} data-testid="family-switch" aria-label={`Switch to ${p.name}`}>
            Switch to {p.name}
          </Button>
        )}
        {canManage && (
          <Group gap="xs" justify="center">
            <Button size="xs" variant="default" onClick={onEdit} data-testid="family-edit" aria-label={`Edit ${p.name}`}>
              Edit
            </Button>
            {p.role === "admin" && (
              <Button size="xs" variant="default" onClick={onSetPin} data-testid="family-set-pin">
                {p.hasPin ? "Change PIN" : "Set admin PIN"}
              </Button>
            )}
            <ConfirmButton
              size="xs"
              variant="default"
              color="red"
              title={`Delete ${p.name}?`}
              body={`${p.name}'s profile goes; their history stays.`}
              confirmLabel="Delete"
              testId="family-delete"
              aria-label={`Delete ${p.name}`}
              onConfirm={onDelete}
            >
              Delete
            </ConfirmButton>
          </Group>
        )}
      </Stack>
    </Card>
  );
}

/** One button per quick action of the active profile; the outcome is a notification. */
function QuickActions({ actions }: { actions: Member["profile"]["quickActions"] }) {
  const [running, setRunning] = useState<string | null>(null);
  if (actions.length === 0) return null;
  const run = async (name: string) => {
    setRunning(name);
    try {
      const r = await backend.runQuickAction(name);
      notify("success", `“${name}” sent`, `Tonny has it (${r.status || "sent"}).`, "notice-quick-action");
    } catch (e) {
      notifyFailure(`“${name}” not sent`, e);
    } finally {
      setRunning(null);
    }
  };
  return (
    <Group gap="xs" justify="center">
      {actions.map((a) => (
        <Button
          key={a.name}
          size="sm"
          variant="light"
          loading={running === a.name}
          disabled={running !== null && running !== a.name}
          title={a.command}
          onClick={() => void run(a.name)}
          data-testid="quick-action"
          data-name={a.name}
        >
          {a.name}
        </Button>
      ))}
    </Group>
  );
}
