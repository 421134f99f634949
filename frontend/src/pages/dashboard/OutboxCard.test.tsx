// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { makeSnapshot, outboxEntry, outboxState } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { OutboxCard } from "./OutboxCard";
import { oldestText, outboxSummary } from "./tonnyView";

const fake = await vi.hoisted(async () => (await import("../../test/fakeBackend")).createFakeBackend());
vi.mock("../../api/backend", () => fake.module);

beforeEach(() => {
  fake.reset();
  fake.module.getSnapshot.mockResolvedValue(makeSnapshot());
  fake.module.retryOutbox.mockResolvedValue(undefined);
  fake.module.discardOutbox.mockResolvedValue(undefined);
});
afterEach(cleanup);

describe("OutboxCard", () => {
  it("shows counts and the reason delivery is paused, and follows outbox:state", async () => {
    const oldest = new Date(Date.now() - 3 * 60_000 - 5_000).toISOString();
    fake.module.getSnapshot.mockResolvedValue(
      makeSnapshot({ outbox: outboxState({ pending: 2, failed: 1, oldestAt: oldest, blocked: "the webhook rejected the auth header (401)" }) }),
    );
    renderApp(<OutboxCard />);
    await waitFor(() => expect(screen.getByTestId("outbox-summary").textContent).toBe("Paused: the webhook rejected the auth header (401)"));
    expect(screen.getByTestId("outbox-pending").textContent).toBe("2 pending");
    expect(screen.getByTestId("outbox-failed").textContent).toBe("1 failed");
    expect(screen.getByTestId("outbox-oldest").textContent).toBe("oldest 3 min");
    await act(async () => fake.emit("outbox:state", outboxState()));
    await waitFor(() => expect(screen.getByTestId("outbox-summary").textContent).toBe("All delivered"));
    expect(screen.getByTestId("outbox-pending").textContent).toBe("0 pending");
    expect(screen.queryByTestId("outbox-oldest")).toBeNull();
    expect((screen.getByTestId("outbox-retry-all") as HTMLButtonElement).disabled).toBe(true);
  });

  it("Retry now retries everything", async () => {
    fake.module.getSnapshot.mockResolvedValue(makeSnapshot({ outbox: outboxState({ pending: 1 }) }));
    renderApp(<OutboxCard />);
    await waitFor(() => expect(screen.getByTestId("outbox-pending").textContent).toBe("1 pending"));
    fireEvent.click(screen.getByTestId("outbox-retry-all"));
    await waitFor(() => expect(fake.module.retryOutbox).toHaveBeenCalledWith(0));
  });

  it("lists the waiting commands, retries a failed one and discards one after confirmation", async () => {
    fake.module.getSnapshot.mockResolvedValue(makeSnapshot({ outbox: outboxState({ pending: 1, failed: 1 }) }));
    fake.module.outbox.mockResolvedValue({
      state: outboxState({ pending: 1, failed: 1 }),
      items: [outboxEntry(7, { text: "close the garage" }), outboxEntry(9, { status: "failed", lastError: "HTTP 500" })],
    });
    renderApp(<OutboxCard />);
    await waitFor(() => expect(screen.getByTestId("outbox-failed").textContent).toBe("1 failed"));
    fireEvent.click(screen.getByTestId("outbox-show"));
    await waitFor(() => expect(screen.getAllByTestId("outbox-item")).toHaveLength(2));
    const [pending, failed] = screen.getAllByTestId("outbox-item");
    expect(pending.textContent).toContain("close the garage");
    expect(within(pending).queryByText("Retry")).toBeNull();
    expect(failed.textContent).toContain("HTTP 500");

    fireEvent.click(screen.getByTestId("outbox-retry-9"));
    await waitFor(() => expect(fake.module.retryOutbox).toHaveBeenCalledWith(9));

    fireEvent.click(screen.getByTestId("outbox-discard-7"));
    expect(fake.module.discardOutbox).not.toHaveBeenCalled();
    fireEvent.click(await screen.findByTestId("outbox-discard-7-confirm"));
    await waitFor(() => expect(fake.module.discardOutbox).toHaveBeenCalledWith(7));

    // The list reloads on outbox:state while open.
    const calls = fake.module.outbox.mock.calls.length;
    fake.module.outbox.mockResolvedValue({ state: outboxState(), items: [] });
    await act(async () => fake.emit("outbox:state", outboxState()));
    await waitFor(() => expect(fake.module.outbox.mock.calls.length).toBeGreaterThan(calls));
    expect(await screen.findByTestId("outbox-list-empty")).toBeTruthy();
  });

  it("shows a failed action inside the list", async () => {
    fake.module.outbox.mockResolvedValue({ state: outboxState({ failed: 1 }), items: [outboxEntry(3, { status: "failed" })] });
    fake.module.retryOutbox.mockRejectedValue(new Error(JSON.stringify({ code: "error", message: "the store is read-only" })));
    renderApp(<OutboxCard />);
    fireEvent.click(await screen.findByTestId("outbox-show"));
    fireEvent.click(await screen.findByTestId("outbox-retry-3"));
    await waitFor(() => expect(screen.getByTestId("outbox-list-error").textContent).toContain("the store is read-only"));
  });
});

describe("outbox words", () => {
  const now = Date.parse("2025-01-01T12:00:00Z");
  it("counts down to the next try while Tonny is unreachable", () => {
    expect(outboxSummary(outboxState({ pending: 2, breaker: "open", retryAt: "2025-01-01T12:00:12Z" }), now)).toEqual({
      text: "Tonny unreachable — next try in 12 s",
      color: "red",
      ticking: true,
    });
    expect(outboxSummary(outboxState({ pending: 2, breaker: "open", retryAt: "2025-01-01T11:59:00Z" }), now).text).toBe(
      "Tonny unreachable — trying again now",
    );
    expect(outboxSummary(outboxState({ pending: 1, lastError: "timeout" }), now).text).toBe("Delivering — last try: timeout");
    expect(outboxSummary(outboxState({ failed: 1 }), now).color).toBe("red");
    expect(outboxSummary(outboxState(), now).text).toBe("All delivered");
  });

  it("says how old the oldest waiting command is", () => {
    expect(oldestText(outboxState({ pending: 1, oldestAt: "2025-01-01T11:59:15Z" }), now)).toBe("oldest 45 s");
    expect(oldestText(outboxState({ pending: 1, oldestAt: "2025-01-01T10:30:00Z" }), now)).toBe("oldest 1 h 30 min");
    expect(oldestText(outboxState({ oldestAt: "2025-01-01T10:30:00Z" }), now)).toBe("");
  });
});
