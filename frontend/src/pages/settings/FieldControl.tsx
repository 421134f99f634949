// One settings input, chosen by the field's kind. Every input gets a visible label (its accessible name),
// data-testid="field-<path>", and its error under it as data-testid="field-error-<path>".
import { useEffect, useState } from "react";
import { Autocomplete, NumberInput, Select, Stack, Switch, Text, Textarea, TextInput } from "@mantine/core";
import type { FieldSpec } from "./schema";
import { DeviceField } from "./DeviceField";
import { ReplacementsField } from "./ReplacementsField";

export interface FieldControlProps {
  spec: FieldSpec;
  value: unknown;
  error?: string;
  onChange: (path: string, value: unknown) => void;
  /** Reports input the settings type cannot hold (an empty number); null clears it. */
  onLocalError: (path: string, message: string | null) => void;
  /** The input's data-testid when not field-<path> (the setup wizard names its own); device and replacement fields keep theirs. */
  testId?: string;
}

const inputTestId = (path: string, override?: string) => override ?? `field-${path}`;
const errorProps = (path: string) => ({ "data-testid": `field-error-${path}` });

export function FieldControl(props: FieldControlProps) {
  const { spec } = props;
  switch (spec.kind) {
    case "number":
      return <NumberField {...props} spec={spec} />;
    case "switch":
      return <SwitchField {...props} />;
    case "select":
      return <SelectField {...props} spec={spec} />;
    case "list":
      return <ListField {...props} />;
    case "text":
      return <TextField {...props} spec={spec} />;
    case "device":
      return <DeviceField {...props} spec={spec} />;
    case "replacements":
      return <ReplacementsField {...props} />;
  }
}

function TextField({ spec, value, error, onChange, testId }: FieldControlProps & { spec: Extract<FieldSpec, { kind: "text" }> }) {
  const common = {
    label: spec.label,
    description: spec.description,
    placeholder: spec.placeholder,
    error,
    errorProps: errorProps(spec.path),
    "data-testid": inputTestId(spec.path, testId),
    spellCheck: false,
    autoComplete: "off",
  };
  const v = typeof value === "string" ? value : "";
  if (spec.suggestions && spec.suggestions.length > 0) {
    return <Autocomplete {...common} data={spec.suggestions} value={v} onChange={(x) => onChange(spec.path, x)} />;
  }
  return <TextInput {...common} value={v} onChange={(e) => onChange(spec.path, e.currentTarget.value)} />;
}

function NumberField({
  spec,
  value,
  error,
  onChange,
  onLocalError,
  testId,
}: FieldControlProps & { spec: Extract<FieldSpec, { kind: "number" }> }) {
  // The raw text is kept locally so in-between states ("", "0.") can be typed; only numbers reach the draft.
  const [raw, setRaw] = useState<string | number>(typeof value === "number" ? value : "");
  const [localError, setLocalError] = useState<string | null>(null);
  useEffect(() => {
    if (typeof value === "number" && Number(raw) !== value) {
      setRaw(value);
      setLocalError(null);
      onLocalError(spec.path, null);
    }
    // Only an outside change of the value resets the raw text.
  }, [value]);

  // An input that goes away (tab switch, discard) takes its local problem with it; the draft keeps the last
  // valid number, which is what the input shows when it comes back.
  useEffect(() => () => onLocalError(spec.path, null), [spec.path, onLocalError]);

  const handle = (x: string | number) => {
    setRaw(x);
    const n = typeof x === "number" ? x : x.trim() === "" ? NaN : Number(x);
    if (Number.isFinite(n)) {
      setLocalError(null);
      onLocalError(spec.path, null);
      if (n !== value) onChange(spec.path, n);
    } else {
      const msg = "Enter a number";
      setLocalError(msg);
      onLocalError(spec.path, msg);
    }
  };

  return (
    <NumberInput
      label={spec.label}
      description={spec.description}
      value={raw}
      onChange={handle}
      // Range checks belong to the backend's validation, which names the limits; never clamp silently.
      clampBehavior="none"
      allowDecimal={spec.decimals === true}
      step={spec.step ?? 1}
      decimalScale={spec.decimals ? 3 : undefined}
      suffix={spec.suffix}
      error={localError ?? error}
      errorProps={errorProps(spec.path)}
      data-testid={inputTestId(spec.path, testId)}
      hideControls={!spec.decimals}
    />
  );
}

function SwitchField({ spec, value, error, onChange, testId }: FieldControlProps) {
  const errId = `field-error-id-${spec.path.replace(/\W/g, "-")}`;
  return (
    <Stack gap={4}>
      <Switch
        label={spec.label}
        description={spec.description}
        checked={value === true}
        onChange={(e) => onChange(spec.path, e.currentTarget.checked)}
        data-testid={inputTestId(spec.path, testId)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errId : undefined}
      />
      {error && (
        <Text id={errId} size="xs" c="red" {...errorProps(spec.path)}>
          {error}
        </Text>
      )}
    </Stack>
  );
}

function SelectField({
  spec,
  value,
  error,
  onChange,
  testId,
}: FieldControlProps & { spec: Extract<FieldSpec, { kind: "select" }> }) {
  const v = typeof value === "string" ? value : "";
  // A value the form does not know (newer backend, hand-edited file) is still shown, not blanked.
  const data = spec.options.some((o) => o.value === v) || v === "" ? spec.options : [...spec.options, { value: v, label: v }];
  return (
    <Select
      label={spec.label}
      description={spec.description}
      data={data}
      value={v}
      onChange={(x) => x !== null && onChange(spec.path, x)}
      allowDeselect={false}
      error={error}
      errorProps={errorProps(spec.path)}
      data-testid={inputTestId(spec.path, testId)}
    />
  );
}

/** Splits a textarea into list items: one per line, blank lines dropped, surrounding spaces trimmed. */
export function linesToList(text: string): string[] {
  return text
    .split("\n")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function ListField({ spec, value, error, onChange, testId }: FieldControlProps) {
  const list = Array.isArray(value) ? (value as string[]) : [];
  const [raw, setRaw] = useState(list.join("\n"));
  useEffect(() => {
    if (linesToList(raw).join("\n") !== list.join("\n")) setRaw(list.join("\n"));
  }, [list.join("\n")]);
  return (
    <Textarea
      label={spec.label}
      description={spec.description}
      placeholder={"placeholder" in spec ? spec.placeholder : undefined}
      value={raw}
      onChange={(e) => {
        setRaw(e.currentTarget.value);
        onChange(spec.path, linesToList(e.currentTarget.value));
      }}
      autosize
      minRows={2}
      maxRows={8}
      spellCheck={false}
      error={error}
      errorProps={errorProps(spec.path)}
      data-testid={inputTestId(spec.path, testId)}
      styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
    />
  );
}
