import twilio from "twilio";
import type { ApiClient } from "./api-client.js";

/**
 * Posts a form webhook signed as Twilio signs it (with the `twilio` package's own signer, not the gateway's or the
 * emulator's code), through the contract-checking client. `signedUrl` is the URL the signature covers, when a test
 * signs for another deployment than the one it posts to.
 */
export async function postSignedForm(
  client: ApiClient,
  baseUrl: string,
  path: string,
  params: Record<string, string>,
  authToken: string,
  headers: Record<string, string> = {},
  signedUrl = `${baseUrl}${path}`,
): Promise<{ status: number; body: any }> {
  const response = await client.withToken(null).request("POST", path, {
    rawBody: new URLSearchParams(params).toString(),
    contentType: "application/x-www-form-urlencoded",
    headers: { "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, signedUrl, params), ...headers },
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
  options: { bodySha256?: string; headers?: Record<string, string>; signedBaseUrl?: string } = {},
): Promise<{ status: number; body: any }> {
  const raw = JSON.stringify(body);
  const pathWithQuery = `${path}?bodySHA256=${options.bodySha256 ?? twilio.getExpectedBodyHash(raw)}`;
  const signedUrl = `${options.signedBaseUrl ?? baseUrl}${pathWithQuery}`;
  const response = await client.withToken(null).request("POST", pathWithQuery, {
    rawBody: raw,
    headers: { "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, signedUrl, {}), ...options.headers },
  });
  return { status: response.status, body: response.body };
}
