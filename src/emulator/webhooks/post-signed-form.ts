import { webhookSignature } from "./webhook-signature.js";

/** One attempt to deliver a Twilio webhook: form-encoded, signed with the account's auth token, as Twilio sends it. */
export async function postSignedForm(
  target: { url: string; authToken: string; timeoutMs: number },
  params: Record<string, string>,
  idempotencyToken: string,
): Promise<{ headers: Record<string, string>; status: number | null; error?: string }> {
  const headers: Record<string, string> = {
    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
    "User-Agent": "TwilioProxy/1.1",
    "I-Twilio-Idempotency-Token": idempotencyToken,
    "X-Twilio-Signature": webhookSignature(target.authToken, target.url, params),
  };
  try {
    const response = await fetch(target.url, {
      method: "POST",
      headers,
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return { headers, status: response.status };
  } catch (cause) {
    return { headers, status: null, error: cause instanceof Error ? cause.message : String(cause) };
  }
}
