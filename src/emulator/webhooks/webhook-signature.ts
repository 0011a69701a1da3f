import { createHmac } from "node:crypto";

/**
 * Twilio's `X-Twilio-Signature`: base64 HMAC-SHA1 keyed by the auth token over the full URL
 * followed by every POST parameter name and value, sorted by name ("Webhooks security").
 */
export function webhookSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac("sha1", authToken).update(Buffer.from(data, "utf-8")).digest("base64");
}
