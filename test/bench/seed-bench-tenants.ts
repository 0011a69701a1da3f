import pMap from "p-map";
import type { BenchGateway } from "./bench-gateway.js";
import type { BenchSettings } from "./bench-settings.js";

/** What the benchmarks read: which conversations exist, and who the customer of each is. */
export interface SeededInbox {
  /** Tenant alpha: created through the gateway's API, so each carries a summary; one inbound message each. */
  alpha: Array<{ sid: string; customerPhone: string }>;
  /** A conversation of alpha with more than a page of messages (for GET …/messages). */
  historySid: string;
  /** Tenant beta: created directly in Twilio (the emulator) before the gateway heard of them: no summary. */
  beta: string[];
}

const HISTORY_MESSAGES = 60;
const customerPhone = (block: number, i: number) => `+1555${block}${String(i).padStart(6, "0")}`;

/**
 * Seeds both tenants with no injected latency (seeding is not measured), then waits until every webhook the
 * seeding caused has been handled.
 */
export async function seedBenchTenants(gateway: BenchGateway, settings: BenchSettings): Promise<SeededInbox> {
  const { emulator, tenants } = gateway;
  emulator.setFaultPlan({ latencyMs: 0 });

  // Beta first, while no webhook reaches the gateway: these conversations get no summary.
  await gateway.routeWebhooks("off");
  const beta: string[] = [];
  for (let i = 0; i < settings.directConversations; i++) {
    const inbound = await emulator.simulateInboundMessage({
      accountSid: tenants.beta.accountSid,
      from: customerPhone(2, i),
      to: tenants.beta.phoneNumber!,
      body: `Hello from a customer the gateway never saw (${i})`,
    });
    beta.push(inbound.conversationSid);
  }

  await gateway.routeWebhooks("gateway");
  const token = gateway.token("alpha");
  const alpha = await pMap(
    Array.from({ length: settings.conversations }, (_, i) => i),
    async (i) => {
      const phone = customerPhone(1, i);
      const response = await fetch(`${gateway.baseUrl}/api/v1/chat/conversations`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          friendlyName: `Customer ${i}`,
          participants: [{ phoneNumber: phone }],
          attributes: { channel: "SMS", contactDetails: { email: `customer${i}@example.com` } },
        }),
      });
      if (response.status !== 201)
        throw new Error(`seeding: POST /conversations answered ${response.status}: ${await response.text()}`);
      const created = (await response.json()) as { sid: string };
      return { sid: created.sid, customerPhone: phone };
    },
    { concurrency: 20 },
  );
  await gateway.quiesce();

  // One customer message each (the webhook moves it into the summary), and a long history in the first one.
  for (const [i, conversation] of alpha.entries()) {
    const body = `Hi, this is customer ${i}: where is my order #${10_000 + i}? It was due yesterday and I have not heard back yet.`;
    await emulator.simulateInboundMessage({
      accountSid: tenants.alpha.accountSid,
      from: conversation.customerPhone,
      to: tenants.alpha.phoneNumber!,
      body,
    });
  }
  const history = alpha[0]!;
  for (let i = 0; i < HISTORY_MESSAGES; i++) {
    await emulator.simulateInboundMessage({
      accountSid: tenants.alpha.accountSid,
      from: history.customerPhone,
      to: tenants.alpha.phoneNumber!,
      body: `Follow-up ${i}: any news about my order? I would like to know when it ships, thanks.`,
    });
  }
  await gateway.quiesce();
  return { alpha, historySid: history.sid, beta };
}
