import type { ReactNode } from "react";
import { render } from "@testing-library/react";
import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { LiveProvider, SnapshotProvider } from "../api";

/** Renders UI inside the same providers main.tsx uses. */
export function renderApp(ui: ReactNode) {
  return render(
    <MantineProvider>
      <Notifications />
      <SnapshotProvider>
        <LiveProvider>{ui}</LiveProvider>
      </SnapshotProvider>
    </MantineProvider>,
  );
}
