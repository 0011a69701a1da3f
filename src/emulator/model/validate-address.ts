import { TwilioError } from "../twilio-error.js";

const E164 = /^\+[1-9]\d{1,14}$/;

/** The channel an address belongs to: `whatsapp:+E164` is WhatsApp, a bare `+E164` is SMS. */
export function channelOf(address: string): "sms" | "whatsapp" {
  return address.startsWith("whatsapp:") ? "whatsapp" : "sms";
}

function isValid(address: string): boolean {
  const number = address.startsWith("whatsapp:") ? address.slice("whatsapp:".length) : address;
  return address.length <= 256 && E164.test(number);
}

/**
 * Validates a participant's MessagingBinding pair the way Twilio does:
 * 50411/50412 when empty, 50407/50408 when not E.164 (optionally `whatsapp:`-prefixed).
 */
export function validateBinding(address: string, proxyAddress: string | undefined): void {
  if (address === "") throw new TwilioError(400, 50411, "Participant address is empty");
  if (!isValid(address)) throw new TwilioError(400, 50407, "Invalid messaging binding address");
  if (proxyAddress === undefined || proxyAddress === "") {
    throw new TwilioError(400, 50412, "Participant proxy address is empty");
  }
  if (!isValid(proxyAddress) || channelOf(proxyAddress) !== channelOf(address)) {
    throw new TwilioError(400, 50408, "Invalid participant proxy address");
  }
}

/** Validates a group-MMS projected address (a bare E.164 number). */
export function validateProjectedAddress(address: string): void {
  if (!E164.test(address)) throw new TwilioError(400, 50407, "Invalid messaging binding address");
}
