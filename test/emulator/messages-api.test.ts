import { expect } from "chai";
import { startEmulator, type EmulatorFixture } from "./emulator-client.js";

describe("Twilio emulator: Messages REST", () => {
  let f: EmulatorFixture;
  let base: string;

  beforeEach(async () => {
    f = await startEmulator();
    base = `/v1/Conversations/${(await f.call("POST", "/v1/Conversations")).body.sid}`;
  });
  afterEach(async () => {
    await f.emulator.stop();
  });

  describe("when messages are added and one is deleted", () => {
    it("keeps index monotonic and never reuses an index", async () => {
      const a = (await f.call("POST", `${base}/Messages`, { Body: "a" })).body;
      const b = (await f.call("POST", `${base}/Messages`, { Body: "b" })).body;
      await f.call("DELETE", `${base}/Messages/${b.sid}`);
      const c = (await f.call("POST", `${base}/Messages`, { Body: "c" })).body;
      expect([a.index, b.index, c.index]).to.deep.equal([0, 1, 2]);
    });
  });

  describe("when listed with Order=desc", () => {
    it("returns newest first", async () => {
      for (const body of ["a", "b", "c"]) await f.call("POST", `${base}/Messages`, { Body: body });
      const { body } = await f.call("GET", `${base}/Messages`, { Order: "desc" });
      expect(body.messages.map((m: any) => m.body)).to.deep.equal(["c", "b", "a"]);
    });
  });

  describe("when the author is a participant", () => {
    it("sets participant_sid, and delivery only when non-chat participants receive it", async () => {
      const agent = (await f.call("POST", `${base}/Participants`, { Identity: "agent" })).body;
      const chatOnly = (await f.call("POST", `${base}/Messages`, { Author: "agent", Body: "x" })).body;
      expect(chatOnly.participant_sid).to.equal(agent.sid);
      expect(chatOnly.delivery).to.equal(null);
      await f.call("POST", `${base}/Participants`, {
        "MessagingBinding.Address": "+15551230009",
        "MessagingBinding.ProxyAddress": "+15559990000",
      });
      const toSms = (await f.call("POST", `${base}/Messages`, { Author: "agent", Body: "y" })).body;
      expect(toSms.delivery).to.deep.equal({ total: 1, sent: "none", delivered: "none", read: "none", failed: "none", undelivered: "none" });
    });
  });

  describe("when delivery is simulated", () => {
    it("creates receipts and updates the summary", async () => {
      const conversationSid = base.split("/").pop()!;
      await f.call("POST", `${base}/Participants`, {
        "MessagingBinding.Address": "+15551230010",
        "MessagingBinding.ProxyAddress": "+15559990000",
      });
      const m = (await f.call("POST", `${base}/Messages`, { Body: "y" })).body;
      await f.emulator.simulateDelivery({ accountSid: f.accountSid, conversationSid, messageSid: m.sid, status: "delivered" });
      const receipts = (await f.call("GET", `${base}/Messages/${m.sid}/Receipts`)).body.delivery_receipts;
      expect(receipts).to.have.length(1);
      expect(receipts[0].status).to.equal("delivered");
      const fetched = (await f.call("GET", `${base}/Messages/${m.sid}`)).body;
      expect(fetched.delivery).to.include({ sent: "all", delivered: "all", read: "none" });
    });
  });
});
