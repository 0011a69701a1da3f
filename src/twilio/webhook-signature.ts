import { timingSafeEqual } from "node:crypto";
import twilio from "twilio";

/**
 * X-Twilio-Signature over a form-encoded webhook: HMAC-SHA1 of the full URL and the sorted parameters. The URL as
 * it was called is checked first, with the SDK's own algorithm (one HMAC); only when that fails does the SDK's
 * validateRequest try the variants Twilio may have signed (with or without the port, escaped), each one more HMAC —
 * it tries the URL without its port first, so a URL with a port cost two or more on every webhook.
 */
export function isValidFormSignature(authToken: string, signature: string, url: string, params: Record<string, unknown>): boolean {
  return sameText(twilio.getExpectedTwilioSignature(authToken, url, params), signature) || twilio.validateRequest(authToken, signature, url, params);
}

/** X-Twilio-Signature over a JSON webhook: the URL carries `bodySHA256`, which must match the raw body. */
export function isValidBodySignature(authToken: string, signature: string, url: string, rawBody: string): boolean {
  return twilio.validateRequestWithBody(authToken, signature, url, rawBody);
}

/** Constant-time comparison (the length of a signature is not secret). */
function sameText(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
