// The dictation replacement rules (typing.replacements): one row per rule, a spoken phrase and what is typed
// instead. The backend names a bad rule by its own path ("typing.replacements[3].from"); the form gathers
// every error under the list's path, so the rows pick their own messages back out of it.
import { useState } from "react";
import { ActionIcon, Button, Group, Stack, Table, Text, TextInput } from "@mantine/core";
import type { Replacement } from "../../api";
import type { FieldControlProps } from "./FieldControl";

export interface RowErrors {
  /** Row index → messages for its "from" and "to" inputs. */
  rows: Record<number, { from?: string; to?: string }>;
  /** Messages about the list as a whole (too many rules) or that name no row. */
  list: string;
}

const rowMessage = /^typing\.replacements\[(\d+)\]\.(from|to)\b/;

/**
 * Splits the joined error text of the list ("a; b", see mapFieldErrors) into per-row messages. Messages start
 * with their field path (settings.collector.add), so a split happens only where the next one names a row.
 */
export function splitRowErrors(error: string | undefined): RowErrors {
  const out: RowErrors = { rows: {}, list: "" };
  if (!error) return out;
  const list: string[] = [];
  for (const msg of error.split(/;\s*(?=typing\.replacements\[\d+\]\.(?:from|to)\b)/)) {
    const m = rowMessage.exec(msg);
    if (!m) {
      list.push(msg);
      continue;
    }
    const row = (out.rows[Number(m[1])] ??= {});
    const key = m[2] as "from" | "to";
    row[key] = row[key] ? `${row[key]}; ${msg}` : msg;
  }
  out.list = list.join("; ");
  return out;
}

function asRules(value: unknown): Replacement[] {
  if (!Array.isArray(value)) return [];
  return value.map((r) => ({
    from: typeof r?.from === "string" ? r.from : "",
    to: typeof r?.to === "string" ? r.to : "",
  }));
}

export function ReplacementsField({ spec, value, error, onChange }: FieldControlProps) {
  const rules = asRules(value);
  const errors = splitRowErrors(error);
  // The row just added gets the focus, so "Add rule" can be followed by typing at once.
  const [added, setAdded] = useState<number | null>(null);
  const set = (next: Replacement[]) => onChange(spec.path, next);
  const edit = (i: number, key: keyof Replacement, text: string) =>
    set(rules.map((r, j) => (j === i ? { ...r, [key]: text } : r)));
  const rowPath = (i: number, key: keyof Replacement) => `${spec.path}.${i}.${key}`;

  return (
    // The table needs the width of both form columns.
    <Stack gap={6} style={{ gridColumn: "1 / -1" }} data-testid={`field-${spec.path}`}>
      <div>
        <Text size="sm" fw={500}>
          {spec.label}
        </Text>
        {spec.description && (
          <Text size="xs" c="dimmed">
            {spec.description}
          </Text>
        )}
      </div>
      {rules.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="replacements-empty">
          No rules: dictation is typed exactly as recognised.
        </Text>
      ) : (
        <Table verticalSpacing={4} withRowBorders={false}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Spoken</Table.Th>
              <Table.Th>Typed</Table.Th>
              <Table.Th w={40} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rules.map((r, i) => (
              <Table.Tr key={i} data-testid={`replacement-row-${i}`}>
                <Table.Td style={{ verticalAlign: "top" }}>
                  <TextInput
                    aria-label={`Spoken phrase ${i + 1}`}
                    value={r.from}
                    onChange={(e) => edit(i, "from", e.currentTarget.value)}
                    error={errors.rows[i]?.from}
                    errorProps={{ "data-testid": `field-error-${rowPath(i, "from")}` }}
                    data-testid={`field-${rowPath(i, "from")}`}
                    autoFocus={added === i}
                    spellCheck={false}
                    autoComplete="off"
                  />
                </Table.Td>
                <Table.Td style={{ verticalAlign: "top" }}>
                  <TextInput
                    aria-label={`Typed text ${i + 1}`}
                    value={r.to}
                    onChange={(e) => edit(i, "to", e.currentTarget.value)}
                    error={errors.rows[i]?.to}
                    errorProps={{ "data-testid": `field-error-${rowPath(i, "to")}` }}
                    data-testid={`field-${rowPath(i, "to")}`}
                    spellCheck={false}
                    autoComplete="off"
                    styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
                  />
                </Table.Td>
                <Table.Td style={{ verticalAlign: "top" }}>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    size="lg"
                    aria-label={`Remove rule ${i + 1}${r.from ? ` (${r.from})` : ""}`}
                    data-testid={`replacement-remove-${i}`}
                    onClick={() => {
                      setAdded(null);
                      set(rules.filter((_, j) => j !== i));
                    }}
                  >
                    ✕
                  </ActionIcon>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {errors.list && (
        <Text size="xs" c="red" data-testid={`field-error-${spec.path}`}>
          {errors.list}
        </Text>
      )}
      <Group>
        <Button
          variant="light"
          size="xs"
          data-testid="replacement-add"
          onClick={() => {
            setAdded(rules.length);
            set([...rules, { from: "", to: "" }]);
          }}
        >
          Add rule
        </Button>
      </Group>
    </Stack>
  );
}
