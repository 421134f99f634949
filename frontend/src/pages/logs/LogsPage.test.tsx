// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { logEntry, makeSnapshot } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import type { LogQuery } from "../../api";
import { LogsPage } from "./LogsPage";

const fake = await vi.hoisted(async () => (await import("../../test/fakeBackend")).createFakeBackend());
vi.mock("../../api/backend", () => fake.module);

const rows = () => screen.queryAllByTestId("log-row");
const ids = () => rows().map((r) => Number(r.getAttribute("data-log-id")));
const lastQuery = () => fake.module.queryLogs.mock.calls.at(-1)![0] as LogQuery;

beforeEach(() => {
  fake.reset();
  fake.module.getSnapshot.mockResolvedValue(makeSnapshot());
  fake.module.logComponents.mockResolvedValue(["app", "settings"]);
  fake.module.queryLogs.mockImplementation(async (q: LogQuery) => {
    if (q.after > 0) return { entries: [], nextBefore: 0 };
    if (q.before === 0) return { entries: [logEntry(12), logEntry(11, { component: "settings", message: "settings saved" })], nextBefore: 11 };
    return { entries: [logEntry(10), logEntry(9)], nextBefore: 0 };
  });
});
afterEach(cleanup);

describe("LogsPage", () => {
  it("lists entries newest first and loads older ones by keyset", async () => {
    renderApp(<LogsPage />);
    await waitFor(() => expect(ids()).toEqual([12, 11]));
    expect(screen.getByTestId("logs-table")).toBeTruthy();
    expect(within(rows()[1]).getByTestId("log-cell-component").textContent).toBe("settings");

    fireEvent.click(screen.getByTestId("logs-load-older"));
    await waitFor(() => expect(ids()).toEqual([12, 11, 10, 9]));
    expect(lastQuery().before).toBe(11);
    expect(screen.queryByTestId("logs-load-older")).toBeNull();
  });

  it("searches with a debounced text filter", async () => {
    renderApp(<LogsPage />);
    await waitFor(() => expect(ids()).toEqual([12, 11]));
    const calls = fake.module.queryLogs.mock.calls.length;
    fireEvent.change(screen.getByTestId("logs-search"), { target: { value: "set" } });
    fireEvent.change(screen.getByTestId("logs-search"), { target: { value: "settings saved" } });
    await waitFor(() => expect(lastQuery().text).toBe("settings saved"));
    // Only the final text was asked for: typing does not fire a query per keystroke.
    expect(fake.module.queryLogs.mock.calls.slice(calls).map((c) => (c[0] as LogQuery).text)).toEqual(["settings saved"]);
  });

  it("follows live: appends matching log:appended events only", async () => {
    renderApp(<LogsPage />);
    await waitFor(() => expect(ids()).toEqual([12, 11]));
    fireEvent.click(screen.getByTestId("logs-follow"));
    await waitFor(() => expect(fake.listenerCount("log:appended")).toBe(1));

    await act(async () => fake.emit("log:appended", logEntry(13, { message: "live one" })));
    await waitFor(() => expect(ids()).toEqual([13, 12, 11]));

    fireEvent.change(screen.getByTestId("logs-search"), { target: { value: "settings saved" } });
    fake.module.queryLogs.mockResolvedValue({ entries: [logEntry(11, { component: "settings", message: "settings saved" })], nextBefore: 0 });
    await waitFor(() => expect(ids()).toEqual([11]));
    await act(async () => fake.emit("log:appended", logEntry(14, { message: "unrelated" })));
    await act(async () => fake.emit("log:appended", logEntry(15, { component: "settings", message: "settings saved" })));
    await waitFor(() => expect(ids()).toEqual([15, 11]));

    fireEvent.click(screen.getByTestId("logs-follow"));
    await waitFor(() => expect(fake.listenerCount("log:appended")).toBe(0));
  });

  it("polls with `after` when events are unavailable", async () => {
    fake.module.eventsAvailable.mockReturnValue(false);
    renderApp(<LogsPage />);
    await waitFor(() => expect(ids()).toEqual([12, 11]));
    fake.module.queryLogs.mockImplementation(async (q: LogQuery) =>
      q.after === 12 ? { entries: [logEntry(13), logEntry(14)], nextBefore: 0 } : { entries: [], nextBefore: 0 },
    );
    fireEvent.click(screen.getByTestId("logs-follow"));
    await waitFor(() => expect(ids()).toEqual([14, 13, 12, 11]));
    expect(fake.module.queryLogs.mock.calls.some((c) => (c[0] as LogQuery).after === 12)).toBe(true);
  });

  it("shows a row's attributes on click", async () => {
    fake.module.queryLogs.mockResolvedValue({
      entries: [logEntry(3, { message: "settings saved", attrs: { changed: "whisper.port", restart: "whisper-server" } })],
      nextBefore: 0,
    });
    renderApp(<LogsPage />);
    await waitFor(() => expect(ids()).toEqual([3]));
    fireEvent.click(rows()[0]);
    const attrs = await screen.findByTestId("log-detail-attrs");
    expect(attrs.textContent).toContain("changed");
    expect(attrs.textContent).toContain("whisper.port");
    expect(attrs.textContent).toContain("whisper-server");
  });

  it("shows a query failure instead of an empty table", async () => {
    fake.module.queryLogs.mockRejectedValue(new Error(JSON.stringify({ code: "error", message: "query logs: database is locked" })));
    renderApp(<LogsPage />);
    expect((await screen.findByTestId("logs-error")).textContent).toContain("database is locked");
  });
});
