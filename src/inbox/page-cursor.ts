import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { AppError } from "../errors.js";
import type { TenantInbox } from "./tenant-inbox.js";

/**
 * The message-list cursor clients get in `Link` headers: Twilio's page token, sealed with an HMAC keyed by the tenant
 * (derived from its auth token, so every instance agrees and a restart changes nothing). A cursor the gateway did
 * not issue — or one of another tenant — is refused without asking Twilio. Tenants may share one Twilio account (and
 * so one auth token), so the tenant id and its Conversations Service are in the derivation too.
 */
const keyOf = (inbox: TenantInbox) =>
  createHash("sha256")
    .update(JSON.stringify(["switchboard-page-cursor", inbox.tenant.id, inbox.tenant.conversationsServiceSid, inbox.tenant.authToken]))
    .digest();

const mac = (inbox: TenantInbox, token: string) => createHmac("sha256", keyOf(inbox)).update(token).digest().subarray(0, 12);

export function sealCursor(inbox: TenantInbox, twilioPageToken: string): string {
  return `${Buffer.from(twilioPageToken).toString("base64url")}.${mac(inbox, twilioPageToken).toString("base64url")}`;
}

export function openCursor(inbox: TenantInbox, cursor: string, field = "pageToken"): string {
  const [encoded, signature] = cursor.split(".");
  if (encoded && signature) {
    const token = Buffer.from(encoded, "base64url").toString();
    const given = Buffer.from(signature, "base64url");
    const expected = mac(inbox, token);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return token;
  }
  throw new AppError("validation_failed", `${field} is not a cursor this API issued`, { field });
}
