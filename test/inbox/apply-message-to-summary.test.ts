import { expect } from "chai";
import { startApp, type TestApp } from "../support/start-app.js";

const CHAT = "/api/v1/chat/conversations";

describe("summariseSentMessage (through POST …/messages)", () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ webhooks: false });
  });
  after(() => t.close());

  describe("when the summary write fails after Twilio accepted the message, and Twilio then goes down", () => {
    it("still answers 201, and the inbox list keeps answering from the cache", async () => {
      const sid = (await t.api().post(CHAT, { friendlyName: "Outage", participants: [{ userId: "agent-1" }] })).body.sid;
      expect((await t.api().get(CHAT)).status).to.equal(200);
      // Conversation updates (the summary write) fail; message creation goes through.
      t.emulator.setFaultPlan({ failures: [{ status: 503, count: 1000, method: "POST", pathPattern: /\/Conversations\/CH[0-9a-f]{32}$/ }] });
      const sent = await t.api().post(`${CHAT}/${sid}/messages`, { body: "accepted by Twilio" });
      expect(sent.status).to.equal(201);
      t.emulator.setFaultPlan({ failures: [{ status: 503, count: 1000 }] });
      const list = await t.api().get(CHAT);
      expect(list.status).to.equal(200);
      expect(list.body.map((c: any) => c.sid)).to.include(sid);
      t.emulator.setFaultPlan({});
    });
  });
});
