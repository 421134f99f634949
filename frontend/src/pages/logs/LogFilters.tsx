import { Group, Select, Switch, TextInput } from "@mantine/core";
import type { LogFilterForm, MinLevel } from "../../api";

const LEVELS: { value: MinLevel; label: string }[] = [
  { value: "", label: "All levels" },
  { value: "debug", label: "Debug and above" },
  { value: "info", label: "Info and above" },
  { value: "warn", label: "Warnings and errors" },
  { value: "error", label: "Errors only" },
];

interface Props {
  form: LogFilterForm;
  onChange: (next: LogFilterForm) => void;
  components: string[];
  onComponentsOpen: () => void;
  problems: { field: "since" | "until"; message: string }[];
  follow: boolean;
  onFollowChange: (v: boolean) => void;
}

export function LogFilters({ form, onChange, components, onComponentsOpen, problems, follow, onFollowChange }: Props) {
  const set = <K extends keyof LogFilterForm>(k: K, v: LogFilterForm[K]) => onChange({ ...form, [k]: v });
  const problem = (f: "since" | "until") => problems.find((p) => p.field === f)?.message;
  // Keep a selected component selectable even before any log of it has been written.
  const componentData = [
    { value: "", label: "All components" },
    ...[...new Set([...components, ...(form.component ? [form.component] : [])])].map((c) => ({ value: c, label: c })),
  ];
  return (
    <Group align="flex-end" gap="sm" wrap="wrap">
      <TextInput
        label="Search"
        placeholder="Text in message or attributes"
        value={form.text}
        onChange={(e) => set("text", e.currentTarget.value)}
        w={260}
        type="search"
        data-testid="logs-search"
      />
      <Select
        label="Level"
        data={LEVELS}
        value={form.minLevel}
        onChange={(v) => set("minLevel", (v ?? "") as MinLevel)}
        allowDeselect={false}
        w={190}
        data-testid="logs-level"
      />
      <Select
        label="Component"
        data={componentData}
        value={form.component}
        onChange={(v) => set("component", v ?? "")}
        onDropdownOpen={onComponentsOpen}
        allowDeselect={false}
        searchable
        w={190}
        data-testid="logs-component"
      />
      <TextInput
        label="From"
        type="datetime-local"
        step={1}
        value={form.since}
        onChange={(e) => set("since", e.currentTarget.value)}
        error={problem("since")}
        w={210}
        data-testid="logs-since"
      />
      <TextInput
        label="Until"
        type="datetime-local"
        step={1}
        value={form.until}
        onChange={(e) => set("until", e.currentTarget.value)}
        error={problem("until")}
        w={210}
        data-testid="logs-until"
      />
      <Switch
        label="Follow live"
        checked={follow}
        onChange={(e) => onFollowChange(e.currentTarget.checked)}
        mb={8}
        data-testid="logs-follow"
      />
    </Group>
  );
}
