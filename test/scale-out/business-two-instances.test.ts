import { expect } from "chai";
import { settle } from "../support/connect-client.js";
import { createConversation, inboundMessage, phoneNumbers, throughInstance, type FixtureTarget } from "../support/conversation-fixtures.js";
import { startCluster, type GatewayInstance, type TestCluster } from "../support/start-cluster.js";
import { REDIS_SERVER, requireSystemProgram } from "../support/system-programs.js";

/**
 * The business API behind a balancer: Twilio's webhook lands on instance A, the REST request on B. Every test builds
 * B's state first (its message index, its contact book), so only what travels between the instances can change it.
 */
describe("business API on two gateway instances sharing one Redis (REDIS_URL)", function () {
  this.timeout(30_000);
  let t: TestCluster;
  let a: GatewayInstance;
  let b: GatewayInstance;
  let fixtures: FixtureTarget;
  const nextPhone = phoneNumbers("+1555410");

  before(async function () {
    requireSystemProgram(this, REDIS_SERVER);
    this.timeout(30_000);
    t = await startCluster();
    [a, b] = t.instances;
    fixtures = throughInstance(t, a);
  });
  after(async () => {
    await t?.close();
  });
  afterEach(() => {
    if (t) t.balancer.mode = "round-robin";
  });

  /** The texts B lists for `query` (GET /api/messages). */
  const listedOnB = async (query: string) => {
    const response = await b.api().get(`/api/messages?limit=100&${query}`);
    expect(response.status, response.text).to.equal(200);
    return (response.body.data.messages as Array<{ id: string; content: { text?: string }; status: string }>).map((m) => m.content.text);
  };
  /** Lets the webhooks finish on A and the bus reach B. */
  const webhooksDone = async () => {
    await t.emulator.whenIdle();
    await settle(200);
  };

  describe("when the webhooks of a conversation reach only instance A", () => {
    it("B's message list hears the new messages, their delivery receipts (status filters) and the conversation's removal", async () => {
      expect(await listedOnB("direction=INBOUND")).to.deep.equal([]); // B's index is built now
      t.balancer.mode = 0;
      const { sid, phone } = await createConversation(fixtures, { phone: nextPhone() });
      await inboundMessage(fixtures, { from: phone, body: "Inbound through A", waitForWebhooks: false });
      const sent = await a.api().post("/api/messages", { to: phone, type: "text", channel: "sms", content: { text: "Reply through A" } });
      expect(sent.status, sent.text).to.equal(201);
      await webhooksDone();
      expect(t.balancer.forwarded[1] ?? 0, "no webhook went to B").to.equal(0);

      expect(await listedOnB(`conversationId=${sid}`)).to.deep.equal(["Reply through A", "Inbound through A"]);
      expect(await listedOnB("direction=INBOUND&status=DELIVERED")).to.deep.equal(["Inbound through A"]);
      expect(await listedOnB("direction=OUTBOUND&status=SENT")).to.deep.equal(["Reply through A"]);

      const messageSid = (sent.body.data.id as string).split("-")[1]!;
      await t.emulator.simulateDelivery({ accountSid: t.tenant.accountSid, conversationSid: sid, messageSid, status: "delivered" });
      await webhooksDone();
      expect(await listedOnB("direction=OUTBOUND&status=DELIVERED")).to.deep.equal(["Reply through A"]);
      expect(await listedOnB("direction=OUTBOUND&status=SENT")).to.deep.equal([]);
      await t.emulator.simulateDelivery({ accountSid: t.tenant.accountSid, conversationSid: sid, messageSid, status: "read" });
      await webhooksDone();
      expect(await listedOnB("status=READ")).to.deep.equal(["Reply through A"]);
      expect(await listedOnB("direction=OUTBOUND&status=DELIVERED")).to.deep.equal([]);

      const removed = await fetch(`${t.emulator.baseUrl}/v1/Conversations/${sid}`, {
        method: "DELETE",
        // Twilio calls the webhooks of a REST change only when asked to.
        headers: { "x-twilio-webhook-enabled": "true", authorization: `Basic ${Buffer.from(`${t.tenant.accountSid}:${t.tenant.authToken}`).toString("base64")}` },
      });
      expect(removed.status).to.equal(204);
      await webhooksDone();
      expect(await listedOnB(`conversationId=${sid}`)).to.deep.equal([]);
      expect(await listedOnB("status=READ")).to.deep.equal([]);
      expect(t.balancer.forwarded[1] ?? 0, "no webhook went to B").to.equal(0);
    });
  });

  describe("when contacts are written on instance A", () => {
    it("B's contact book, loaded before, finds the created contact, sees its edit and forgets it when deleted", async () => {
      const search = async (text: string) => {
        const response = await b.api().get(`/api/contacts?search=${encodeURIComponent(text)}`);
        expect(response.status, response.text).to.equal(200);
        return response.body.data.contacts as Array<{ id: string; name: string; tags: string[] }>;
      };
      expect(await search("+15554200001")).to.deep.equal([]); // B's book is loaded now
      const created = await a.api().post("/api/contacts", { phoneNumber: "+15554200001", name: "Grace Hopper", tags: ["navy"] });
      expect(created.status, created.text).to.equal(201);
      const id = created.body.data.id as string;
      await settle(200);

      expect((await search("+15554200001")).map((c) => c.name)).to.deep.equal(["Grace Hopper"]);
      expect((await b.api().get(`/api/contacts/${id}`)).body.data).to.include({ name: "Grace Hopper" });
      expect((await b.api().post("/api/contacts", { phoneNumber: "+15554200001", name: "Twice" })).status, "B knows the number is taken").to.equal(409);

      expect((await a.api().patch(`/api/contacts/${id}`, { name: "Rear Admiral Hopper", tags: ["navy", "cobol"] })).status).to.equal(200);
      await settle(200);
      expect((await search("cobol")).map((c) => c.name)).to.deep.equal(["Rear Admiral Hopper"]);

      expect((await a.api().delete(`/api/contacts/${id}`)).status).to.equal(200);
      await settle(200);
      expect(await search("Hopper")).to.deep.equal([]);
      expect((await b.api().get(`/api/contacts/${id}`)).status).to.equal(404);
    });
  });

  describe("when an import is started on instance A and followed on B", () => {
    it("B answers for the job from start to end: progress, per-row errors and the rejected rows' CSV", async () => {
      const rows = Array.from({ length: 30 }, (_, i) => `+155542100${String(i).padStart(2, "0")},Imported ${i}`);
      rows[4] = "12345,No plus";
      rows[20] = "+15554210003,Twice";
      const form = new FormData();
      form.append("file", new Blob([`phone,name\n${rows.join("\n")}\n`], { type: "text/csv" }), "contacts.csv");
      const started = await fetch(`${a.baseUrl}/api/contacts/import/csv`, { method: "POST", headers: { authorization: `Bearer ${t.token()}` }, body: form });
      expect(started.status).to.equal(202);
      const jobId = ((await started.json()) as { data: { id: string } }).data.id;

      const seen: string[] = [];
      let job: any;
      for (;;) {
        const response = await b.api().get(`/api/contacts/import/${jobId}`);
        expect(response.status, response.text).to.equal(200);
        job = response.body.data;
        seen.push(job.status);
        if (job.status !== "processing") break;
        await settle(100);
      }
      expect(seen[0], "B saw the job running").to.equal("processing");
      expect(job).to.include({ status: "completed", total: 30, processed: 30, created: 28, failed: 2 });
      expect(job.errors).to.deep.equal([
        { row: 6, field: "phoneNumber", message: "phoneNumber must be an E.164 number (+ and up to 15 digits)" },
        { row: 22, field: "phoneNumber", message: "the same phoneNumber as row 5" },
      ]);
      const rejected = await fetch(`${b.baseUrl}/api/contacts/import/${jobId}/rejected`, { headers: { authorization: `Bearer ${t.token()}` } });
      expect(rejected.status).to.equal(200);
      expect(await rejected.text()).to.equal(
        "phone,name,error\r\n12345,No plus,row 6: phoneNumber must be an E.164 number (+ and up to 15 digits)\r\n'+15554210003,Twice,row 22: the same phoneNumber as row 5\r\n",
      );
      const imported = await b.api().get("/api/contacts?search=Imported&limit=100");
      expect(imported.body.data.pagination.total, "B's contact book heard the import's writes").to.equal(28);
    });
  });
});
