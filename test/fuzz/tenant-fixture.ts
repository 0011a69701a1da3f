import { expect } from "chai";
import { postSignedForm } from "../support/sign-webhook.js";
import type { TestApp } from "../support/start-app.js";
import type { Prng } from "./prng.js";
import type { SampleSource } from "./schema-samples.js";

const CHAT = "/api/v1/chat/conversations";

/** One tenant's data for the fuzz run: an SMS conversation with a phone and an agent participant, messages, a stored SMS. */
export interface TenantFixture {
  source: SampleSource;
  /** Text found only in this tenant's data (conversation name, message bodies, contact email). */
  marker: string;
  /** Every SID and value of this tenant another tenant's caller must never see. */
  identifiers: string[];
}

/** Seeds `tenant` through the gateway (chat API and the inbound SMS webhook) and waits for the webhooks to settle. */
export async function seedTenant(t: TestApp, tenant: "alpha" | "beta", customerPhone: string, rng: Prng): Promise<TenantFixture> {
  const api = t.api(tenant);
  const config = t.tenants[tenant];
  const marker = `${tenant}secret${rng.hex(12)}`;
  const created = await api.post(CHAT, {
    friendlyName: `${marker} conversation`,
    participants: [{ phoneNumber: customerPhone }, { userId: `${marker}-agent` }],
    attributes: { channel: "SMS", contactDetails: { email: `${marker}@example.com` } },
  });
  expect(created.status, created.text).to.equal(201);
  const conversationSid: string = created.body.sid;
  const sent = await api.post(`${CHAT}/${conversationSid}/messages`, { body: `${marker} agent message` });
  expect(sent.status, sent.text).to.equal(201);
  const smsSid = `SM${rng.hex(32)}`;
  const inbound = await postSignedForm(
    api,
    t.baseUrl,
    "/api/twilio/webhook/sms",
    { AccountSid: config.accountSid, MessageSid: smsSid, From: customerPhone, To: config.phoneNumber!, Body: `${marker} customer message` },
    config.authToken,
  );
  expect(inbound.status).to.equal(200);
  await t.emulator.whenIdle();

  const conversation = (await api.get(`${CHAT}/${conversationSid}`)).body;
  const phoneParticipant = conversation.participants.find((p: { messagingBinding: unknown }) => p.messagingBinding);
  const messages = (await api.get(`${CHAT}/${conversationSid}/messages`)).body as Array<{ sid: string }>;
  const stored = (await api.get(`/api/twilio/sms/stored?phoneNumber=${encodeURIComponent(customerPhone)}`)).body.messages as Array<{ id: string }>;
  expect(stored, "the inbound SMS is stored").to.have.length.greaterThan(0);
  return {
    marker,
    source: {
      tenantName: tenant,
      accountSid: config.accountSid,
      serviceSid: config.conversationsServiceSid,
      senderPhone: config.phoneNumber!,
      conversationSid,
      participantSid: phoneParticipant.sid,
      messageSid: messages[0]!.sid,
      storedSmsId: stored[0]!.id,
      customerPhone,
      smsSid,
    },
    identifiers: [
      marker,
      conversationSid,
      config.accountSid,
      config.conversationsServiceSid,
      config.phoneNumber!,
      config.whatsappNumber!,
      customerPhone,
      smsSid,
      ...conversation.participants.map((p: { sid: string }) => p.sid),
      ...messages.map((m) => m.sid),
    ],
  };
}

/** A source naming nothing that exists: well-formed SIDs and a phone no one has used, in `of`'s tenant. */
export function unknownSource(of: SampleSource, rng: Prng): SampleSource {
  const conversationSid = `CH${rng.hex(32)}`;
  const messageSid = `IM${rng.hex(32)}`;
  return {
    ...of,
    conversationSid,
    participantSid: `MB${rng.hex(32)}`,
    messageSid,
    storedSmsId: `${conversationSid}-${messageSid}`,
    customerPhone: "+15559990001",
    smsSid: `SM${rng.hex(32)}`,
  };
}

/** `of`'s tenant (name, account, service, number) naming `other`'s conversations, participants, messages and customer. */
export function crossTenantSource(of: SampleSource, other: SampleSource): SampleSource {
  return {
    ...of,
    conversationSid: other.conversationSid,
    participantSid: other.participantSid,
    messageSid: other.messageSid,
    storedSmsId: other.storedSmsId,
    customerPhone: other.customerPhone,
    smsSid: other.smsSid,
  };
}

/** What beta's caller sees of beta's data, read past the cache: it must be the same before and after the run. */
export async function snapshotTenant(t: TestApp, fixture: TenantFixture): Promise<unknown> {
  t.app.cache.clear();
  const api = t.api(fixture.source.tenantName as "alpha" | "beta");
  const sid = fixture.source.conversationSid;
  const [conversation, messages, stored] = await Promise.all([
    api.get(`${CHAT}/${sid}`),
    api.get(`${CHAT}/${sid}/messages?order=asc`),
    api.get(`/api/twilio/sms/stored/${fixture.source.storedSmsId}`),
  ]);
  return { conversation: conversation.body, messages: messages.body, stored: stored.body };
}
