// The tray cannot ask for a PIN itself: on its request, show the Profiles page with the PIN pad open.
import { useEvent } from "../api";
import { requestPin } from "../pages/profiles/pinRequest";

export function PinRequestListener() {
  useEvent("profile:pin_needed", (p) => requestPin(p.profile));
  return null;
}
