import { createHash } from "node:crypto";
import { webhookSignature } from "../../src/emulator/index.js";
import type { ApiClient } from "./api-client.js";

/**
 * Posts a form webhook signed as Twilio signs it (with the emulator's independent implementation), through the
 * contract-checking client.
 */
export async function postSignedForm(
  client: ApiClient,
  baseUrl: string,
  path: string,
  params: Record<string, string>,
  authToken: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await client.withToken(null).request("POST", path, {
    rawBody: new URLSearchParams(params).toString(),
    contentType: "application/x-www-form-urlencoded",
    headers: { "x-twilio-signature": webhookSignature(authToken, `${baseUrl}${path}`, params), ...headers },
  });
  return { status: response.status, body: response.body };
}

/** Posts a JSON webhook signed the way Twilio signs JSON bodies: `bodySHA256` in the URL, signature over the URL. */
export async function postSignedJson(
  client: ApiClient,
  baseUrl: string,
  path: string,
  body: object,
  authToken: string,
  options: { bodySha256?: string } = {},
): Promise<{ status: number; body: any }> {
  const raw = JSON.stringify(body);
  const pathWithQuery = `${path}?bodySHA256=${options.bodySha256 ?? createHash("sha256").update(raw).digest("hex")}`;
  const response = await client.withToken(null).request("POST", pathWithQuery, {
    rawBody: raw,
    headers: { "x-twilio-signature": webhookSignature(authToken, `${baseUrl}${pathWithQuery}`, {}) },
  });
  return { status: response.status, body: response.body };
}
