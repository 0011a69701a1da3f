import twilio from "twilio";

/** X-Twilio-Signature over a form-encoded webhook: HMAC-SHA1 of the full URL and the sorted parameters. */
export function isValidFormSignature(authToken: string, signature: string, url: string, params: Record<string, unknown>): boolean {
  return twilio.validateRequest(authToken, signature, url, params);
}

/** X-Twilio-Signature over a JSON webhook: the URL carries `bodySHA256`, which must match the raw body. */
export function isValidBodySignature(authToken: string, signature: string, url: string, rawBody: string): boolean {
  return twilio.validateRequestWithBody(authToken, signature, url, rawBody);
}
