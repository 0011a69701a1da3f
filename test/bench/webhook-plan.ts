import twilio from "twilio";
import { CONVERSATION_WEBHOOK_PATH } from "../../src/webhooks/register-webhooks.js";
import type { BenchGateway } from "./bench-gateway.js";
import { listenOnLoopback } from "./listen-on-loopback.js";
import type { SeededInbox } from "./seed-bench-tenants.js";
import type { PlannedWebhook } from "./socket-load-worker.js";

export interface WebhookPlan {
  webhooks: PlannedWebhook[];
  /** Conversation (index into the subscribed conversations) of each webhook. */
  conversationOf: number[];
}

const BATCH = 500;

/**
 * `count` customer messages, round-robin over the first `conversations` conversations of alpha, made real in the
 * emulator (simulated inbound SMS). Their onMessageAdded webhooks are captured exactly as the emulator builds
 * them (sent to a sink, not to the gateway), then signed for the gateway's webhook URL as Twilio signs them.
 */
export async function planWebhooks(
  gateway: BenchGateway,
  seeded: SeededInbox,
  count: number,
  conversations: number,
): Promise<WebhookPlan> {
  const { emulator, tenants } = gateway;
  const alpha = tenants.alpha;
  const sink = await listenOnLoopback((request, response) => {
    request.resume();
    request.on("end", () => response.end());
  });
  emulator.configureWebhooks(alpha.accountSid, alpha.conversationsServiceSid, {
    postWebhookUrl: `${sink.baseUrl}/sink`,
    filters: ["onMessageAdded"],
  });
  emulator.webhooks.clear();
  const messageSids: string[] = [];
  const conversationOf: number[] = [];
  try {
    for (let k = 0; k < count; k += BATCH) {
      for (let j = k; j < Math.min(count, k + BATCH); j++) {
        const c = j % conversations;
        const inbound = await emulator.simulateInboundMessage({
          accountSid: alpha.accountSid,
          from: seeded.alpha[c]!.customerPhone,
          to: alpha.phoneNumber!,
          body: `Bench message ${j}: hello, I have a question about my last invoice, could someone call me back today?`,
        });
        messageSids.push(inbound.messageSid);
        conversationOf.push(c);
      }
      await emulator.whenIdle();
    }
  } finally {
    await sink.close();
  }
  const paramsBySid = new Map(
    emulator.webhooks.byEvent("onMessageAdded").map((delivery) => [delivery.params.MessageSid, delivery.params]),
  );
  emulator.webhooks.clear();
  const url = `${gateway.baseUrl}${CONVERSATION_WEBHOOK_PATH}`;
  const webhooks = messageSids.map((messageSid) => {
    const params = paramsBySid.get(messageSid);
    if (!params) throw new Error(`no onMessageAdded captured for ${messageSid}`);
    return {
      body: new URLSearchParams(params).toString(),
      signature: twilio.getExpectedTwilioSignature(alpha.authToken, url, params),
      messageSid,
    };
  });
  return { webhooks, conversationOf };
}
