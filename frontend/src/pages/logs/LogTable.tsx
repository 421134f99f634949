import { Badge, Table, Text } from "@mantine/core";
import type { LogEntry } from "../../api";
import { formatLogTime } from "../../lib/format";
import { levelColor } from "./levels";

interface Props {
  entries: LogEntry[];
  onSelect: (e: LogEntry) => void;
}

/** Log entries newest first; a row opens its details on click or Enter. */
export function LogTable({ entries, onSelect }: Props) {
  return (
    <Table striped highlightOnHover stickyHeader data-testid="logs-table" layout="fixed" verticalSpacing={6}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={200}>Time</Table.Th>
          <Table.Th w={90}>Level</Table.Th>
          <Table.Th w={150}>Component</Table.Th>
          <Table.Th>Message</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {entries.map((e) => (
          <Table.Tr
            key={e.id}
            data-testid="log-row"
            data-log-id={e.id}
            data-level={e.level}
            data-component={e.component}
            tabIndex={0}
            style={{ cursor: "pointer" }}
            onClick={() => onSelect(e)}
            onKeyDown={(ev) => {
              if (ev.key === "Enter" || ev.key === " ") {
                ev.preventDefault();
                onSelect(e);
              }
            }}
          >
            <Table.Td data-testid="log-cell-time">
              <Text size="xs" ff="monospace" title={e.time}>
                {formatLogTime(e.time)}
              </Text>
            </Table.Td>
            <Table.Td data-testid="log-cell-level">
              <Badge size="sm" variant="light" color={levelColor(e.level)}>
                {e.level}
              </Badge>
            </Table.Td>
            <Table.Td data-testid="log-cell-component">
              <Text size="sm" truncate="end">
                {e.component}
              </Text>
            </Table.Td>
            <Table.Td data-testid="log-cell-message">
              <Text size="sm" lineClamp={2} style={{ wordBreak: "break-word" }}>
                {e.message}
                {e.attrs && Object.keys(e.attrs).length > 0 && (
                  <Text span size="xs" c="dimmed">
                    {"  "}
                    {Object.keys(e.attrs).length} attr{Object.keys(e.attrs).length === 1 ? "" : "s"}
                  </Text>
                )}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
