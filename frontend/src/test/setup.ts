import { afterEach } from "vitest";
import { configure } from "@testing-library/react";
import { notifications } from "@mantine/notifications";

// Shared machines are slow and noisy: wait generously for the UI, never for a fixed time.
configure({ asyncUtilTimeout: 10_000 });

// Mantine's notifications live in a module-level store: start every test with none.
afterEach(() => notifications.clean());

// Browser APIs jsdom lacks but Mantine uses. Harmless in the node environment (no window there).
if (typeof window !== "undefined") {
  if (!window.matchMedia) {
    window.matchMedia = (query: string) =>
      ({
        matches: false,
        media: query,
        onchange: null,
        addListener: () => {},
        removeListener: () => {},
        addEventListener: () => {},
        removeEventListener: () => {},
        dispatchEvent: () => false,
      }) as MediaQueryList;
  }
  if (!("ResizeObserver" in window)) {
    (window as unknown as { ResizeObserver: unknown }).ResizeObserver = class {
      observe() {}
      unobserve() {}
      disconnect() {}
    };
  }
  if (!Element.prototype.scrollIntoView) Element.prototype.scrollIntoView = () => {};
}
export {};
