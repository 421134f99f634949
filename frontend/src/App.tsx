import { useEffect, useState } from "react";
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
import { colorSchemeFor } from "./theme";

const PAGES = [
  { id: "dashboard", label: "Dashboard", render: () => <DashboardPage /> },
  { id: "settings", label: "Settings", render: () => <SettingsPage /> },
  { id: "profiles", label: "Profiles", render: () => <FamilyPage /> },
  { id: "logs", label: "Logs", render: () => <LogsPage /> },
] as const;

type PageId = (typeof PAGES)[number]["id"];

function pageFromHash(): PageId {
  // "#/profiles?pin=Dad" is the Profiles page (with a request for its PIN pad).
  const h = window.location.hash.replace(/^#\/?/, "").split("?")[0];
  return (PAGES.find((p) => p.id === h)?.id ?? "dashboard") as PageId;
}

/** Applies the general.theme setting; "system" follows the desktop's light/dark preference. */
function useThemeSetting() {
  const { snapshot } = useSnapshot();
  const { setColorScheme } = useMantineColorScheme();
  const wanted = colorSchemeFor(snapshot?.settings.general.theme);
  useEffect(() => setColorScheme(wanted), [wanted, setColorScheme]);
}

export function App() {
  const [page, setPage] = useState<PageId>(pageFromHash);
  const [opened, { toggle, close }] = useDisclosure();
  useThemeSetting();

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

  const current = PAGES.find((p) => p.id === page) ?? PAGES[0];
  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 210, breakpoint: "sm", collapsed: { mobile: !opened } }} padding="lg">
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
