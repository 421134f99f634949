import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { AppShell, Burger, Group, NavLink, Text, useMantineColorScheme } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useSnapshot } from "./api";
import { AdminPinBanner } from "./components/AdminPinBanner";
import { AppStateIndicator, PausedBanner } from "./components/AppStateIndicator";
import { NoticeListener } from "./components/NoticeListener";
import { PinRequestListener } from "./components/PinRequestListener";
import { StatusBanner } from "./components/StatusBanner";
import { DashboardPage } from "./pages/dashboard/DashboardPage";
import { LogsPage } from "./pages/logs/LogsPage";
import { FamilyPage } from "./pages/profiles/FamilyPage";
import { SettingsPage } from "./pages/settings/SettingsPage";
import { SetupPage } from "./pages/setup/SetupWizard";
import { needsSetup } from "./pages/setup/steps";
import { colorSchemeFor } from "./theme";

/** The pages in the navigation. */
const PAGES = [
  { id: "dashboard", label: "Dashboard", render: () => <DashboardPage /> },
  { id: "settings", label: "Settings", render: () => <SettingsPage /> },
  { id: "profiles", label: "Profiles", render: () => <FamilyPage /> },
  { id: "logs", label: "Logs", render: () => <LogsPage /> },
] as const;

// The first-run wizard, full width and not in the navigation: opened on first run, by its hash, or by Settings.
const SETUP_PAGE = { id: "setup", label: "Setup", render: () => <SetupPage /> } as const;
const ALL_PAGES = [...PAGES, SETUP_PAGE];

type PageId = (typeof ALL_PAGES)[number]["id"];

function pageFromHash(): PageId {
  // "#/profiles?pin=Dad" is the Profiles page (with a request for its PIN pad).
  const h = window.location.hash.replace(/^#\/?/, "").split("?")[0];
  return ALL_PAGES.find((p) => p.id === h)?.id ?? "dashboard";
}

/** Applies the general.theme setting; "system" follows the desktop's light/dark preference. */
function useThemeSetting() {
  const { snapshot } = useSnapshot();
  const { setColorScheme } = useMantineColorScheme();
  const wanted = colorSchemeFor(snapshot?.settings.general.theme);
  useEffect(() => setColorScheme(wanted), [wanted, setColorScheme]);
}

/**
 * Opens the setup wizard instead of the requested page when the first snapshot of this load says setup is due.
 * Decided once, before that snapshot is painted, so the wizard is the first screen with data (see uiReady).
 */
function useFirstRunSetup(setPage: (id: PageId) => void) {
  const { snapshot } = useSnapshot();
  const decided = useRef(false);
  useLayoutEffect(() => {
    if (!snapshot || decided.current) return;
    decided.current = true;
    if (!needsSetup(snapshot)) return;
    window.location.hash = "/setup";
    setPage("setup");
  }, [snapshot, setPage]);
}

export function App() {
  const [page, setPage] = useState<PageId>(pageFromHash);
  const [opened, { toggle, close }] = useDisclosure();
  useThemeSetting();
  useFirstRunSetup(setPage);

  useEffect(() => {
    const onHash = () => setPage(pageFromHash());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  const go = (id: PageId) => {
    window.location.hash = `/${id}`;
    setPage(id);
    close();
  };

  const current = ALL_PAGES.find((p) => p.id === page) ?? PAGES[0];
  const collapsed = { mobile: !opened, desktop: page === SETUP_PAGE.id };
  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 210, breakpoint: "sm", collapsed }} padding="lg">
      <NoticeListener />
      <PinRequestListener />
      <AppShell.Header>
        <Group h="100%" px="md" gap="sm" wrap="nowrap">
          <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
          <Text fw={700} size="lg" style={{ flexShrink: 0 }}>
            TonnyTray
          </Text>
          <AppStateIndicator />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Main">
        {PAGES.map((p) => (
          <NavLink
            key={p.id}
            label={p.label}
            active={p.id === page}
            onClick={() => go(p.id)}
            href={`#/${p.id}`}
            data-testid={`nav-${p.id}`}
            aria-current={p.id === page ? "page" : undefined}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <PausedBanner />
        <AdminPinBanner />
        <StatusBanner />
        {current.render()}
      </AppShell.Main>
    </AppShell>
  );
}
