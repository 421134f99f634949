// Adds or edits a family member (admins only). The backend validates; its field errors appear under the
// inputs they name and the form keeps everything typed.
import { useState, type ReactNode } from "react";
import {
  ActionIcon,
  Alert,
  Button,
  ColorInput,
  Group,
  Modal,
  NativeSelect,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { backend, toApiError, type Profile } from "../../api";
import { notify } from "../../components/notify";
import { roleLabel } from "./familyView";
import { editorErrors, fromForm, toForm, type ProfileForm } from "./profileForm";

const ROLE_OPTIONS = ["admin", "user", "guest", "child"].map((r) => ({ value: r, label: roleLabel(r) }));
const RESPONSE_OPTIONS = [
  { value: "", label: "Follow settings" },
  { value: "text", label: "Text" },
  { value: "voice", label: "Voice" },
  { value: "both", label: "Text and voice" },
];
const EMOJI = ["🙂", "🐱", "🦊", "🐻", "🦄", "🚀", "⚽", "🎧"];
const SWATCHES = ["#e53935", "#fb8c00", "#fdd835", "#43a047", "#00897b", "#1e88e5", "#5e35b1", "#d81b60"];

interface Props {
  /** The profile edited (id 0 = a new one); null = closed. */
  profile: Profile | null;
  /** No admin has a PIN yet, so a child cannot be made. */
  needsPin: boolean;
  onSetPin: () => void;
  onClose: () => void;
}

export function ProfileEditor({ profile, needsPin, onSetPin, onClose }: Props) {
  const title = profile?.id ? `Edit ${profile.name}` : "Add a profile";
  return (
    <Modal opened={profile !== null} onClose={onClose} title={title} size="lg" centered>
      {profile && <EditorForm key={profile.id} base={profile} needsPin={needsPin} onSetPin={onSetPin} onDone={onClose} />}
    </Modal>
  );
}

interface FormProps {
  base: Profile;
  needsPin: boolean;
  onSetPin: () => void;
  onDone: () => void;
}

function EditorForm({ base, needsPin, onSetPin, onDone }: FormProps) {
  const [form, setForm] = useState<ProfileForm>(() => toForm(base));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof ProfileForm>(k: K, v: ProfileForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  const childBlocked = form.role === "child" && needsPin && base.role !== "child";

  // Text inputs share their wiring: value, change, test id and the error under them.
  const text = (k: "name" | "avatar" | "voice" | "language") => ({
    value: form[k],
    onChange: (e: { currentTarget: { value: string } }) => set(k, e.currentTarget.value),
    ...errorFor(errors, k),
  });

  const save = async () => {
    setBusy(true);
    try {
      const p = fromForm(form, base);
      const saved = base.id ? await backend.updateProfile(p) : await backend.createProfile(p);
      notify("success", base.id ? "Profile saved" : "Profile added", `${saved.name || p.name} is ready.`, "notice-profile-saved");
      onDone();
    } catch (e) {
      const err = toApiError(e);
      setErrors(err.fields ? editorErrors(err.fields) : { form: err.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="sm" data-testid="profile-editor">
      {errors.form && (
        <Alert color="red" data-testid="profile-error-form">
          {errors.form}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label="Name" required {...text("name")} />
        <NativeSelect
          label="Role"
          data={ROLE_OPTIONS}
          value={form.role}
          onChange={(e) => set("role", e.currentTarget.value)}
          {...errorFor(errors, "role")}
        />
      </SimpleGrid>
      {childBlocked && (
        <Alert color="yellow" data-testid="profile-child-needs-pin">
          <Group justify="space-between" gap="xs">
            <Text size="sm">A child profile needs an admin PIN first, so the child cannot switch back up without it.</Text>
            <Button size="xs" onClick={onSetPin} data-testid="profile-child-set-pin">
              Set admin PIN
            </Button>
          </Group>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <ColorInput
          label="Colour"
          format="hex"
          swatches={SWATCHES}
          value={form.color}
          onChange={(v) => set("color", v)}
          {...errorFor(errors, "color")}
        />
        <Stack gap={4}>
          <TextInput label="Avatar (an emoji)" {...text("avatar")} />
          <Group gap={4}>
            {EMOJI.map((e) => (
              <ActionIcon key={e} variant="subtle" size="md" aria-label={`Use ${e} as avatar`} onClick={() => set("avatar", e)}>
                {e}
              </ActionIcon>
            ))}
          </Group>
        </Stack>
        <TextInput label="Preferred voice" description="Empty = the voice in Settings" {...text("voice")} />
        <TextInput label="Language" description='e.g. "de" or "en-GB"; empty = Settings' {...text("language")} />
        <NativeSelect
          label="Response"
          data={RESPONSE_OPTIONS}
          value={form.responseMode}
          onChange={(e) => set("responseMode", e.currentTarget.value)}
          {...errorFor(errors, "responseMode")}
        />
      </SimpleGrid>
      <Textarea
        label="Allowed commands"
        description="One per line. A child can only send commands containing one of these words or phrases."
        autosize
        minRows={2}
        value={form.allowed}
        onChange={(e) => set("allowed", e.currentTarget.value)}
        {...errorFor(errors, "allowed")}
      />
      <Textarea
        label="Blocked commands"
        description="One per line. Never sent, for any role."
        autosize
        minRows={2}
        value={form.blocked}
        onChange={(e) => set("blocked", e.currentTarget.value)}
        {...errorFor(errors, "blocked")}
      />
      {form.role === "child" && (
        <Switch
          label="Can type into other windows"
          checked={form.dictation}
          onChange={(e) => set("dictation", e.currentTarget.checked)}
          {...errorFor(errors, "dictation")}
        />
      )}
      <Switch
        label="Don't keep history"
        description="Nothing this profile says is stored."
        checked={form.noHistory}
        onChange={(e) => set("noHistory", e.currentTarget.checked)}
        data-testid="profile-field-noHistory"
      />
      <QuickActionRows form={form} errors={errors} onChange={(qa) => set("quickActions", qa)} />
      <Group justify="flex-end">
        <Button loading={busy} disabled={childBlocked} onClick={() => void save()} data-testid="profile-save">
          {base.id ? "Save" : "Add profile"}
        </Button>
      </Group>
    </Stack>
  );
}

/** The test id, and the error message under the input with its own test id. */
function errorFor(errors: Record<string, string>, key: string): { "data-testid": string; error?: ReactNode } {
  return {
    "data-testid": `profile-field-${key}`,
    ...(errors[key] ? { error: <span data-testid={`profile-error-${key}`}>{errors[key]}</span> } : {}),
  };
}

interface RowsProps {
  form: ProfileForm;
  errors: Record<string, string>;
  onChange: (qa: ProfileForm["quickActions"]) => void;
}

/** Name + command rows with add and remove. */
function QuickActionRows({ form, errors, onChange }: RowsProps) {
  const rows = form.quickActions;
  const edit = (i: number, k: "name" | "command", v: string) => onChange(rows.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  const input = (i: number, k: "name" | "command", label: string) => (
    <TextInput
      aria-label={`Quick action ${i + 1} ${k}`}
      placeholder={label}
      value={rows[i][k]}
      onChange={(e) => edit(i, k, e.currentTarget.value)}
      style={{ flex: 1 }}
      {...errorFor(errors, `qa-${k}-${i}`)}
      data-testid={`profile-qa-${k}-${i}`}
    />
  );
  return (
    <Stack gap={6}>
      <Text size="sm" fw={500}>
        Quick actions
      </Text>
      {errors.quickActions && (
        <Text size="xs" c="red" data-testid="profile-error-quickActions">
          {errors.quickActions}
        </Text>
      )}
      {rows.map((_, i) => (
        <Group key={i} gap="xs" align="flex-start" wrap="nowrap">
          {input(i, "name", "Name, e.g. Night light")}
          {input(i, "command", "Command, e.g. turn on the night light")}
          <ActionIcon
            variant="subtle"
            color="red"
            mt={6}
            aria-label={`Remove quick action ${i + 1}`}
            onClick={() => onChange(rows.filter((__, j) => j !== i))}
          >
            ✕
          </ActionIcon>
        </Group>
      ))}
      <Button
        variant="light"
        size="xs"
        w="fit-content"
        onClick={() => onChange([...rows, { name: "", command: "" }])}
        data-testid="profile-qa-add"
      >
        Add quick action
      </Button>
    </Stack>
  );
}
