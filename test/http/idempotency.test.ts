import { expect } from "chai";
import { IdempotencyStore } from "../../src/http/idempotency.js";
import { startApp, type TestApp } from "../support/start-app.js";

const CHAT = "/api/v1/chat/conversations";

describe("Idempotency-Key on POSTs that create or send", () => {
  let t: TestApp;
  let sid: string;
  before(async () => {
    t = await startApp();
    sid = (await t.api().post(CHAT, { friendlyName: "Idem", participants: [{ phoneNumber: "+15559100001" }] })).body.sid;
  });
  after(() => t.close());

  const sendsTo = async (conversationSid: string) => {
    await t.emulator.whenIdle();
    t.app.cache.clear();
    return (await t.api().get(`${CHAT}/${conversationSid}/messages?limit=100`)).body.length;
  };

  describe("when a message POST is retried with the same key", () => {
    it("returns the first result and sends once, even when the retries race", async () => {
      const headers = { "idempotency-key": "msg-retry-1" };
      const [first, ...retries] = await Promise.all(
        Array.from({ length: 4 }, () => t.api().post(`${CHAT}/${sid}/messages`, { body: "only once" }, { headers })),
      );
      expect(first!.status).to.equal(201);
      for (const retry of retries) expect(retry.body).to.deep.equal(first!.body);
      expect(retries.some((retry) => retry.headers.get("idempotent-replayed") === "true")).to.equal(true);
      expect(await sendsTo(sid)).to.equal(1);
      expect(JSON.parse(first!.body.attributes).idempotencyKey).to.equal("msg-retry-1");
    });
  });

  describe("when the same key comes with a different body", () => {
    it("responds 409 and sends nothing new", async () => {
      const before = await sendsTo(sid);
      const headers = { "idempotency-key": "msg-retry-2" };
      expect((await t.api().post(`${CHAT}/${sid}/messages`, { body: "a" }, { headers })).status).to.equal(201);
      const clash = await t.api().post(`${CHAT}/${sid}/messages`, { body: "b" }, { headers });
      expect(clash.status).to.equal(409);
      expect(clash.body.error.field).to.equal("Idempotency-Key");
      expect(await sendsTo(sid)).to.equal(before + 1);
    });
  });

  describe("when the gateway restarted between the request and its retry", () => {
    it("finds the message by the key recorded in its attributes and does not send again", async () => {
      const headers = { "idempotency-key": "survives-restart" };
      const first = await t.api().post(`${CHAT}/${sid}/messages`, { body: "before restart" }, { headers });
      const before = await sendsTo(sid);
      // A second gateway on the same Twilio account: same data, empty memory.
      const { createApp } = await import("../../src/app.js");
      const { pino } = await import("pino");
      const restarted = createApp(t.config, { logger: pino({ level: "silent" }), tenants: [t.tenants.alpha, t.tenants.beta], audit: () => {} });
      const { createServer } = await import("node:http");
      const server = createServer(restarted.callback);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const { ApiClient } = await import("../support/api-client.js");
        const api = new ApiClient(`http://127.0.0.1:${(server.address() as { port: number }).port}`, restarted.contract, t.token());
        const retry = await api.post(`${CHAT}/${sid}/messages`, { body: "before restart" }, { headers });
        expect(retry.status).to.equal(201);
        expect(retry.body.sid).to.equal(first.body.sid);
        expect(await sendsTo(sid)).to.equal(before);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe("when a conversation POST is retried", () => {
    it("creates one conversation", async () => {
      const headers = { "idempotency-key": "conv-1" };
      const body = { friendlyName: "Once only", participants: [{ phoneNumber: "+15559100002" }] };
      const first = await t.api().post(CHAT, body, { headers });
      const again = await t.api().post(CHAT, body, { headers });
      expect(again.body.sid).to.equal(first.body.sid);
      t.app.cache.clear();
      expect((await t.api().get(`${CHAT}?search=Once%20only`)).body).to.have.length(1);
    });
  });
});

describe("IdempotencyStore", () => {
  const body = (n: number) => ({ sid: `IM${n}`, text: "x".repeat(1000) });
  const run = (store: IdempotencyStore, key: string, n: number, calls: string[]) =>
    store.run("scope", key, { n }, async () => {
      calls.push(`work ${key}`);
      return { status: 201, body: body(n) };
    }, async () => {
      calls.push(`recover ${key}`);
      return undefined;
    });

  it("weighs remembered results by their JSON and forgets the oldest past maxBytes (recover then runs for it)", async () => {
    const store = new IdempotencyStore({ maxBytes: 2_600 }); // two ~1.1 KB results fit, not three
    const calls: string[] = [];
    for (const [key, n] of [["a", 1], ["b", 2], ["c", 3]] as const) await run(store, key, n, calls);
    expect(calls).to.deep.equal(["recover a", "work a", "recover b", "work b", "recover c", "work c"]);
    const replay = await run(store, "c", 3, calls);
    expect(replay.headers?.["Idempotent-Replayed"]).to.equal("true");
    expect(replay.body).to.deep.equal(body(3));
    await run(store, "a", 1, calls);
    expect(calls.slice(6)).to.deep.equal(["recover a", "work a"]);
  });
});
