// Admin screens ask the backend whether the active profile may open them — on mount and whenever the active
// profile or its role changes — and show its refusal, with the way to another profile, instead of the screen.
import { useEffect, useState, type ReactNode } from "react";
import { Button, Card, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { backend, errorMessage, useSnapshot } from "../../api";

/** null while asking; "" = allowed; otherwise the refusal to show. */
function useAccess(screen: string): string | null {
  const { snapshot } = useSnapshot();
  const profile = snapshot?.state.profile;
  const role = snapshot?.state.role;
  const [refusal, setRefusal] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    setRefusal(null);
    backend
      .checkAccess(screen)
      .then(() => current && setRefusal(""))
      // Any failure keeps the screen shut: the sentence says why.
      .catch((e: unknown) => current && setRefusal(errorMessage(e)));
    return () => {
      current = false;
    };
  }, [screen, profile, role]);
  return refusal;
}

interface Props {
  screen: string;
  title: string;
  children: ReactNode;
}

export function AccessGate({ screen, title, children }: Props) {
  const refusal = useAccess(screen);
  if (refusal === "") return <>{children}</>;
  return (
    <Stack>
      <Title order={2}>{title}</Title>
      {refusal === null ? (
        <Group gap="xs">
          <Loader size="sm" /> <Text c="dimmed">Checking access…</Text>
        </Group>
      ) : (
        <Card withBorder padding="lg" maw={560} data-testid="settings-refused">
          <Text mb="md">{refusal}</Text>
          <Button onClick={() => (window.location.hash = "/profiles")} data-testid="settings-switch-profile">
            Switch profile
          </Button>
        </Card>
      )}
    </Stack>
  );
}
