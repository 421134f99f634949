import { Avatar, Badge, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useSnapshot } from "../api";

/** The family profiles the backend reports; switching and editing arrive in a later version. */
export function ProfilesPage() {
  const { snapshot } = useSnapshot();
  const profiles = snapshot?.profiles ?? [];
  return (
    <Stack gap="md">
      <Title order={2}>Profiles</Title>
      {snapshot && profiles.length === 0 && (
        <Text c="dimmed" data-testid="profiles-empty">
          No profiles yet — the family profiles screen arrives in a later version.
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {profiles.map((p) => (
          <Card key={p.id} withBorder padding="md" data-testid="profile-card">
            <Group wrap="nowrap">
              <Avatar color={p.color || "gray"} radius="xl" name={p.name} />
              <div>
                <Text fw={600}>{p.name}</Text>
                <Badge variant="light" size="sm">
                  {p.role}
                </Badge>
              </div>
            </Group>
          </Card>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
