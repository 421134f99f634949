import { createTheme, type MantineColorScheme } from "@mantine/core";

/** A calm, readable theme: teal accents, comfortable radius, system fonts. */
export const theme = createTheme({
  primaryColor: "teal",
  defaultRadius: "md",
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Ubuntu, Cantarell, sans-serif",
  fontFamilyMonospace: "ui-monospace, 'DejaVu Sans Mono', 'Liberation Mono', Menlo, monospace",
  headings: { fontWeight: "600" },
});

/** Maps the general.theme setting (system | light | dark) to Mantine's color scheme. */
export function colorSchemeFor(setting: string | undefined): MantineColorScheme {
  return setting === "light" || setting === "dark" ? setting : "auto";
}
