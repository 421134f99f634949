// Sets or changes an admin's PIN: the current PIN (only when there is one), the new one twice. Checked here
// for 4–8 digits and a match; the backend's refusal (a wrong current PIN, a wait) is shown as it comes.
import { useState } from "react";
import { Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { backend, errorMessage, type Profile } from "../../api";
import { notify } from "../../components/notify";

interface Props {
  /** The admin whose PIN is set; null = closed. */
  admin: Profile | null;
  onClose: () => void;
}

export function SetPinModal({ admin, onClose }: Props) {
  const title = admin?.hasPin ? `Change ${admin.name}'s PIN` : `Set an admin PIN for ${admin?.name ?? ""}`;
  return (
    <Modal opened={admin !== null} onClose={onClose} title={title} centered>
      {admin && <SetPinForm key={admin.name} admin={admin} onDone={onClose} />}
    </Modal>
  );
}

/** Why the typed PINs cannot be sent, or null. */
export function pinProblem(hasPin: boolean, oldPin: string, newPin: string, confirm: string): string | null {
  if (hasPin && oldPin === "") return "Enter the current PIN.";
  if (!/^\d{4,8}$/.test(newPin)) return "The new PIN must be 4 to 8 digits.";
  if (newPin !== confirm) return "The two new PINs differ.";
  return null;
}

function PinField({ label, value, onChange, testId }: { label: string; value: string; onChange: (v: string) => void; testId: string }) {
  return (
    <TextInput
      label={label}
      type="password"
      inputMode="numeric"
      autoComplete="off"
      maxLength={8}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      data-testid={testId}
    />
  );
}

function SetPinForm({ admin, onDone }: { admin: Profile; onDone: () => void }) {
  const [oldPin, setOldPin] = useState("");
  const [newPin, setNewPin] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const save = async () => {
    const problem = pinProblem(admin.hasPin, oldPin, newPin, confirm);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    try {
      await backend.setAdminPIN(admin.name, admin.hasPin ? oldPin : "", newPin);
      notify("success", "PIN saved", `${admin.name}'s PIN is set.`, "notice-pin-saved");
      onDone();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="sm" data-testid="set-pin-modal">
      {admin.hasPin && <PinField label="Current PIN" value={oldPin} onChange={setOldPin} testId="set-pin-old" />}
      <PinField label="New PIN (4–8 digits)" value={newPin} onChange={setNewPin} testId="set-pin-new" />
      <PinField label="New PIN again" value={confirm} onChange={setConfirm} testId="set-pin-confirm" />
      {error && (
        <Text c="red" size="sm" role="alert" data-testid="set-pin-error">
          {error}
        </Text>
      )}
      <Group justify="flex-end">
        <Button loading={busy} onClick={() => void save()} data-testid="set-pin-save">
          Save PIN
        </Button>
      </Group>
    </Stack>
  );
}
