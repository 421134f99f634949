import { Badge, Button, Code, CopyButton, Group, Modal, Stack, Table, Text } from "@mantine/core";
import type { LogEntry } from "../../api";
import { formatLogTime } from "../../lib/format";
import { levelColor } from "./levels";

/** One log entry in full: message and every attribute. */
export function LogDetail({ entry, onClose }: { entry: LogEntry | null; onClose: () => void }) {
  const attrs = Object.entries(entry?.attrs ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <Modal opened={entry !== null} onClose={onClose} title="Log entry" size="xl" data-testid="log-detail">
      {entry && (
        <Stack gap="sm">
          <Group gap="sm">
            <Badge variant="light" color={levelColor(entry.level)}>
              {entry.level}
            </Badge>
            <Text fw={600}>{entry.component}</Text>
            <Text size="sm" c="dimmed" ff="monospace" title={entry.time}>
              {formatLogTime(entry.time)}
            </Text>
            <Text size="xs" c="dimmed">
              #{entry.id}
            </Text>
          </Group>
          <Code block style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }} data-testid="log-detail-message">
            {entry.message}
          </Code>
          {attrs.length > 0 ? (
            <Table withTableBorder withColumnBorders data-testid="log-detail-attrs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={200}>Attribute</Table.Th>
                  <Table.Th>Value</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {attrs.map(([k, v]) => (
                  <Table.Tr key={k}>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {k}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace" style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
                        {v}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : (
            <Text size="sm" c="dimmed">
              No attributes.
            </Text>
          )}
          <Group justify="flex-end">
            <CopyButton value={JSON.stringify(entry, null, 2)}>
              {({ copied, copy }) => (
                <Button variant="default" size="xs" onClick={copy}>
                  {copied ? "Copied" : "Copy as JSON"}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
