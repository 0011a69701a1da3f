import { createHash } from "node:crypto";
import { rewritePath } from "../../src/http/operation-router.js";
import twilio from "twilio";
import type { RequestShape } from "./request-shape.js";
import type { WireRequest } from "./wire-client.js";

/** What encoding a request needs beyond its shape: where the server is, and the webhook signers' keys. */
export interface EncodeContext {
  baseUrl: string;
  phpCompatBasePath: string;
  /** Signs Twilio webhooks (the auth token of the tenant named by `AccountSid`). */
  twilioAuthToken: string;
  /** Signs SendGrid Event Webhooks (timestamp + raw body). */
  signSendgrid(timestamp: string, payload: string): string;
}

const FORM = "application/x-www-form-urlencoded";

function formOf(body: unknown): URLSearchParams {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries((body ?? {}) as Record<string, unknown>))
    for (const item of [value].flat()) form.append(name, typeof item === "string" ? item : JSON.stringify(item));
  return form;
}

/** The body bytes of a shape, as its media type encodes it. */
export function bodyBytes(shape: RequestShape): Buffer | undefined {
  if (shape.rawBody) return shape.rawBody;
  if (shape.body === undefined) return undefined;
  return Buffer.from(shape.mediaType === FORM ? formOf(shape.body).toString() : JSON.stringify(shape.body), "utf8");
}

const isJsonType = (contentType: string | null | undefined) => (contentType ?? "").split(";")[0]!.trim().toLowerCase() === "application/json";

/** Encodes a shape into the exact request to send, signed as Twilio or SendGrid would sign it when the operation needs that. */
export function encodeRequest(shape: RequestShape, context: EncodeContext): WireRequest {
  const operation = shape.operation;
  const template = rewritePath(operation.path, { "/twilio": context.phpCompatBasePath });
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => shape.path[name] ?? "");
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(shape.query)) for (const item of [value].flat()) query.append(name, item);
  const headers: Record<string, string> = { ...shape.headers };
  const body = bodyBytes(shape);
  const contentType = shape.contentType === undefined ? shape.mediaType : shape.contentType;
  if (body && contentType !== null && contentType !== undefined) headers["content-type"] = contentType;

  if (operation.securityScheme === "twilioSignature" && body) {
    // Twilio signs JSON bodies through `bodySHA256` in the URL, form bodies through their sorted parameters.
    if (isJsonType(contentType)) query.append("bodySHA256", createHash("sha256").update(body).digest("hex"));
    const url = `${context.baseUrl}${path}${query.size > 0 ? `?${query}` : ""}`;
    const params = isJsonType(contentType) ? {} : Object.fromEntries(new URLSearchParams(body.toString("utf8")));
    headers["x-twilio-signature"] ??= twilio.getExpectedTwilioSignature(context.twilioAuthToken, url, params);
  }
  if (operation.securityScheme === "sendgridSignature" && body) {
    const timestamp = headers["x-twilio-email-event-webhook-timestamp"] ?? String(Math.floor(Date.now() / 1000));
    headers["x-twilio-email-event-webhook-signature"] ??= context.signSendgrid(timestamp, body.toString("utf8"));
  }
  if (operation.securityScheme === "bearerAuth" && shape.token && headers.authorization === undefined) headers.authorization = `Bearer ${shape.token}`;
  return { method: operation.method.toUpperCase(), path: `${path}${query.size > 0 ? `?${query}` : ""}`, headers, body };
}

const safeDecode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/**
 * Whether the contract accepts the shape's parameters and body (judged by a separately loaded copy of the contract's
 * validators): a request it refuses must be refused by the gateway with a 4xx, before any upstream call.
 */
export function contractAccepts(shape: RequestShape): boolean {
  const operation = shape.operation;
  const body = bodyBytes(shape);
  const query: Record<string, unknown> = { ...shape.query };
  if (operation.securityScheme === "twilioSignature" && isJsonType(shape.mediaType)) query.bodySHA256 = "0".repeat(64);
  try {
    operation.parseParameters({
      path: Object.fromEntries(Object.entries(shape.path).map(([name, value]) => [name, safeDecode(value)])),
      query,
      headers: shape.headers,
    });
    if (operation.bodyMediaTypes.length === 0) return true;
    const parsed = shape.mediaType === FORM ? formFields(body) : shape.body === undefined ? undefined : asSent(shape.body);
    operation.parseBody(parsed, (body?.length ?? 0) > 0, shape.mediaType);
    return true;
  } catch {
    return false;
  }
}

/** The body as the server will see it (undefined dropped, a fresh copy); a value too deep to copy is judged as is. */
function asSent(body: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(body));
  } catch {
    return body;
  }
}

function formFields(body: Buffer | undefined): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body?.toString("utf8") ?? "")) {
    const existing = fields[name];
    fields[name] = existing === undefined ? value : [existing, value].flat();
  }
  return fields;
}
