// Until an admin has a PIN, anyone can switch up to an admin and no child profile can be made: say so on
// every page while an admin is active, with the way to fix it. useFamily reloads on profiles:changed, so the
// banner goes once a PIN is set.
import { useState } from "react";
import { Alert, Button, Group, Text } from "@mantine/core";
import { useFamily, type Profile } from "../api";
import { SetPinModal } from "../pages/profiles/SetPinModal";

export function AdminPinBanner() {
  const { family } = useFamily();
  const [admin, setAdmin] = useState<Profile | null>(null);

  const active = family?.members.find((m) => m.profile.name === family.active)?.profile;
  const show = family?.needsPin && family.canManage && active;
  return (
    <>
      {show && (
        <Alert color="orange" mb="md" title="No admin PIN yet" data-testid="admin-pin-banner">
          <Group justify="space-between" gap="sm">
            <Text size="sm">
              Set an admin PIN — until you do, anyone can switch to an admin profile, and child profiles can't be made.
            </Text>
            <Button size="xs" color="orange" onClick={() => setAdmin(active)} data-testid="admin-pin-set">
              Set PIN
            </Button>
          </Group>
        </Alert>
      )}
      <SetPinModal admin={admin} onClose={() => setAdmin(null)} />
    </>
  );
}
