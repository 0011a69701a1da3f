import { expect } from "chai";
import { createConversation, inboundMessage } from "../../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../../support/start-app.js";

const ORG = "/api/v1/conversations/alpha";
const CHAT = "/api/v1/chat/conversations";

describe("seed 003 unified inbox: /api/v1/conversations/{organizationId}", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
  });
  afterEach(() => t.close());

  describe("when the token does not grant the organization", () => {
    it("responds 403 on every route, whether the organization exists or not", async () => {
      for (const path of ["/api/v1/conversations/beta", "/api/v1/conversations/beta/stats", "/api/v1/conversations/nope/search?q=x"]) {
        const response = await t.api("alpha").get(path);
        expect(response.status, path).to.equal(403);
      }
    });
  });

  describe("GET /{organizationId}", () => {
    it("lists conversations with the seed's fields, unread and sentiment from customer messages", async () => {
      await createConversation(t, { name: "Ada", phone: "+15556000001", waitForWebhooks: false });
      await inboundMessage(t, { from: "+15556000001", body: "This is terrible, I am very angry and disappointed" });
      const response = await t.api().get(ORG);
      expect(response.status).to.equal(200);
      expect(response.body.total_count).to.equal(1);
      expect(response.body.has_more).to.equal(false);
      const [conversation] = response.body.conversations;
      expect(conversation).to.include({
        patient_name: "Ada",
        phone: "+15556000001",
        last_message: "This is terrible, I am very angry and disappointed",
        message_count: 1,
        unread_count: 1,
        source: "sms",
        status: "active",
        priority: "medium",
      });
      expect(conversation.sentiment.overall).to.equal("negative");
      expect(conversation.sentiment.score).to.be.below(40);
    });

    it("filters unread, today and active, and pages by offset without duplicates or gaps", async () => {
      const sids: string[] = [];
      for (let i = 0; i < 5; i++) sids.push((await createConversation(t, { name: `C${i}`, phone: `+1555601000${i}`, waitForWebhooks: false })).sid);
      await inboundMessage(t, { from: "+15556010001", body: "hello" });
      await t.api().patch(`${ORG}/${sids[2]}`, { status: "resolved" });
      const ids = async (query: string) => (await t.api().get(`${ORG}?${query}`)).body.conversations.map((c: any) => c.id);
      expect(await ids("filter=unread")).to.deep.equal([sids[1]]);
      expect(await ids("filter=active")).to.have.members(sids.filter((_, i) => i !== 2));
      expect(await ids("filter=today")).to.have.members(sids);
      const paged: string[] = [];
      for (let offset = 0; offset < 5; offset += 2) {
        const page = await t.api().get(`${ORG}?limit=2&offset=${offset}`);
        paged.push(...page.body.conversations.map((c: any) => c.id));
        expect(page.body.has_more).to.equal(offset + 2 < 5);
      }
      expect(paged).to.have.length(5);
      expect(new Set(paged)).to.deep.equal(new Set(sids));
    });
  });

  describe("PATCH /{organizationId}/{conversationSid}", () => {
    it("changes status and priority in the attributes, keeping Twilio's state active", async () => {
      const { sid } = await createConversation(t, { name: "Bo", phone: "+15556020001", waitForWebhooks: false });
      const response = await t.api().patch(`${ORG}/${sid}`, { status: "resolved", priority: "high" });
      expect(response.status).to.equal(200);
      expect(response.body).to.include({ status: "resolved", priority: "high" });
      const chat = await t.api().get(`${CHAT}/${sid}`);
      expect(chat.body.state).to.equal("active");
      expect(JSON.parse(chat.body.attributes)).to.include({ status: "resolved", priority: "high" });
      expect((await t.api().patch(`${ORG}/${sid}`, { status: "closed" })).status).to.equal(400);
    });
  });

  describe("GET /{organizationId}/phone/{phone}", () => {
    it("returns the conversation and its history with sender types, pages with `before`, and audits the read", async () => {
      const { sid } = await createConversation(t, { name: "Cy", phone: "+15556030001", waitForWebhooks: false });
      await inboundMessage(t, { from: "+15556030001", body: "first question" });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await t.api().post(`${CHAT}/${sid}/messages`, { body: "first answer" });
      await t.emulator.whenIdle();
      const response = await t.api().get(`${ORG}/phone/%2B15556030001?limit=10`);
      expect(response.status).to.equal(200);
      expect(response.body.conversation).to.include({ id: sid, patient_name: "Cy", phone: "+15556030001", total_messages: 2, source: "sms" });
      expect(response.body.messages.map((m: any) => [m.content, m.sender_type])).to.deep.equal([
        ["first question", "patient"],
        ["first answer", "agent"],
      ]);
      expect(response.body.messages[1].metadata).to.include({ direction: "outbound", status: "queued" });
      expect(response.body.has_more).to.equal(false);
      const older = await t.api().get(`${ORG}/phone/%2B15556030001?limit=1&before=${encodeURIComponent(response.body.messages[1].timestamp)}`);
      expect(older.body.messages.map((m: any) => m.content)).to.deep.equal(["first question"]);
      const newestOnly = await t.api().get(`${ORG}/phone/%2B15556030001?limit=1`);
      expect(newestOnly.body.has_more).to.equal(true);
      const reads = t.auditRecords.flatMap((r) => (r.action === "conversation.messages.read" && r.operation === "getOrgConversationByPhone" ? [r] : []));
      expect(reads.map((r) => [r.conversationSids, r.count])).to.deep.equal([
        [[sid], 2],
        [[sid], 1],
        [[sid], 1],
      ]);
      expect(reads[0]).to.deep.include({ action: "conversation.messages.read", userId: "agent-1", tenantId: "alpha", surface: "org-inbox" });
    });

    it("finds a WhatsApp customer too, 404s an unknown number and 400s a malformed one", async () => {
      await createConversation(t, { name: "Di", phone: "+15556030002", channel: "WhatsApp", waitForWebhooks: false });
      expect((await t.api().get(`${ORG}/phone/%2B15556030002`)).body.conversation.source).to.equal("whatsapp");
      expect((await t.api().get(`${ORG}/phone/%2B15556039999`)).status).to.equal(404);
      expect((await t.api().get(`${ORG}/phone/5556030002`)).status).to.equal(400);
    });
  });

  describe("GET /{organizationId}/stats", () => {
    it("counts totals, unread, today, by source, and the average response time", async () => {
      const { sid } = await createConversation(t, { name: "Ed", phone: "+15556040001", waitForWebhooks: false });
      await createConversation(t, { name: "Flo", phone: "+15556040002", channel: "WhatsApp", waitForWebhooks: false });
      await inboundMessage(t, { from: "+15556040001", body: "anyone there?" });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await t.api().post(`${CHAT}/${sid}/messages`, { body: "yes!" });
      await t.emulator.whenIdle();
      const response = await t.api().get(`${ORG}/stats`);
      expect(response.body).to.deep.include({
        total_conversations: 2,
        unread_conversations: 1,
        active_conversations: 2,
        conversations_today: 2,
        response_time_samples: 1,
      });
      expect(response.body.by_source).to.deep.equal({ sms: 1, whatsapp: 1, email: 0, instagram: 0, phone: 0 });
      expect(response.body.avg_response_time).to.be.within(1 / 60, 1);
    });
  });

  describe("GET /{organizationId}/search", () => {
    it("finds message text, filters by phone and date, and stays current after it is built", async () => {
      await createConversation(t, { name: "Gus", phone: "+15556050001", waitForWebhooks: false });
      await createConversation(t, { name: "Hal", phone: "+15556050002", waitForWebhooks: false });
      await inboundMessage(t, { from: "+15556050001", body: "my parcel never arrived" });
      await inboundMessage(t, { from: "+15556050002", body: "parcel arrived damaged" });
      const first = await t.api().get(`${ORG}/search?q=parcel`);
      expect(first.status).to.equal(200);
      expect(first.body.total_count).to.equal(2);
      expect(first.body.index.documents).to.equal(2);
      const byPhone = await t.api().get(`${ORG}/search?q=parcel&phone=%2B15556050002`);
      expect(byPhone.body.results.map((r: any) => r.content)).to.deep.equal(["parcel arrived damaged"]);
      expect((await t.api().get(`${ORG}/search?q=parcel&date_to=2000-01-01`)).body.total_count).to.equal(0);
      await inboundMessage(t, { from: "+15556050001", body: "still waiting for the parcel" });
      const after = await t.api().get(`${ORG}/search?q=waiting%20parcel`);
      expect(after.body.results.map((r: any) => r.content)).to.deep.equal(["still waiting for the parcel"]);
      expect((await t.api().get(`${ORG}/search`)).status).to.equal(400);
    });

    it("holds at most SEARCH_INDEX_MAX_MESSAGES, the newest, when built and as messages arrive", async () => {
      await t.close();
      t = await startApp({ env: { SEARCH_INDEX_MAX_MESSAGES: "3" } });
      await createConversation(t, { name: "Ida", phone: "+15556050003", waitForWebhooks: false });
      for (const word of ["alpha", "bravo", "charlie", "delta"]) await inboundMessage(t, { from: "+15556050003", body: `parcel ${word}` });
      const built = await t.api().get(`${ORG}/search?q=parcel`);
      expect(built.body.index.documents).to.equal(3);
      expect(built.body.results.map((r: any) => r.content).sort()).to.deep.equal(["parcel bravo", "parcel charlie", "parcel delta"]);
      for (const word of ["echo", "foxtrot"]) await inboundMessage(t, { from: "+15556050003", body: `parcel ${word}` });
      const after = await t.api().get(`${ORG}/search?q=parcel`);
      expect(after.body.index.documents).to.equal(3);
      expect(after.body.results.map((r: any) => r.content).sort()).to.deep.equal(["parcel delta", "parcel echo", "parcel foxtrot"]);
    });
  });
});
