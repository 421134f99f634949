// Password form for the encrypted-file keychain (the first unlock sets its password). The password goes to
// the backend only; nothing is kept in the UI.
import { useState } from "react";
import { Button, Group, PasswordInput } from "@mantine/core";
import { backend, useAction, useSnapshot } from "../api";
import { notify } from "./notify";

export function KeychainUnlock() {
  const { refresh } = useSnapshot();
  const [password, setPassword] = useState("");
  const unlock = useAction(backend.unlockFileKeychain);
  const onSubmit = async () => {
    const r = await unlock.run(password);
    setPassword("");
    if (r.ok) {
      notify("success", "Keychain unlocked", "Secrets can be saved and used again.", "notice-keychain-unlocked");
      await refresh();
    }
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (password !== "") void onSubmit();
      }}
    >
      <Group align="flex-start" gap="sm" mt="xs">
        <PasswordInput
          aria-label="Keychain file password"
          placeholder="Keychain file password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          autoComplete="current-password"
          error={unlock.error?.message}
          style={{ flex: 1, maxWidth: 360 }}
          data-testid="keychain-password"
        />
        <Button type="submit" disabled={password === ""} loading={unlock.busy} data-testid="keychain-unlock">
          Unlock
        </Button>
      </Group>
    </form>
  );
}
