import { expect } from "chai";
import { createConversation, phoneNumbers } from "../../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../../support/start-app.js";

const BASE = "/api/v1/chat/conversations";
const UNKNOWN_PARTICIPANT = `MB${"0".repeat(32)}`;

describe("chat API: participants", () => {
  // One gateway + emulator for the file (each test works on conversations of its own).
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.close());
  afterEach(() => t.emulator.setFaultPlan({}));

  const nextPhone = phoneNumbers("+1555400");

  const participantsOf = async (sid: string, tenant: "alpha" | "beta" = "alpha") => {
    const response = await t.api(tenant).get(`${BASE}/${sid}`);
    expect(response.status, response.text).to.equal(200);
    return response.body.participants as any[];
  };

  describe("POST /conversations/:sid/participants", () => {
    describe("when the target is a userId", () => {
      it("adds a chat identity without a binding and lists it on the conversation", async () => {
        const { sid } = await createConversation(t, { name: "Team" });

        const response = await t.api().post(`${BASE}/${sid}/participants`, { userId: "agent-42" });

        expect(response.status).to.equal(201);
        expect(response.body).to.deep.include({ conversationSid: sid, identity: "agent-42", messagingBinding: null });
        expect((await participantsOf(sid)).map((p) => p.sid)).to.deep.equal([response.body.sid]);
      });
    });

    describe("when the target is a phone number in an SMS conversation", () => {
      it("binds it to the tenant's SMS sender", async () => {
        const { sid } = await createConversation(t, { name: "Sms" });

        const phone = nextPhone();

        const response = await t.api().post(`${BASE}/${sid}/participants`, { phoneNumber: phone });

        expect(response.status).to.equal(201);
        expect(response.body.identity).to.equal(null);
        expect(response.body.messagingBinding).to.deep.include({ address: phone, proxyAddress: t.tenants.alpha.phoneNumber });
      });
    });

    describe("when the target is a phone number in a WhatsApp conversation", () => {
      it("binds the whatsapp: address to the tenant's WhatsApp sender", async () => {
        const { sid } = await createConversation(t, { name: "Wa", channel: "WhatsApp" });

        const phone = nextPhone();

        const response = await t.api().post(`${BASE}/${sid}/participants`, { phoneNumber: phone });

        expect(response.status).to.equal(201);
        expect(response.body.messagingBinding).to.deep.include({
          address: `whatsapp:${phone}`,
          proxyAddress: t.tenants.alpha.whatsappNumber,
        });
      });
    });

    describe("when the target is an email address", () => {
      it("joins as an identity carrying the address", async () => {
        const { sid } = await createConversation(t, { name: "Mail", channel: "Email" });

        const response = await t.api().post(`${BASE}/${sid}/participants`, { email: "ada@example.com" });

        expect(response.status).to.equal(201);
        expect(response.body.identity).to.equal("ada@example.com");
        expect(response.body.messagingBinding).to.equal(null);
        expect(JSON.parse(response.body.attributes)).to.deep.equal({ channel: "Email", email: "ada@example.com" });
      });
    });

    const targets: Array<[string, () => object]> = [
      ["chat identity", () => ({ userId: "agent-webhook" })],
      ["phone", () => ({ phoneNumber: nextPhone() })],
    ];
    for (const [kind, target] of targets) {
      describe(`when a ${kind} participant is added`, () => {
        it("accepts Twilio's onParticipantAdded webhook for it", async () => {
          const { sid } = await createConversation(t, { name: `Webhook ${kind}` });
          const body = target();

          const added = await t.api().post(`${BASE}/${sid}/participants`, body);
          await t.emulator.whenIdle();

          const deliveries = t.emulator.webhooks.byEvent("onParticipantAdded").filter((d) => d.params.ParticipantSid === added.body.sid);
          expect(deliveries.map((d) => d.status)).to.deep.equal([200]);
        });
      });
    }

    const notExactlyOne: Array<[string, object, string]> = [
      ["no target is given", {}, "body"],
      ["two targets are given", { userId: "a", phoneNumber: "+15554000003" }, "body"],
      ["three targets are given", { userId: "a", phoneNumber: "+15554000003", email: "a@example.com" }, "body"],
      ["an unknown field is given", { nickname: "Ada" }, "nickname"],
      ["the phone number is not E.164", { phoneNumber: "555-1234" }, "phoneNumber"],
      ["the email is invalid", { email: "not-an-email" }, "email"],
      ["the userId starts with whitespace", { userId: " agent" }, "userId"],
    ];
    for (const [situation, body, field] of notExactlyOne) {
      describe(`when ${situation}`, () => {
        it(`responds 400 naming ${field} and calls no upstream`, async () => {
          const { sid } = await createConversation(t, { name: "Invalid" });
          const calls = t.upstreamCalls.length;

          const response = await t.api().post(`${BASE}/${sid}/participants`, body);

          expect(response.status).to.equal(400);
          expect(response.body.error.code).to.equal("validation_failed");
          expect(response.body.error.field).to.equal(field);
          expect(t.upstreamCalls.length).to.equal(calls);
        });
      });
    }

    describe("when the identity already takes part", () => {
      it("responds 409 with Twilio's code 50433 and adds nobody", async () => {
        const { sid } = await createConversation(t, { name: "Dup" });
        await t.api().post(`${BASE}/${sid}/participants`, { userId: "agent-7" });

        const response = await t.api().post(`${BASE}/${sid}/participants`, { userId: "agent-7" });

        expect(response.status).to.equal(409);
        expect(response.body.error.code).to.equal("conflict");
        expect(response.body.error.twilioCode).to.equal(50433);
        expect(await participantsOf(sid)).to.have.length(1);
      });
    });

    describe("when the phone number is already bound in another open conversation", () => {
      it("responds 409 with Twilio's code 50416", async () => {
        const phone = nextPhone();
        await createConversation(t, { name: "First", phone });
        const { sid: second } = await createConversation(t, { name: "Second" });

        const response = await t.api().post(`${BASE}/${second}/participants`, { phoneNumber: phone });

        expect(response.status).to.equal(409);
        expect(response.body.error.code).to.equal("conflict");
        expect(response.body.error.twilioCode).to.equal(50416);
        expect(await participantsOf(second)).to.deep.equal([]);
      });
    });

    describe("when the conversation does not exist", () => {
      it("responds 404", async () => {
        const response = await t.api().post(`${BASE}/CH${"0".repeat(32)}/participants`, { userId: "agent-1" });

        expect(response.status).to.equal(404);
        expect(response.body.error.code).to.equal("not_found");
      });
    });

    describe("when the conversation belongs to another tenant", () => {
      it("responds 404 and leaves it untouched", async () => {
        const { sid: betaSid } = await createConversation(t, { name: "Beta", tenant: "beta" });

        const response = await t.api("alpha").post(`${BASE}/${betaSid}/participants`, { userId: "intruder" });

        expect(response.status).to.equal(404);
        expect(await participantsOf(betaSid, "beta")).to.deep.equal([]);
      });
    });
  });

  describe("when participants change outside the gateway (Twilio console, another app)", () => {
    it("the conversation lists them once Twilio's webhooks arrive, in the list and the conversation alike", async () => {
      const { sid } = await createConversation(t, { name: "Outside", phone: nextPhone() });
      const gateway = t.app.tenants.get("alpha").gateway;
      const joined = await gateway.createParticipant(sid, { identity: "supervisor-7" });
      await t.emulator.whenIdle();
      expect((await participantsOf(sid)).map((p) => p.sid)).to.include(joined.sid);
      const listed = (await t.api().get(BASE)).body.find((c: { sid: string }) => c.sid === sid);
      expect(listed.participants.map((p: { sid: string }) => p.sid)).to.include(joined.sid);

      await gateway.deleteParticipant(sid, joined.sid);
      await t.emulator.whenIdle();
      expect((await participantsOf(sid)).map((p) => p.sid)).not.to.include(joined.sid);
    });
  });

  describe("DELETE /conversations/:sid/participants/:participantSid", () => {
    describe("when the participant takes part", () => {
      it("removes it and the conversation no longer lists it", async () => {
        const { sid } = await createConversation(t, { name: "Leaving", phone: nextPhone() });
        const agent = (await t.api().post(`${BASE}/${sid}/participants`, { userId: "agent-3" })).body;
        await t.emulator.whenIdle(); // webhooks are unordered: a late one would race the removal (see chat-attributes)
        expect((await participantsOf(sid)).map((p) => p.sid)).to.include(agent.sid);

        const response = await t.api().delete(`${BASE}/${sid}/participants/${agent.sid}`);

        expect(response.status).to.equal(200);
        expect(response.body).to.deep.equal({ message: "Participant removed" });
        const remaining = await participantsOf(sid);
        expect(remaining.map((p) => p.sid)).not.to.include(agent.sid);
        expect(remaining).to.have.length(1);
        t.app.cache.clear();
        expect((await participantsOf(sid)).map((p) => p.sid)).not.to.include(agent.sid);
      });
    });

    describe("when a phone participant is removed", () => {
      it("accepts Twilio's onParticipantRemoved webhook for it", async () => {
        const { sid } = await createConversation(t, { name: "Removed webhook", phone: nextPhone() });
        const bound = (await participantsOf(sid))[0];

        await t.api().delete(`${BASE}/${sid}/participants/${bound.sid}`);
        await t.emulator.whenIdle();

        const deliveries = t.emulator.webhooks.byEvent("onParticipantRemoved").filter((d) => d.params.ParticipantSid === bound.sid);
        expect(deliveries.map((d) => d.status)).to.deep.equal([200]);
      });
    });

    describe("when the phone participant is removed", () => {
      it("frees the number for another conversation", async () => {
        const phone = nextPhone();
        const { sid: first } = await createConversation(t, { name: "Old", phone });
        const bound = (await participantsOf(first))[0];
        const { sid: second } = await createConversation(t, { name: "New" });

        await t.api().delete(`${BASE}/${first}/participants/${bound.sid}`);
        const response = await t.api().post(`${BASE}/${second}/participants`, { phoneNumber: phone });

        expect(response.status).to.equal(201);
      });
    });

    describe("when the participant does not exist", () => {
      it("responds 404 with Twilio's code", async () => {
        const { sid } = await createConversation(t, { name: "Nobody" });

        const response = await t.api().delete(`${BASE}/${sid}/participants/${UNKNOWN_PARTICIPANT}`);

        expect(response.status).to.equal(404);
        expect(response.body.error.code).to.equal("not_found");
        expect(response.body.error.twilioCode).to.equal(50432);
      });
    });

    describe("when the participant SID is malformed", () => {
      it("responds 400 naming participantSid and calls no upstream", async () => {
        const { sid } = await createConversation(t, { name: "Malformed" });
        const calls = t.upstreamCalls.length;

        const response = await t.api().delete(`${BASE}/${sid}/participants/agent-3`);

        expect(response.status).to.equal(400);
        expect(response.body.error.field).to.equal("participantSid");
        expect(t.upstreamCalls.length).to.equal(calls);
      });
    });

    describe("when the conversation belongs to another tenant", () => {
      it("responds 404 and the participant stays", async () => {
        const { sid: betaSid } = await createConversation(t, { name: "Beta", tenant: "beta", phone: nextPhone() });
        const betaParticipant = (await participantsOf(betaSid, "beta"))[0];

        const response = await t.api("alpha").delete(`${BASE}/${betaSid}/participants/${betaParticipant.sid}`);

        expect(response.status).to.equal(404);
        t.app.cache.clear();
        expect((await participantsOf(betaSid, "beta")).map((p) => p.sid)).to.deep.equal([betaParticipant.sid]);
      });
    });
  });
});
