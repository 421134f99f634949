// Write-only secrets: the UI shows whether each one is set, lets you replace or delete it, and never shows a
// value (the backend never sends one).
import { Alert, Badge, Button, Card, Group, PasswordInput, Stack, Text } from "@mantine/core";
import { useUncontrolled } from "@mantine/hooks";
import { backend, useAction, useSnapshot, type SecretStatus } from "../../api";
import { ConfirmButton } from "../../components/ConfirmButton";
import { notify } from "../../components/notify";

export function SecretsSection() {
  const { snapshot } = useSnapshot();
  if (!snapshot) return null;
  const { secrets, keychain } = snapshot;
  return (
    <Stack gap="md">
      <Text c="dimmed" size="sm">
        API keys and passwords live in the system keychain ({keychain.backend || "backend unknown"}) and are never shown
        again. Type a new value to replace one.
      </Text>
      {!keychain.ok && (
        <Alert
          color="red"
          title={keychain.locked ? "The keychain is locked" : "The keychain is not available"}
          data-testid="secrets-keychain-alert"
        >
          {keychain.detail || "Secrets cannot be stored until a keychain is available."}
          {keychain.backend === "file" && " Unlock it with its password in the banner above."}
        </Alert>
      )}
      {secrets.length === 0 && <Text c="dimmed">The backend reports no secrets.</Text>}
      {secrets.map((s) => (
        <SecretRow key={s.key} secret={s} />
      ))}
    </Stack>
  );
}

interface RowProps {
  secret: SecretStatus;
  /** The input's data-testid, when not Settings' own (the setup wizard names its inputs). */
  inputTestId?: string;
  /** The typed value, when the parent keeps it (the wizard stores a value typed but not saved here). */
  value?: string;
  onValueChange?: (value: string) => void;
}

/** One secret: its status, a write-only input with Save, and Delete. */
export function SecretRow({ secret, inputTestId, value: controlled, onValueChange }: RowProps) {
  const [value, setValue] = useUncontrolled({ value: controlled, defaultValue: "", onChange: onValueChange });
  const save = useAction(backend.setSecret);
  const del = useAction(backend.deleteSecret);

  const onSave = async () => {
    if (value === "") return;
    const r = await save.run(secret.key, value);
    if (r.ok) {
      setValue("");
      notify("success", "Secret saved", `${secret.label} is stored in the keychain.`, "notice-secret-saved");
    }
  };

  const onDelete = async () => {
    const r = await del.run(secret.key);
    if (r.ok) notify("success", "Secret deleted", `${secret.label} was removed from the keychain.`, "notice-secret-deleted");
  };

  return (
    <Card withBorder padding="md" data-testid={`secret-${secret.key}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <div>
            <Text fw={600}>{secret.label}</Text>
            <Text size="xs" c="dimmed" ff="monospace">
              {secret.key}
            </Text>
          </div>
          <Badge color={secret.configured ? "teal" : "gray"} variant="light" data-testid={`secret-status-${secret.key}`}>
            {secret.configured ? "configured ✓" : "not set"}
          </Badge>
        </Group>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void onSave();
          }}
        >
          <Group align="flex-start" gap="sm">
            <PasswordInput
              style={{ flex: 1 }}
              aria-label={`${secret.configured ? "New value" : "Value"} for ${secret.label}`}
              placeholder={secret.configured ? "Enter a new value to replace it" : "Enter the value"}
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
              autoComplete="new-password"
              spellCheck={false}
              error={save.error?.message}
              data-testid={inputTestId ?? `secret-input-${secret.key}`}
            />
            <Button type="submit" disabled={value === ""} loading={save.busy} data-testid={`secret-save-${secret.key}`}>
              Save
            </Button>
            {secret.configured && (
              <ConfirmButton
                color="red"
                variant="light"
                testId={`secret-delete-${secret.key}`}
                title={`Delete ${secret.label}?`}
                confirmLabel="Delete"
                body="The value is removed from the keychain. Whatever needs it stops working until you enter it again."
                onConfirm={onDelete}
              >
                Delete
              </ConfirmButton>
            )}
          </Group>
        </form>
        {del.error && (
          <Text size="sm" c="red" role="alert">
            {del.error.message}
          </Text>
        )}
      </Stack>
    </Card>
  );
}
