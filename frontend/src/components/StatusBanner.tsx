// A banner above every page when something is wrong that the user must know about: the backend cannot be
// reached, the keychain is not usable, or the backend sent an error notice.
import { useState } from "react";
import { Alert, Button, Stack } from "@mantine/core";
import { useEvent, useSnapshot, type NoticePayload } from "../api";
import { KeychainUnlock } from "./KeychainUnlock";

export function StatusBanner() {
  const { snapshot, error, refresh, loading } = useSnapshot();
  const [lastError, setLastError] = useState<NoticePayload | null>(null);
  useEvent("app:notice", (n) => {
    if (n.level === "error") setLastError(n);
  });

  const keychain = snapshot?.keychain;
  if (!error && (!keychain || keychain.ok) && !lastError) return null;
  return (
    <Stack gap="xs" mb="md" data-testid="status-banner">
      {error && (
        <Alert color="red" title="The backend reported an error" data-testid="banner-backend-error">
          {error.message}
          <Button size="xs" variant="white" color="red" ml="sm" onClick={() => void refresh()} loading={loading}>
            Try again
          </Button>
        </Alert>
      )}
      {keychain && !keychain.ok && (
        <Alert
          color="orange"
          title={keychain.locked ? "The keychain is locked" : "The keychain is not available"}
          data-testid="banner-keychain"
        >
          {keychain.detail || `The ${keychain.backend || "keychain"} backend cannot be used.`} Secrets cannot be saved or read
          until this is fixed.
          {keychain.backend === "file" && <KeychainUnlock />}
        </Alert>
      )}
      {lastError && (
        <Alert
          color="red"
          title={lastError.title || "Error"}
          withCloseButton
          onClose={() => setLastError(null)}
          data-testid="banner-notice"
        >
          {lastError.message}
        </Alert>
      )}
    </Stack>
  );
}
