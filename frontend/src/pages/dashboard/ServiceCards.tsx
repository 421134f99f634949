import { Badge, Card, Group, SimpleGrid, Text } from "@mantine/core";
import type { ServiceStatus } from "../../api";
import { serviceStateStyle } from "./serviceState";

/** One card per service, exactly as the backend reports it. */
export function ServiceCards({ services }: { services: ServiceStatus[] }) {
  if (services.length === 0) {
    return <Text c="dimmed">The backend reports no services.</Text>;
  }
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
      {services.map((s) => {
        const st = serviceStateStyle(s.state);
        return (
          <Card
            key={s.service}
            withBorder
            padding="md"
            data-testid={`service-${s.service}`}
            data-state={s.state}
            style={{ borderLeft: `4px solid var(--mantine-color-${st.color}-filled)` }}
          >
            <Group justify="space-between" wrap="nowrap" mb={4}>
              <Text fw={600}>{s.service}</Text>
              <Badge color={st.color} variant={s.state === "unavailable" ? "outline" : "light"}>
                {st.label}
              </Badge>
            </Group>
            <Text size="sm" c="dimmed" style={{ wordBreak: "break-word" }} data-testid={`service-detail-${s.service}`}>
              {s.detail || "—"}
            </Text>
          </Card>
        );
      })}
    </SimpleGrid>
  );
}
