// Export settings to a JSON file (never with secrets) and import them back, or from the original config.json
// (whose keys are moved into the keychain).
import { useState } from "react";
import { Alert, Button, Code, CopyButton, FileInput, Group, List, Stack, Text, Textarea, Title } from "@mantine/core";
import { backend, errorMessage, useAction, type ImportResult } from "../../api";
import { fileStamp } from "../../lib/download";
import { notify } from "../../components/notify";

export function TransferSection() {
  return (
    <Stack gap="xl">
      <ExportPanel />
      <ImportPanel />
    </Stack>
  );
}

function ExportPanel() {
  const exp = useAction(backend.exportSettings);
  const onExport = async () => {
    const r = await exp.run();
    if (!r.ok) return;
    try {
      const path = await backend.saveText(`tonnytray-settings-${fileStamp()}.json`, r.value, "application/json");
      if (path === "") return; // the user cancelled the dialog
      notify("success", "Settings exported", `${path ? `Saved to ${path}. ` : ""}The file holds no secrets.`, "notice-settings-exported");
    } catch (e) {
      notify("error", "Could not save the settings", errorMessage(e), "notice-settings-export-failed");
    }
  };
  return (
    <Stack gap="xs">
      <Title order={4}>Export</Title>
      <Text size="sm" c="dimmed">
        Saves every setting as a JSON file. Secrets are never included.
      </Text>
      <Group>
        <Button onClick={onExport} loading={exp.busy} data-testid="settings-export">
          Export settings…
        </Button>
        {exp.result !== undefined && (
          <CopyButton value={exp.result}>
            {({ copied, copy }) => (
              <Button variant="default" onClick={copy} data-testid="settings-export-copy">
                {copied ? "Copied" : "Copy JSON to clipboard"}
              </Button>
            )}
          </CopyButton>
        )}
      </Group>
      {exp.error && (
        <Alert color="red" title="Export failed">
          {exp.error.message}
        </Alert>
      )}
    </Stack>
  );
}

function ImportPanel() {
  const [text, setText] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const imp = useAction(backend.importSettings);

  const onFile = async (f: File | null) => {
    setFile(f);
    setReadError(null);
    imp.reset();
    if (!f) return;
    try {
      setText(await f.text());
    } catch (e) {
      setReadError(`Could not read ${f.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const onImport = async () => {
    const r = await imp.run(text);
    if (r.ok) notify("success", "Settings imported", importSummary(r.value), "notice-settings-imported");
  };

  return (
    <Stack gap="xs">
      <Title order={4}>Import</Title>
      <Text size="sm" c="dimmed">
        Choose an exported file (or the original config.json), or paste its content. Keys found in it are moved to the keychain.
      </Text>
      <FileInput
        label="Settings file"
        placeholder="Choose a .json file"
        accept="application/json,.json"
        value={file}
        onChange={onFile}
        clearable
        error={readError}
        data-testid="settings-import-file"
      />
      <Textarea
        label="Settings JSON"
        value={text}
        onChange={(e) => {
          setText(e.currentTarget.value);
          imp.reset();
        }}
        autosize
        minRows={4}
        maxRows={14}
        spellCheck={false}
        styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
        data-testid="settings-import-text"
      />
      <Group>
        <Button onClick={onImport} disabled={text.trim() === ""} loading={imp.busy} data-testid="settings-import">
          Import
        </Button>
      </Group>
      {imp.result && <ImportReport result={imp.result} />}
      {imp.error && (
        <Alert color="red" title="Import failed" data-testid="settings-import-error">
          <Text size="sm">{imp.error.message}</Text>
          {imp.error.fields && (
            <List size="sm" mt="xs">
              {imp.error.fields.map((f) => (
                <List.Item key={f.field + f.message}>
                  <Code>{f.field}</Code> {f.message}
                </List.Item>
              ))}
            </List>
          )}
        </Alert>
      )}
    </Stack>
  );
}

/** One-line summary of an import for the notification. */
export function importSummary(r: ImportResult): string {
  const parts = ["Settings applied."];
  if (r.secretsImported.length > 0) parts.push(`${r.secretsImported.length} secret(s) moved to the keychain.`);
  if (r.warnings.length > 0) parts.push(`${r.warnings.length} warning(s).`);
  if (r.restartNeeded.length > 0) parts.push(`Restart needed for ${r.restartNeeded.join(", ")}.`);
  return parts.join(" ");
}

function ImportReport({ result }: { result: ImportResult }) {
  return (
    <Alert color={result.warnings.length > 0 ? "yellow" : "teal"} title="Imported" data-testid="settings-import-result">
      <Stack gap="xs">
        {result.secretsImported.length > 0 ? (
          <Text size="sm">
            Moved to the keychain:{" "}
            {result.secretsImported.map((k) => (
              <Code key={k} mr={4}>
                {k}
              </Code>
            ))}
          </Text>
        ) : (
          <Text size="sm">No secrets were in the file.</Text>
        )}
        {result.restartNeeded.length > 0 && <Text size="sm">Restart needed for {result.restartNeeded.join(", ")}.</Text>}
        {result.warnings.length > 0 && (
          <>
            <Text size="sm" fw={600}>
              Warnings
            </Text>
            <List size="sm">
              {result.warnings.map((w, i) => (
                <List.Item key={i}>{w}</List.Item>
              ))}
            </List>
          </>
        )}
      </Stack>
    </Alert>
  );
}
