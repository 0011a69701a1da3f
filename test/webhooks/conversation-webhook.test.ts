import { expect } from "chai";
import twilio from "twilio";
import { connectClient, nextEvent, recordEvents, settle, subscribe, type ChatClient } from "../support/connect-client.js";
import { createConversation, inboundMessage } from "../support/conversation-fixtures.js";
import { postSignedForm, postSignedJson } from "../support/sign-webhook.js";
import { startApp, type TestApp } from "../support/start-app.js";
import { registerConversationWebhooks } from "../../src/webhooks/register-webhooks.js";
import type { WebhookDelivery } from "../../src/emulator/webhooks/webhook-log.js";

const PATH = "/api/v1/chat/webhooks/twilio/conversation";
const BASE = "/api/v1/chat/conversations";
const PHP = "/twilio";

describe("POST /webhooks/twilio/conversation", () => {
  let t: TestApp;
  let client: ChatClient;
  let sid: string;

  beforeEach(async () => {
    t = await startApp();
    ({ sid } = await createConversation(t, { name: "Webhook target", phone: "+15554000001" }));
    client = await connectClient(t.baseUrl, { token: t.token() });
    await subscribe(client, sid);
  });
  afterEach(async () => {
    client.close();
    await t.close();
  });

  /** An onMessageAdded for a customer's message that exists in the emulator (so applying it is real). */
  const customerMessageEvent = async () => {
    const { messageSid } = await inboundMessage(t, { from: "+15554000001", body: "original" });
    const delivered = t.emulator.webhooks.entries.find((d) => d.eventType === "onMessageAdded" && d.params.MessageSid === messageSid)!;
    return delivered;
  };

  const unreadCount = async () => {
    t.app.cache.clear();
    return JSON.parse((await t.api().get(`${BASE}/${sid}`)).body.attributes).unreadCount;
  };

  describe("when the signature is forged", () => {
    it("responds 403, applies nothing and emits nothing", async () => {
      const events = recordEvents(client);
      const delivered = await customerMessageEvent();
      await settle();
      events.received.length = 0;
      const before = await unreadCount();
      const forged = { ...delivered.params, MessageSid: `IM${"f".repeat(32)}`, Body: "forged" };
      const response = await postSignedForm(t.api(), t.baseUrl, PATH, forged, "not-the-auth-token-not-the-auth-token");
      expect(response.status).to.equal(403);
      expect(response.body.error.code).to.equal("forbidden");
      await settle();
      expect(events.besidesConversationUpdates()).to.deep.equal([]);
      expect(await unreadCount()).to.equal(before);
    });
  });

  describe("when the signature header is missing", () => {
    it("responds 400 naming X-Twilio-Signature", async () => {
      const response = await t.api().withToken(null).request("POST", PATH, {
        rawBody: new URLSearchParams({ AccountSid: t.tenants.alpha.accountSid, EventType: "onMessageAdded" }).toString(),
        contentType: "application/x-www-form-urlencoded",
      });
      expect(response.status).to.equal(400);
      expect(response.body.error.field).to.equal("X-Twilio-Signature");
    });
  });

  describe("when the account is not one of this gateway's tenants", () => {
    it("responds 403", async () => {
      const stranger = t.emulator.createAccount();
      const response = await postSignedForm(t.api(), t.baseUrl, PATH, { AccountSid: stranger.accountSid, EventType: "onMessageAdded" }, stranger.authToken);
      expect(response.status).to.equal(403);
    });
  });

  describe("when Twilio redelivers a webhook", () => {
    it("applies and emits it once, whether it carries the same idempotency token or just the same event", async () => {
      const delivered = await customerMessageEvent();
      await settle();
      const events = recordEvents(client);
      const before = await unreadCount();
      const token = delivered.idempotencyToken;
      const again = await postSignedForm(t.api(), t.baseUrl, PATH, delivered.params, t.tenants.alpha.authToken, { "i-twilio-idempotency-token": token });
      const sameEvent = await postSignedForm(t.api(), t.baseUrl, PATH, { ...delivered.params, RetryCount: "1" }, t.tenants.alpha.authToken);
      expect(again).to.deep.equal({ status: 200, body: { status: "duplicate" } });
      expect(sameEvent).to.deep.equal({ status: 200, body: { status: "duplicate" } });
      await settle();
      expect(events.of("message:received")).to.deep.equal([]);
      expect(await unreadCount()).to.equal(before);
    });
  });

  describe("when Twilio is unreachable while the webhook is applied", () => {
    it("answers 503 so Twilio retries, and the retry applies it without emitting twice", async () => {
      const { messageSid } = await inboundMessage(t, { from: "+15554000001", body: "first" });
      const delivered = t.emulator.webhooks.entries.find((d) => d.params.MessageSid === messageSid)!;
      // Replay it as a new event the gateway has not seen, while Twilio fails every call.
      const fresh = { ...delivered.params, MessageSid: messageSid.replace(/.$/, (c) => (c === "0" ? "1" : "0")) };
      const received = recordEvents(client);
      const before = await unreadCount();
      t.emulator.setFaultPlan({ failures: [{ status: 503, count: 1000 }] });
      const failed = await postSignedForm(t.api(), t.baseUrl, PATH, fresh, t.tenants.alpha.authToken);
      expect(failed.status).to.equal(503);
      t.emulator.setFaultPlan({});
      const retried = await postSignedForm(t.api(), t.baseUrl, PATH, fresh, t.tenants.alpha.authToken);
      expect(retried).to.deep.equal({ status: 200, body: { status: "applied" } });
      await settle();
      expect(received.of("message:received")).to.have.length(1);
      expect(await unreadCount()).to.equal(before + 1);
    });
  });

  describe("when the webhook is JSON signed with bodySHA256", () => {
    it("verifies it and applies it", async () => {
      const updated = nextEvent(client, "conversation:updated", (p) => p.conversation.friendlyName === "Renamed in the console");
      const response = await postSignedJson(
        t.api(),
        t.baseUrl,
        PATH,
        {
          AccountSid: t.tenants.alpha.accountSid,
          ChatServiceSid: t.tenants.alpha.conversationsServiceSid,
          EventType: "onConversationUpdated",
          ConversationSid: sid,
          FriendlyName: "Renamed in the console",
          Attributes: "{}",
          State: "active",
          DateCreated: new Date().toISOString(),
          DateUpdated: new Date().toISOString(),
        },
        t.tenants.alpha.authToken,
      );
      expect(response).to.deep.equal({ status: 200, body: { status: "applied" } });
      expect((await updated).conversationSid).to.equal(sid);
    });

    it("rejects a body that does not match its bodySHA256", async () => {
      const response = await postSignedJson(
        t.api(),
        t.baseUrl,
        PATH,
        { AccountSid: t.tenants.alpha.accountSid, EventType: "onConversationUpdated" },
        t.tenants.alpha.authToken,
        { bodySha256: "0".repeat(64) },
      );
      expect(response.status).to.equal(403);
    });
  });

  describe("when the event is one the gateway does not use", () => {
    it("answers 200 ignored", async () => {
      const response = await postSignedForm(
        t.api(),
        t.baseUrl,
        PATH,
        { AccountSid: t.tenants.alpha.accountSid, EventType: "onUserAdded", ChatServiceSid: t.tenants.alpha.conversationsServiceSid },
        t.tenants.alpha.authToken,
      );
      expect(response).to.deep.equal({ status: 200, body: { status: "ignored" } });
    });
  });

  describe("when Twilio delivers an event late, after its conversation or message was deleted", () => {
    /** Runs `write` while Twilio cannot reach the gateway, and returns the deliveries it will retry, by event type. */
    const undelivered = async (write: () => Promise<unknown>): Promise<Record<string, WebhookDelivery>> => {
      const { accountSid, conversationsServiceSid } = t.tenants.alpha;
      const from = t.emulator.webhooks.entries.length;
      t.emulator.configureWebhooks(accountSid, conversationsServiceSid, { postWebhookUrl: "http://127.0.0.1:9/unreachable" });
      try {
        await write();
        await t.emulator.whenIdle();
      } finally {
        await registerConversationWebhooks(t.app.tenants, t.baseUrl);
      }
      const failed = t.emulator.webhooks.entries.slice(from).filter((d) => d.status === null && d.attempt === 0);
      return Object.fromEntries(failed.map((d) => [d.eventType, d]));
    };
    /** Twilio's retry of a delivery: same parameters and idempotency token, RetryCount up, signed by the twilio package. */
    const retry = (delivery: WebhookDelivery) =>
      postSignedForm(t.api(), t.baseUrl, PATH, { ...delivery.params, RetryCount: "1" }, t.tenants.alpha.authToken, {
        "i-twilio-idempotency-token": delivery.idempotencyToken,
      });
    const deleteConversation = async (conversationSid: string) => {
      const deleted = await t.api().delete(`${PHP}/delete_conversation.php`, { body: { account_id: "alpha", conversation_sid: conversationSid } });
      expect(deleted.status).to.equal(200);
      await t.emulator.whenIdle();
    };
    const ignored = { status: 200, body: { status: "ignored" } };

    it("answers 200 ignored to onConversationUpdated after delete_conversation.php, and emits nothing", async () => {
      const late = await undelivered(() => t.api().patch(`${BASE}/${sid}/attributes`, { isStarred: true }));
      await deleteConversation(sid);
      const events = recordEvents(client);

      expect(await retry(late.onConversationUpdated!)).to.deep.equal(ignored);
      await settle();
      expect(events.received).to.deep.equal([]);
    });

    it("answers 200 ignored to onDeliveryUpdated after delete_message.php", async () => {
      const messageSid = (await t.api().post(`${BASE}/${sid}/messages`, { body: "Soon deleted" })).body.sid;
      await t.emulator.whenIdle();
      const late = await undelivered(() => t.emulator.simulateDelivery({ accountSid: t.tenants.alpha.accountSid, conversationSid: sid, messageSid, status: "delivered" }));
      const deleted = await t.api().delete(`${PHP}/delete_message.php`, { body: { account_id: "alpha", conversation_sid: sid, message_sid: messageSid } });
      expect(deleted.status).to.equal(200);

      expect(await retry(late.onDeliveryUpdated!)).to.deep.equal(ignored);
    });

    it("answers 200 ignored to onMessageAdded (its unread and summary bookkeeping) after the conversation was deleted", async () => {
      const late = await undelivered(() => inboundMessage(t, { from: "+15554000001", body: "late", waitForWebhooks: false }));
      await deleteConversation(sid);

      expect(await retry(late.onMessageAdded!)).to.deep.equal(ignored);
    });

    it("answers 200 ignored to onConversationAdded and onParticipantAdded after the conversation was deleted", async () => {
      let created = "";
      const late = await undelivered(async () => {
        created = (await createConversation(t, { name: "Short-lived", phone: "+15554000002", waitForWebhooks: false })).sid;
      });
      await deleteConversation(created);

      expect(await retry(late.onConversationAdded!)).to.deep.equal(ignored);
      expect(await retry(late.onParticipantAdded!)).to.deep.equal(ignored);
    });

    it("answers 200 ignored to onConversationStateUpdated after the conversation was deleted", async () => {
      await deleteConversation(sid);
      const { accountSid, conversationsServiceSid, authToken } = t.tenants.alpha;
      const event = {
        AccountSid: accountSid,
        ChatServiceSid: conversationsServiceSid,
        EventType: "onConversationStateUpdated",
        ConversationSid: sid,
        StateFrom: "active",
        StateTo: "closed",
        Reason: "TIMER",
        DateUpdated: new Date().toISOString(),
      };

      expect(await postSignedForm(t.api(), t.baseUrl, PATH, event, authToken)).to.deep.equal(ignored);
    });

    it("answers 200 to onMessageRemoved and onConversationRemoved, which need nothing from Twilio", async () => {
      const messageSid = (await t.api().post(`${BASE}/${sid}/messages`, { body: "Edited, then gone" })).body.sid;
      await t.emulator.whenIdle();
      const late = await undelivered(async () => {
        await t.api().delete(`${PHP}/delete_message.php`, { body: { account_id: "alpha", conversation_sid: sid, message_sid: messageSid } });
        await t.api().delete(`${PHP}/delete_conversation.php`, { body: { account_id: "alpha", conversation_sid: sid } });
      });

      for (const eventType of ["onMessageRemoved", "onConversationRemoved"]) expect((await retry(late[eventType]!)).status, eventType).to.equal(200);
    });
  });

  describe("when a customer writes into a quiet conversation", () => {
    it("reads and writes the conversation once: the summary, the unread count and the day's received counter together", async () => {
      await t.emulator.whenIdle();
      await settle();
      const before = t.upstreamCalls.length;
      await inboundMessage(t, { from: "+15554000001", body: "one write, please" });
      await settle();
      const conversationCalls = t.upstreamCalls
        .slice(before)
        .filter((call) => new URL(call.url).pathname.endsWith(`/Conversations/${sid}`))
        .map((call) => call.method);
      // Before, the analytics counter (a listener of the message.received the webhook publishes) took a read and a
      // write of its own, a few microtasks ahead of the summary's.
      expect(conversationCalls).to.deep.equal(["GET", "POST"]);
      const stored = JSON.parse((await t.app.tenants.get("alpha").gateway.fetchConversation(sid)).attributes);
      expect(stored.unreadCount).to.equal(1);
      expect(stored.summary.latestMessage.body).to.equal("one write, please");
      const days = Object.values(stored.counters.days as Record<string, number[]>);
      expect(days.map((counts) => counts[1])).to.deep.equal([1]); // COUNTERS: sent, received, …
    });
  });

  describe("when a REST read follows a webhook", () => {
    it("is fresh: the cache was updated by the webhook", async () => {
      const before = (await t.api().get(`${BASE}/${sid}/messages`)).body.length;
      await inboundMessage(t, { from: "+15554000001", body: "fresh?" });
      const after = await t.api().get(`${BASE}/${sid}/messages`);
      expect(after.body.length).to.equal(before + 1);
      expect(after.body[0].body).to.equal("fresh?");
      const conversation = await t.api().get(`${BASE}/${sid}`);
      expect(conversation.body.latestMessage.body).to.equal("fresh?");
    });
  });
  describe("when Twilio reports a rename made in the same second as the gateway's own attributes write", () => {
    it("takes the new name (the attributes are the gateway's own, but the name is someone else's change)", async () => {
      const { accountSid, authToken, conversationsServiceSid } = t.tenants.alpha;
      expect((await t.api().patch(`${BASE}/${sid}/attributes`, { isStarred: true })).status).to.equal(200);
      await t.emulator.whenIdle();
      const ownWrite = t.app.tenants.get("alpha").directory.peek(sid)!.record;
      // Renamed in Twilio by someone else (its console, another app); Twilio reports it with its one-second timestamp.
      const twilioApi = `${t.emulator.baseUrl}/v1/Services/${conversationsServiceSid}/Conversations/${sid}`;
      const authorization = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;
      const renamed = await fetch(twilioApi, {
        method: "POST",
        headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ FriendlyName: "Renamed elsewhere" }).toString(),
      }).then((response) => response.json() as Promise<Record<string, string>>);
      const params = {
        AccountSid: accountSid,
        EventType: "onConversationUpdated",
        Source: "API",
        ChatServiceSid: conversationsServiceSid,
        ConversationSid: sid,
        FriendlyName: renamed.friendly_name,
        Attributes: renamed.attributes,
        State: renamed.state,
        DateCreated: renamed.date_created,
        DateUpdated: ownWrite.dateUpdated,
      };
      expect(params.Attributes).to.equal(ownWrite.attributes);
      // The echo of the star write may still be on its way (coalesced): wait for the event that carries the rename.
      const updated = nextEvent(client, "conversation:updated", (p) => p.conversationSid === sid && p.conversation.friendlyName === "Renamed elsewhere");
      const url = `${t.baseUrl}${PATH}`;
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, url, params) },
        body: new URLSearchParams(params).toString(),
      });
      expect(response.status).to.equal(200);
      expect((await updated).conversation.friendlyName).to.equal("Renamed elsewhere");
      expect((await t.api().get(`${BASE}/${sid}`)).body.friendlyName).to.equal("Renamed elsewhere");
    });
  });
});
