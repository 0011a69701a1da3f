/**
 * The business API's reads over a tenant of 10,000 messages (100 conversations × 100), beside the chat list's figure
 * in the same run: `GET /api/messages?page=1&limit=50` cold (the index built from Twilio) and warm, the analytics
 * overview warm, and the chat API's `GET /api/v1/chat/conversations?limit=50` warm. Run: `npx tsx test/bench/business-bench.ts`.
 */
import pMap from "p-map";
import { seedMessages } from "../support/seed-messages.js";
import { startApp } from "../support/start-app.js";
import { latencyStats } from "./latency-stats.js";
import { timedGet } from "./timed-get.js";

const CONVERSATIONS = 100;
const PER_CONVERSATION = 100;
const SAMPLES = 200;

const t = await startApp({ env: { RATE_LIMIT_PER_USER_PER_MINUTE: "0", RATE_LIMIT_PER_IP_PER_MINUTE: "0" } });
try {
  const api = t.api();
  const sids = await pMap(Array.from({ length: CONVERSATIONS }, (_, i) => i), async (i) => {
    const created = await api.post("/api/v1/chat/conversations", { friendlyName: `C${i}`, participants: [{ phoneNumber: `+1555400${String(i).padStart(4, "0")}` }] });
    return created.body.sid as string;
  }, { concurrency: 4 });
  await pMap(sids, (sid) => seedMessages(t, "alpha", sid, Array.from({ length: PER_CONVERSATION }, (_, j) => `message ${j} of ${sid}`)), { concurrency: 8 });
  const headers = { authorization: `Bearer ${t.token({ tenants: ["alpha"] })}` };
  const measure = async (path: string) => {
    const ms: number[] = [];
    const callsBefore = t.upstreamCalls.length;
    for (let i = 0; i < SAMPLES; i++) {
      const answer = await timedGet(`${t.baseUrl}${path}`, headers);
      if (answer.status !== 200) throw new Error(`${path}: ${answer.status}`);
      ms.push(answer.ms);
    }
    return { ...latencyStats(ms), upstreamCallsPerRequest: (t.upstreamCalls.length - callsBefore) / SAMPLES };
  };
  const coldCalls = t.upstreamCalls.length;
  const cold = await timedGet(`${t.baseUrl}/api/messages?page=1&limit=50`, headers);
  const total = JSON.parse(cold.body.toString()).data.pagination.total;
  const results = {
    messages: total,
    messagesCold: { ms: Math.round(cold.ms), upstreamCalls: t.upstreamCalls.length - coldCalls },
    messagesWarm: await measure("/api/messages?page=1&limit=50"),
    messagesFilteredWarm: await measure("/api/messages?page=3&limit=50&direction=OUTBOUND"),
    analyticsWarm: await measure("/api/analytics/overview?days=30"),
    chatListWarm: await measure("/api/v1/chat/conversations?limit=50"),
    heapMB: Math.round(process.memoryUsage().heapUsed / 1e6),
  };
  console.log(JSON.stringify(results, null, 2));
} finally {
  await t.close().catch((error) => console.error(String(error)));
}
