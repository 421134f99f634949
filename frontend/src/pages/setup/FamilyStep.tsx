// Step 5: what profiles are for, the active admin's PIN (optional), and where children are added.
import { useState } from "react";
import { Anchor, Badge, Button, Group, Stack, Text } from "@mantine/core";
import { useFamily, type Profile } from "../../api";
import { SetPinModal } from "../profiles/SetPinModal";

/** The active profile when it is an admin (the wizard's user), else null. */
export function useActiveAdmin(): { admin: Profile | null; error: string | null } {
  const { family, error } = useFamily();
  const active = family?.members.find((m) => m.profile.name === family.active)?.profile;
  return { admin: active?.role === "admin" ? active : null, error: error?.message ?? null };
}

export function FamilyStep() {
  const { admin, error } = useActiveAdmin();
  const [pinFor, setPinFor] = useState<Profile | null>(null);

  return (
    <Stack gap="md">
      <Text>
        Everyone in the family can have a profile with their own voice, language and history. Admins change settings and
        profiles; children may only send the commands you allow. An admin PIN keeps others from switching to an admin
        profile.
      </Text>
      <Group gap="sm">
        <Button onClick={() => setPinFor(admin)} disabled={!admin} data-testid="setup-set-pin">
          {admin?.hasPin ? "Change admin PIN" : "Set admin PIN"}
        </Button>
        {admin?.hasPin && (
          <Badge color="teal" variant="light" data-testid="setup-pin-set">
            PIN set
          </Badge>
        )}
      </Group>
      {error && (
        <Text size="sm" c="red">
          The profiles could not be loaded: {error}
        </Text>
      )}
      <Text size="sm" c="dimmed">
        Add children and other members on the <Anchor href="#/profiles">Profiles page</Anchor> once you have finished
        here (leaving now keeps nothing typed in this wizard).
      </Text>
      <SetPinModal admin={pinFor} onClose={() => setPinFor(null)} />
    </Stack>
  );
}
