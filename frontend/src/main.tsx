import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import { LiveProvider, SnapshotProvider } from "./api";
import { App } from "./App";
import { theme } from "./theme";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <Notifications position="bottom-right" limit={5} />
      <SnapshotProvider>
        <LiveProvider>
          <App />
        </LiveProvider>
      </SnapshotProvider>
    </MantineProvider>
  </StrictMode>,
);
