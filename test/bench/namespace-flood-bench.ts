/**
 * One client opening thousands of organization live namespaces must not slow the other tenants.
 *
 *   npx tsx test/bench/namespace-flood-bench.ts            # 3,000 names, 40 samples per phase
 *   FLOOD_NAMESPACES=1000 FLOOD_SAMPLES=20 npx tsx test/bench/namespace-flood-bench.ts
 *
 * One WebSocket (one socket.io-client Manager) asks for `FLOOD_NAMESPACES` distinct
 * `/api/v1/conversations/junk<i>/live` namespaces with a bad token, then as many with a good token of tenant beta
 * naming unknown organizations and tenant alpha. Before the flood, while its socket is still open and some seconds
 * after it left, tenant alpha is measured: a signed inbound-SMS webhook (signed with the twilio package) until its
 * answer and until `message:received` reaches a /chat subscriber, and a REST send until its 201. Prints medians,
 * the number of Socket.IO namespaces and heap used. Measures only; asserts nothing.
 */
import { Manager, io, type Socket } from "socket.io-client";
import twilio from "twilio";
import { startBenchGateway } from "./bench-gateway.js";

const NAMESPACES = Number(process.env.FLOOD_NAMESPACES ?? 3000);
const SAMPLES = Number(process.env.FLOOD_SAMPLES ?? 40);
const AFTER_S = Number(process.env.FLOOD_AFTER_S ?? 15);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
};
const round = (ms: number) => Math.round(ms * 10) / 10;

async function main() {
  const gateway = await startBenchGateway();
  await gateway.routeWebhooks("gateway");
  const { baseUrl, tenants } = gateway;
  const alpha = tenants.alpha;
  const token = gateway.token("alpha");
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const customer = "+15559990001";
  const created = await fetch(`${baseUrl}/api/v1/chat/conversations`, {
    method: "POST",
    headers,
    body: JSON.stringify({ friendlyName: "Flood bench", participants: [{ phoneNumber: customer }] }),
  });
  const conversationSid = ((await created.json()) as { sid: string }).sid;
  await gateway.quiesce();

  const chat: Socket = io(`${baseUrl}/chat`, { auth: { token }, transports: ["websocket"], forceNew: true });
  await new Promise<void>((resolve, reject) => {
    chat.once("connect", resolve);
    chat.once("connect_error", reject);
  });
  const ack = (await chat.timeout(10_000).emitWithAck("subscribe:conversation", { conversationSid })) as { error?: unknown };
  if (ack.error) throw new Error(`subscribe: ${JSON.stringify(ack.error)}`);
  const live: Socket = io(`${baseUrl}/api/v1/conversations/alpha/live`, { auth: { token }, transports: ["websocket"], forceNew: true });
  await new Promise<void>((resolve, reject) => {
    live.once("connect", resolve);
    live.once("connect_error", reject);
  });

  let seq = 0;
  const smsUrl = `${baseUrl}/api/twilio/webhook/sms`;
  const sample = async () => {
    const body = `flood bench ${++seq}`;
    const params = { AccountSid: alpha.accountSid, MessageSid: `SM${seq.toString(16).padStart(32, "0")}`, From: customer, To: alpha.phoneNumber!, Body: body, NumMedia: "0" };
    const delivered = new Promise<number>((resolve) => {
      const listener = (payload: { message: { body: string } }) => {
        if (payload.message.body !== body) return;
        chat.off("message:received", listener);
        resolve(performance.now());
      };
      chat.on("message:received", listener);
    });
    const started = performance.now();
    const answer = await fetch(smsUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": twilio.getExpectedTwilioSignature(alpha.authToken, smsUrl, params) },
      body: new URLSearchParams(params).toString(),
    });
    await answer.text();
    const answered = performance.now();
    const deliveredAt = await delivered;
    const sendStarted = performance.now();
    const sent = await fetch(`${baseUrl}/api/v1/chat/conversations/${conversationSid}/messages`, { method: "POST", headers, body: JSON.stringify({ body: `reply ${seq}` }) });
    await sent.text();
    if (answer.status !== 200 || sent.status !== 201) throw new Error(`webhook ${answer.status}, send ${sent.status}`);
    return { webhookMs: answered - started, deliveryMs: deliveredAt - started, sendMs: performance.now() - sendStarted };
  };
  const phase = async (name: string) => {
    await gateway.quiesce();
    const samples = [];
    for (let i = 0; i < SAMPLES; i++) samples.push(await sample());
    global.gc?.();
    const row = {
      phase: name,
      "signed webhook answer p50 ms": round(median(samples.map((s) => s.webhookMs))),
      "webhook → socket p50 ms": round(median(samples.map((s) => s.deliveryMs))),
      "REST send p50 ms": round(median(samples.map((s) => s.sendMs))),
      // Socket.IO keeps no public count of its namespaces: its private map says how many every broadcast may walk.
      namespaces: (gateway.realtime.io as unknown as { _nsps: Map<string, unknown> })._nsps.size,
      "heap used MB": round(process.memoryUsage().heapUsed / 1024 / 1024),
    };
    console.log(JSON.stringify(row));
    return row;
  };

  const rows = [await phase("before")];

  // The flood: one WebSocket, many namespaces, every one refused.
  const flooder = new Manager(baseUrl, { transports: ["websocket"], reconnection: false });
  const ask = (name: string, auth: Record<string, string>) =>
    new Promise<string>((resolve) => {
      const socket = flooder.socket(name, { auth });
      socket.once("connect", () => resolve("connected"));
      socket.once("connect_error", (error) => resolve(error.message));
      socket.connect();
    });
  const answers: Record<string, number> = {};
  const floodStarted = performance.now();
  const betaToken = gateway.token("beta");
  const asks: Array<Promise<string>> = [];
  for (let i = 0; i < NAMESPACES; i++) {
    asks.push(ask(`/api/v1/conversations/junk${i}/live`, { token: "not-a-token" }));
    if (i % 10 === 0) asks.push(ask(`/api/v1/conversations/nosuchorg${i}/live`, { token: betaToken }));
  }
  asks.push(ask(`/api/v1/conversations/alpha/live`, { token: betaToken }));
  for (const answer of await Promise.all(asks)) answers[answer] = (answers[answer] ?? 0) + 1;
  console.log(JSON.stringify({ flood: asks.length, answers, ms: round(performance.now() - floodStarted) }));
  rows.push(await phase("flooder connected"));
  flooder.engine.close();
  await new Promise((resolve) => setTimeout(resolve, AFTER_S * 1000));
  rows.push(await phase(`${AFTER_S} s after the flooder left`));
  console.table(rows);

  chat.close();
  live.close();
  await gateway.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
