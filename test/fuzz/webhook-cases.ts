import { createHash, generateKeyPairSync, sign } from "node:crypto";
import twilio from "twilio";
import { encodeRequest, type EncodeContext } from "./encode-request.js";
import { baselineFor, type FuzzContext } from "./fuzz-context.js";
import type { FuzzCase } from "./fuzz-runner.js";
import { bodySchemaOf, withSlot, type RequestShape } from "./request-shape.js";
import { resolveSchema } from "./schema-samples.js";
import type { WireRequest } from "./wire-client.js";

type Change = (wire: WireRequest) => WireRequest;

const without = (name: string): Change => (wire) => {
  const headers = { ...wire.headers };
  delete headers[name];
  return { ...wire, headers };
};
const withHeader = (name: string, value: string): Change => (wire) => ({ ...wire, headers: { ...wire.headers, [name]: value } });
const appendToBody = (text: string): Change => (wire) => ({ ...wire, body: Buffer.concat([wire.body ?? Buffer.alloc(0), Buffer.from(text)]) });

/** A key pair that is not SendGrid's: what a forger would sign with. */
const forgerKey = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;

function webhookCase(context: FuzzContext, name: string, shape: RequestShape, encode: Partial<EncodeContext> = {}, change: Change = (w) => w, expect: FuzzCase["expect"] = "rejected"): FuzzCase {
  return {
    category: "webhook signatures",
    name,
    operationId: shape.operation.operationId,
    expect,
    wire: change(encodeRequest(shape, { ...context.encode, ...encode })),
    caller: "none",
  };
}

/** Twilio-signed operations: missing, empty, forged, other tenant's, stale URL or body, unknown account. */
function* twilioSignatureCases(context: FuzzContext): Generator<FuzzCase> {
  const { t, rng } = context;
  const SIGNATURE = "x-twilio-signature";
  for (const operation of context.operations.filter((op) => op.securityScheme === "twilioSignature")) {
    for (const mediaType of operation.bodyMediaTypes) {
      const baseline = baselineFor(context, operation, mediaType);
      const kind = mediaType.includes("json") ? "JSON" : "form";
      const named = (name: string) => `${kind}: ${name}`;
      const account = (value: string | undefined) => withSlot(baseline, { in: "body", key: ["AccountSid"] }, value);
      yield webhookCase(context, named("no X-Twilio-Signature"), baseline, {}, without(SIGNATURE));
      yield webhookCase(context, named("an empty X-Twilio-Signature"), baseline, {}, withHeader(SIGNATURE, ""));
      yield webhookCase(context, named("a random signature"), baseline, {}, withHeader(SIGNATURE, Buffer.from(rng.hex(40), "hex").toString("base64")));
      yield webhookCase(context, named("a signature that is not base64"), baseline, {}, withHeader(SIGNATURE, "ÿþ not base64 !!"));
      yield webhookCase(context, named("an 8 KB signature"), baseline, {}, withHeader(SIGNATURE, "A".repeat(8 * 1024)));
      yield webhookCase(context, named("signed with beta's auth token"), baseline, { twilioAuthToken: t.tenants.beta.authToken });
      yield webhookCase(context, named("signed for another host"), baseline, { baseUrl: "https://evil.example" });
      yield webhookCase(
        context,
        named("signed for another host named by Origin, Host and X-Forwarded-*"),
        baseline,
        { baseUrl: "https://evil.example" },
        (wire) => ({ ...wire, headers: { ...wire.headers, origin: "https://evil.example", host: "evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" } }),
      );
      yield webhookCase(context, named("a query parameter added after signing"), baseline, {}, (wire) => ({ ...wire, path: `${wire.path}${wire.path.includes("?") ? "&" : "?"}fuzz=1` }));
      yield webhookCase(context, named("the body changed after signing"), baseline, {}, appendToBody(kind === "form" ? "&Body=tampered" : " "));
      yield webhookCase(context, named("an unknown AccountSid"), account(`AC${rng.hex(32)}`));
      yield webhookCase(context, named("beta's AccountSid signed with alpha's token"), account(t.tenants.beta.accountSid));
      yield webhookCase(context, named("no AccountSid"), account(undefined));
      yield webhookCase(context, named("alpha's AccountSid with beta's ChatServiceSid"), withSlot(baseline, { in: "body", key: ["ChatServiceSid"] }, t.tenants.beta.conversationsServiceSid));
      yield webhookCase(context, named("a Bearer token instead of a signature"), baseline, {}, (wire) => withHeader("authorization", `Bearer ${context.tokens.alpha}`)(without(SIGNATURE)(wire)));
      if (kind === "JSON") {
        const mismatched: Change = (wire) => {
          const path = wire.path.replace(/bodySHA256=[0-9a-f]{64}/, `bodySHA256=${createHash("sha256").update("other").digest("hex")}`);
          return withHeader(SIGNATURE, twilio.getExpectedTwilioSignature(t.tenants.alpha.authToken, `${t.baseUrl}${path}`, {}))({ ...wire, path });
        };
        const unhashed: Change = (wire) => {
          const path = wire.path.replace(/[?&]bodySHA256=[0-9a-f]{64}/, "");
          return withHeader(SIGNATURE, twilio.getExpectedTwilioSignature(t.tenants.alpha.authToken, `${t.baseUrl}${path}`, {}))({ ...wire, path });
        };
        yield webhookCase(context, named("a signed bodySHA256 that is not the body's"), baseline, {}, mismatched);
        yield webhookCase(context, named("no bodySHA256"), baseline, {}, unhashed);
      }
    }
  }
}

/** SendGrid's signed Event Webhook: missing or stale headers, forged signatures, tampered bodies, tenants that do not match. */
function* sendgridSignatureCases(context: FuzzContext): Generator<FuzzCase> {
  const SIGNATURE = "x-twilio-email-event-webhook-signature";
  const TIMESTAMP = "x-twilio-email-event-webhook-timestamp";
  const seconds = (offset = 0) => String(Math.floor(Date.now() / 1000) + offset);
  for (const operation of context.operations.filter((op) => op.securityScheme === "sendgridSignature")) {
    const baseline = baselineFor(context, operation);
    const at = (timestamp: string) => ({ ...baseline, headers: { ...baseline.headers, [TIMESTAMP]: timestamp } });
    const tenant = (value: string | undefined) => withSlot(baseline, { in: "body", key: ["0", "tenantId"] }, value);
    yield webhookCase(context, "no signature header", baseline, {}, without(SIGNATURE));
    yield webhookCase(context, "no timestamp header", baseline, {}, without(TIMESTAMP));
    yield webhookCase(context, "a timestamp that is not a number", at("yesterday"));
    yield webhookCase(context, "a timestamp 10 minutes old", at(seconds(-600)));
    yield webhookCase(context, "a timestamp 10 minutes ahead", at(seconds(600)));
    yield webhookCase(context, "a 13-digit timestamp", at("1".repeat(13)));
    yield webhookCase(context, "a random signature", baseline, {}, withHeader(SIGNATURE, Buffer.from(context.rng.hex(70), "hex").toString("base64")));
    yield webhookCase(context, "a signature that is not base64", baseline, {}, withHeader(SIGNATURE, "ÿþ not base64 !!"));
    yield webhookCase(context, "signed by another key", baseline, {
      signSendgrid: (timestamp, payload) => sign("sha256", Buffer.from(timestamp + payload), forgerKey).toString("base64"),
    });
    yield webhookCase(context, "signed over another timestamp", baseline, {}, (wire) => withHeader(TIMESTAMP, String(Number(wire.headers[TIMESTAMP]) - 1))(wire));
    yield webhookCase(context, "the body changed after signing", baseline, {}, appendToBody(" "));
    yield webhookCase(context, "events naming an unknown tenant", tenant("gamma"));
    yield webhookCase(context, "events naming no tenant", tenant(undefined));
    yield webhookCase(context, "an empty event array", { ...baseline, body: [] });
  }
}

/**
 * Webhooks signed for alpha that name beta's conversation and messages: accepted or ignored, but beta's data must
 * not change (checked at the end of the run).
 */
export function* crossTenantWebhookCases(context: FuzzContext): Generator<FuzzCase> {
  const beta = context.beta.source;
  const crossCase = (name: string, shape: RequestShape): FuzzCase => ({ ...webhookCase(context, name, shape, {}, undefined, "answered"), category: "cross-tenant" });
  for (const operation of context.operations.filter((op) => op.securityScheme === "twilioSignature" || op.securityScheme === "sendgridSignature")) {
    const baseline = baselineFor(context, operation);
    const schema = bodySchemaOf(context.document, operation, baseline.mediaType!);
    const fields = Object.keys(schema.properties ?? resolveSchema(context.document, schema.items).properties ?? {});
    const set = (shape: RequestShape, values: Record<string, string>, prefix: string[] = []) =>
      Object.entries(values).reduce((s, [name, value]) => withSlot(s, { in: "body", key: [...prefix, name] }, value), shape);
    if (operation.securityScheme === "sendgridSignature")
      yield crossCase("alpha-signed events naming beta's conversation and message", set(baseline, { event: "bounce", conversationSid: beta.conversationSid, messageSid: beta.messageSid }, ["0"]));
    else if (fields.includes("ConversationSid"))
      yield crossCase(
        "an alpha-signed event naming beta's conversation and message",
        set(baseline, { EventType: "onMessageUpdated", ChatServiceSid: context.alpha.source.serviceSid, ConversationSid: beta.conversationSid, MessageSid: beta.messageSid, Body: "cross" }),
      );
    else if (fields.includes("MessageStatus"))
      yield crossCase("an alpha-signed status callback whose URL names beta's message", {
        ...set(baseline, { MessageStatus: "failed" }),
        query: { ...baseline.query, conversationSid: beta.conversationSid, messageSid: beta.messageSid },
      });
  }
}

/**
 * Conversations events (every type that reads Twilio) naming a well-formed conversation or message that does not
 * exist, as a late event about a deleted one does: 200 `ignored`, never a status the contract does not declare.
 */
export function* unknownResourceWebhookCases(context: FuzzContext): Generator<FuzzCase> {
  const operation = context.operations.find((op) => op.operationId === "receiveConversationWebhook");
  if (!operation) return;
  const { rng } = context;
  const now = new Date().toISOString();
  const events: Array<Record<string, string>> = [
    { EventType: "onConversationAdded", FriendlyName: "gone", Attributes: "{}", State: "active", DateCreated: now, DateUpdated: now },
    { EventType: "onConversationUpdated", FriendlyName: "gone", Attributes: "{}", State: "active", DateCreated: now, DateUpdated: now },
    { EventType: "onConversationStateUpdated", StateTo: "closed", DateUpdated: now },
    { EventType: "onMessageAdded", MessageSid: `IM${rng.hex(32)}`, Index: "3", Author: "+15550000000", Body: "late", Source: "SMS", DateCreated: now },
    { EventType: "onDeliveryUpdated", MessageSid: `IM${rng.hex(32)}`, DeliveryReceiptSid: `DY${rng.hex(32)}`, Status: "delivered" },
    { EventType: "onParticipantAdded", ParticipantSid: `MB${rng.hex(32)}` },
    { EventType: "onParticipantRemoved", ParticipantSid: `MB${rng.hex(32)}` },
  ];
  for (const mediaType of operation.bodyMediaTypes) {
    const baseline = baselineFor(context, operation, mediaType);
    for (const event of events) {
      const values = { ChatServiceSid: context.alpha.source.serviceSid, ConversationSid: `CH${rng.hex(32)}`, ...event };
      const shape = Object.entries(values).reduce((s, [name, value]) => withSlot(s, { in: "body", key: [name] }, value), baseline);
      yield {
        ...webhookCase(context, `${mediaType.includes("json") ? "JSON" : "form"}: a late ${event.EventType} about a conversation that is gone`, shape, {}, undefined, "answered"),
        category: "unknown SIDs",
        verify: (status, body) => (status === 200 && body?.status === "ignored" ? undefined : `expected 200 ignored, got ${status} ${JSON.stringify(body)}`),
      };
    }
  }
}

/** Every webhook operation with its signature missing, forged, stale or another tenant's. */
export function* webhookCases(context: FuzzContext): Generator<FuzzCase> {
  yield* twilioSignatureCases(context);
  yield* sendgridSignatureCases(context);
}
