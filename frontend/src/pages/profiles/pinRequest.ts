// A request for the PIN pad lives in the hash ("#/profiles?pin=Dad"), so the tray's request, a refused click
// and a reload all open the same pad the same way.
import { useEffect, useState } from "react";

/** The profile whose PIN pad the hash asks for, or null. */
export function pinRequestFromHash(hash: string = window.location.hash): string | null {
  const query = hash.split("?")[1];
  return query ? new URLSearchParams(query).get("pin") || null : null;
}

/** Goes to the Profiles page with the PIN pad open for `name`. */
export function requestPin(name: string): void {
  window.location.hash = `/profiles?pin=${encodeURIComponent(name)}`;
}

/** Closes the PIN pad, staying on the Profiles page. */
export function clearPinRequest(): void {
  if (pinRequestFromHash() !== null) window.location.hash = "/profiles";
}

/** The profile whose PIN pad is asked for, following the hash. */
export function usePinRequest(): string | null {
  const [name, setName] = useState(() => pinRequestFromHash());
  useEffect(() => {
    const onHash = () => setName(pinRequestFromHash());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  return name;
}
