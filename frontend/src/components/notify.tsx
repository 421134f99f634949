// Thin wrappers over Mantine notifications so every page reports outcomes the same way. The message is
// wrapped in an element with a data-testid, which tests (and the e2e script) look for.
import type { ReactNode } from "react";
import { notifications } from "@mantine/notifications";
import { errorMessage } from "../api";

export type NoticeKind = "success" | "info" | "warning" | "error";

const COLORS: Record<NoticeKind, string> = { success: "teal", info: "blue", warning: "yellow", error: "red" };

export function notify(kind: NoticeKind, title: string, message: ReactNode, testId = `notice-${kind}`): void {
  notifications.show({
    color: COLORS[kind],
    title,
    message: <span data-testid={testId}>{message}</span>,
    autoClose: kind === "error" ? 10_000 : 5_000,
  });
}

/** Reports a failed backend call with the backend's own sentence. */
export function notifyFailure(title: string, err: unknown, testId = "notice-error"): void {
  notify("error", title, errorMessage(err), testId);
}
