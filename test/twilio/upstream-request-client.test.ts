import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { UpstreamRequestClient, type UpstreamCallEvent } from "../../src/twilio/upstream-request-client.js";

describe("UpstreamRequestClient (the twilio SDK's httpClient)", () => {
  let server: Server;
  let answers: Array<{ status: number; headers?: Record<string, string> }>;
  let baseUrl: string;
  before(async () => {
    server = createServer((_req, res) => {
      const { status, headers } = answers.shift() ?? { status: 200 };
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(status < 300 ? '{"sid":"CH0"}' : `{"code":${status === 429 ? 20429 : 20500},"message":"busy","status":${status}}`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const clientWith = (waits: number[], calls: UpstreamCallEvent[]) =>
    new UpstreamRequestClient({
      baseUrl,
      timeoutMs: 5000,
      retry: { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 60_000, random: () => 0 },
      guard: { maxInFlight: 4, conversationWritesPerSecond: 30, breakerResetMs: 1000, breakerErrorPercentage: 50, breakerVolumeThreshold: 100 },
      onCall: (event) => calls.push(event),
      sleep: async (ms) => void waits.push(ms),
    });

  describe("when Twilio answers a failure with Retry-After", () => {
    for (const status of [429, 502, 503]) {
      it(`waits what a ${status}'s Retry-After says before retrying, and reports it with the call`, async () => {
        answers = [{ status, headers: { "retry-after": "3" } }, { status: 200 }];
        const waits: number[] = [];
        const calls: UpstreamCallEvent[] = [];
        const client = clientWith(waits, calls);
        try {
          const response = await client.request({ method: "get", uri: "https://conversations.twilio.com/v1/Conversations/CH0" } as never);
          expect(response.statusCode).to.equal(200);
        } finally {
          await client.close();
        }
        expect(waits).to.deep.equal([3000]);
        expect(calls.map((call) => [call.status, call.retryAfterMs])).to.deep.equal([
          [status, 3000],
          [200, undefined],
        ]);
      });
    }
  });
});
