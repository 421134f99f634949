// The family screen: everyone's card, one click to switch (the PIN pad when switching up), and for admins
// adding, editing and deleting profiles and setting admin PINs.
import { useState } from "react";
import { Alert, Button, Group, Loader, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { backend, newProfile, toApiError, useFamily, useSnapshot, type AppState, type Profile } from "../../api";
import { notifyFailure } from "../../components/notify";
import { MemberCard } from "./MemberCard";
import { clearPinRequest, requestPin, usePinRequest } from "./pinRequest";
import { PinPad } from "./PinPad";
import { ProfileEditor } from "./ProfileEditor";
import { SetPinModal } from "./SetPinModal";

/** Switches with one click; a switch up asks for the PIN through the pad. */
function useSwitch() {
  const { setAppState } = useSnapshot();
  const [switching, setSwitching] = useState<string | null>(null);
  const switchTo = async (name: string) => {
    setSwitching(name);
    try {
      setAppState(await backend.switchProfile(name, ""));
    } catch (e) {
      const err = toApiError(e);
      if (err.code === "pin_required") requestPin(name);
      else notifyFailure(`Could not switch to ${name}`, err);
    } finally {
      setSwitching(null);
    }
  };
  const switched = (state: AppState) => {
    setAppState(state);
    clearPinRequest();
  };
  return { switching, switchTo, switched };
}

export function FamilyPage() {
  const { family, error } = useFamily();
  const pinFor = usePinRequest();
  const { switching, switchTo, switched } = useSwitch();
  const [editing, setEditing] = useState<Profile | null>(null);
  const [pinAdmin, setPinAdmin] = useState<Profile | null>(null);

  const remove = async (name: string) => {
    try {
      await backend.deleteProfile(name);
    } catch (e) {
      notifyFailure(`${name} was not deleted`, e);
    }
  };
  // The editor's "Set admin PIN" hint is for the active profile: an admin, or the editor could not be open.
  const activeProfile = family?.members.find((m) => m.profile.name === family.active)?.profile ?? null;

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={2}>Family</Title>
        {family?.canManage && (
          <Button onClick={() => setEditing(newProfile())} data-testid="family-add">
            Add profile
          </Button>
        )}
      </Group>
      {error && (
        <Alert color="red" title="The family could not be loaded">
          {error.message}
        </Alert>
      )}
      {!family && !error && <Loader size="sm" aria-label="Loading the family" />}
      {family && family.members.length === 0 && (
        <Text c="dimmed" data-testid="profiles-empty">
          No profiles yet.
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, xs: 2, md: 3, lg: 4 }}>
        {family?.members.map((m) => (
          <MemberCard
            key={m.profile.id || m.profile.name}
            member={m}
            active={m.profile.name === family.active}
            canManage={family.canManage}
            switching={switching === m.profile.name}
            onSwitch={() => void switchTo(m.profile.name)}
            onEdit={() => setEditing(m.profile)}
            onDelete={() => remove(m.profile.name)}
            onSetPin={() => setPinAdmin(m.profile)}
          />
        ))}
      </SimpleGrid>
      <PinPad name={pinFor} onClose={clearPinRequest} onSwitched={switched} />
      <ProfileEditor
        profile={editing}
        needsPin={family?.needsPin ?? false}
        onSetPin={() => setPinAdmin(activeProfile)}
        onClose={() => setEditing(null)}
      />
      <SetPinModal admin={pinAdmin} onClose={() => setPinAdmin(null)} />
    </Stack>
  );
}
