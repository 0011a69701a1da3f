import { expect } from "chai";
import type { TwilioEmulator } from "../../src/emulator/index.js";
import type { Channel } from "../../src/inbox/inbox-types.js";
import type { TenantConfig } from "../../src/tenants/tenant-config.js";
import type { ApiClient } from "./api-client.js";
import type { GatewayInstance, TestCluster } from "./start-cluster.js";

const CONVERSATIONS = "/api/v1/chat/conversations";

type TenantId = "alpha" | "beta";

/** What the fixtures use of a running gateway: startApp()'s TestApp, or a cluster seen through one instance. */
export interface FixtureTarget {
  emulator: TwilioEmulator;
  tenants: Partial<Record<TenantId, TenantConfig>>;
  api(tenantId?: TenantId): ApiClient;
}

/** A cluster (startCluster) as a fixture target: REST calls go to `instance`, as tenant alpha, its only tenant. */
export function throughInstance(cluster: TestCluster, instance: GatewayInstance): FixtureTarget {
  return {
    emulator: cluster.emulator,
    tenants: { alpha: cluster.tenant },
    api: (tenantId = "alpha") => {
      if (tenantId !== "alpha") throw new Error(`a test cluster serves only tenant alpha, not ${tenantId}`);
      return instance.api();
    },
  };
}

/** Returns a function giving `prefix` + a 4-digit counter: phone numbers no other test of the file binds. */
export function phoneNumbers(prefix: string): () => string {
  let issued = 0;
  return () => `${prefix}${String(++issued).padStart(4, "0")}`;
}

export interface CreateConversationOptions {
  /** friendlyName; `Customer <phone>` when absent. */
  name?: string;
  /** The customer's phone number, its only participant; none when absent. */
  phone?: string;
  tenant?: TenantId;
  /** attributes.channel; the gateway infers SMS from a phone participant when absent. */
  channel?: Channel;
  attributes?: Record<string, unknown>;
  /** Wait until the emulator has delivered the creation's webhooks and the gateway answered them (default true). */
  waitForWebhooks?: boolean;
}

/** POST /conversations through the gateway; fails the test unless it answers 201. */
export async function createConversation<Phone extends string | undefined = undefined>(
  t: FixtureTarget,
  options: CreateConversationOptions & { phone?: Phone } = {},
): Promise<{ sid: string; phone: Phone; body: any }> {
  const { phone, tenant = "alpha", channel, waitForWebhooks = true } = options;
  const attributes = channel ? { ...options.attributes, channel } : options.attributes;
  const response = await t.api(tenant).post(CONVERSATIONS, {
    friendlyName: options.name ?? `Customer ${phone ?? ""}`.trim(),
    participants: phone ? [{ phoneNumber: phone }] : [],
    attributes,
  });
  expect(response.status, response.text).to.equal(201);
  if (waitForWebhooks) await t.emulator.whenIdle();
  return { sid: response.body.sid as string, phone: phone as Phone, body: response.body };
}

export interface InboundMessageOptions {
  /** The customer's phone number (E.164; the `whatsapp:` prefix is added for WhatsApp). */
  from: string;
  body: string;
  tenant?: TenantId;
  /** Which of the tenant's numbers it is sent to (default SMS). */
  channel?: Exclude<Channel, "Email">;
  /** Wait until the emulator has delivered its webhooks and the gateway answered them (default true). */
  waitForWebhooks?: boolean;
  /** Files the customer sent (stored in the emulator's Media Content Service). */
  media?: Array<{ contentType: string; filename?: string; bytes?: Buffer; size?: number }>;
}

/**
 * A customer's SMS or WhatsApp message reaching Twilio (the emulator), which finds or creates the conversation;
 * returns the emulator's account of it (conversationSid, messageSid, participantSid, created).
 */
export async function inboundMessage(t: FixtureTarget, options: InboundMessageOptions) {
  const { tenant: tenantId = "alpha", channel = "SMS", waitForWebhooks = true } = options;
  const tenant = t.tenants[tenantId];
  if (!tenant) throw new Error(`no tenant ${tenantId} in this fixture target`);
  const whatsapp = channel === "WhatsApp";
  const result = await t.emulator.simulateInboundMessage({
    accountSid: tenant.accountSid,
    from: whatsapp ? `whatsapp:${options.from}` : options.from,
    to: whatsapp ? tenant.whatsappNumber! : tenant.phoneNumber!,
    body: options.body,
    ...(options.media ? { media: options.media } : {}),
  });
  if (waitForWebhooks) await t.emulator.whenIdle();
  return result;
}
