// Under the ElevenLabs settings: the voices the API key can use, each with Preview (a sample spoken with that
// voice) and Use (puts its id into the form's Voice ID), and "Test voice", which speaks with the saved settings.
import { useEffect, useState } from "react";
import { Badge, Button, Group, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { backend, errorMessage, type VoiceInfo } from "../../api";

interface Props {
  /** The form's voice id (saved or not). */
  voiceId: string;
  /** Sets the form's elevenlabs.voice_id. */
  onUse: (voiceId: string) => void;
  /** The form has unsaved edits: Test voice speaks with the saved settings. */
  dirty: boolean;
  /** Load the voices as soon as this is true, without a click (the wizard, once the API key is stored). */
  autoLoad?: boolean;
}

export function VoiceSection({ voiceId, onUse, dirty, autoLoad = false }: Props) {
  const [voices, setVoices] = useState<VoiceInfo[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  // The voice being previewed ("" = Test voice); null when nothing plays.
  const [playing, setPlaying] = useState<string | null>(null);
  const [playError, setPlayError] = useState<string | null>(null);

  const load = async () => {
    setLoading(true);
    setLoadError(null);
    try {
      setVoices(await backend.voices());
    } catch (e) {
      setLoadError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    if (autoLoad) void load();
    // Only the switch to true loads; load itself changes with every render.
  }, [autoLoad]);

  const play = async (id: string) => {
    if (playing !== null) return;
    setPlaying(id);
    setPlayError(null);
    try {
      await backend.previewVoice(id);
    } catch (e) {
      setPlayError(errorMessage(e));
    } finally {
      setPlaying(null);
    }
  };

  const current = voiceId.trim();
  const known = voices?.some((v) => v.id === current) ?? true;

  return (
    <Paper withBorder p="md" data-testid="voice-section">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={5}>Voice</Title>
          <Group gap="xs">
            <Button size="xs" variant="default" onClick={() => void load()} loading={loading} data-testid="voices-load">
              {voices ? "Reload voices" : "Load voices"}
            </Button>
            <Button
              size="xs"
              variant="default"
              onClick={() => void play("")}
              loading={playing === ""}
              disabled={playing !== null && playing !== ""}
              data-testid="voice-test"
            >
              Test voice
            </Button>
          </Group>
        </Group>
        <Text size="xs" c="dimmed" data-testid="voice-test-note">
          Test voice speaks a sample with the saved voice and settings
          {dirty ? ": save your changes first to hear them" : ""}. Preview uses the listed voice with the saved settings.
        </Text>
        {loadError && (
          <Text size="sm" c="red" style={{ wordBreak: "break-word" }} data-testid="voices-error">
            {loadError}
          </Text>
        )}
        {playError && (
          <Text size="sm" c="red" style={{ wordBreak: "break-word" }} data-testid="voice-play-error">
            {playError}
          </Text>
        )}
        {voices && voices.length === 0 && (
          <Text size="sm" c="dimmed" data-testid="voices-empty">
            This ElevenLabs account has no voices.
          </Text>
        )}
        {voices && voices.length > 0 && !known && current !== "" && (
          <Text size="xs" c="yellow.8" data-testid="voice-unknown">
            The Voice ID above is not one of this account's voices.
          </Text>
        )}
        {voices && voices.length > 0 && (
          <Table verticalSpacing={4} data-testid="voices">
            <Table.Tbody>
              {voices.map((v) => {
                const isCurrent = v.id === current;
                return (
                  <Table.Tr key={v.id} data-testid="voice" data-id={v.id} data-current={isCurrent}>
                    <Table.Td>
                      <Group gap={6}>
                        <Text size="sm" fw={500}>
                          {v.name}
                        </Text>
                        {v.category && (
                          <Badge size="xs" variant="light" color="gray" style={{ textTransform: "none" }}>
                            {v.category}
                          </Badge>
                        )}
                        {isCurrent && (
                          <Badge size="xs" color="teal" data-testid="voice-current">
                            In use
                          </Badge>
                        )}
                      </Group>
                      {v.description && (
                        <Text size="xs" c="dimmed">
                          {v.description}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td w={1} style={{ whiteSpace: "nowrap" }}>
                      <Group gap={4} wrap="nowrap">
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          onClick={() => void play(v.id)}
                          loading={playing === v.id}
                          disabled={playing !== null && playing !== v.id}
                          aria-label={`Preview ${v.name}`}
                          data-testid="voice-preview"
                        >
                          Preview
                        </Button>
                        <Button
                          size="compact-xs"
                          variant="light"
                          onClick={() => onUse(v.id)}
                          disabled={isCurrent}
                          aria-label={`Use ${v.name}`}
                          data-testid="voice-use"
                        >
                          Use
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Paper>
  );
}
