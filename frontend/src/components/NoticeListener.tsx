import { useEvent } from "../api";
import { notify, type NoticeKind } from "./notify";

const KIND: Record<string, NoticeKind> = { info: "info", warning: "warning", error: "error" };

/** Shows every app:notice from the backend as a notification. Renders nothing. */
export function NoticeListener() {
  useEvent("app:notice", (n) => notify(KIND[n.level] ?? "info", n.title || "TonnyTray", n.message, `notice-app-${n.level}`));
  return null;
}
