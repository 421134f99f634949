import { SimpleGrid, Stack, Text } from "@mantine/core";
import type { Settings } from "../../api";
import { getAtPath } from "../../lib/objectPath";
import { FieldControl } from "./FieldControl";
import type { GroupSpec } from "./schema";

interface Props {
  group: GroupSpec;
  draft: Settings;
  errors: Record<string, string>;
  onChange: (path: string, value: unknown) => void;
  onLocalError: (path: string, message: string | null) => void;
}

/** The inputs of one settings group, two columns where there is room. */
export function GroupForm({ group, draft, errors, onChange, onLocalError }: Props) {
  return (
    <Stack gap="md">
      <Text c="dimmed" size="sm">
        {group.description}
      </Text>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg" verticalSpacing="md">
        {group.fields.map((spec) => (
          <FieldControl
            key={spec.path}
            spec={spec}
            value={getAtPath(draft, spec.path)}
            error={errors[spec.path]}
            onChange={onChange}
            onLocalError={onLocalError}
          />
        ))}
      </SimpleGrid>
    </Stack>
  );
}
