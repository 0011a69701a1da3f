import { expect } from "chai";
import { startEmulator, type EmulatorFixture } from "./emulator-client.js";

describe("Twilio emulator: Participants REST", () => {
  let f: EmulatorFixture;
  let conversationSid: string;
  const sms = { "MessagingBinding.Address": "+15551230001", "MessagingBinding.ProxyAddress": "+15559990000" };

  beforeEach(async () => {
    f = await startEmulator();
    conversationSid = (await f.call("POST", "/v1/Conversations")).body.sid;
  });
  afterEach(async () => {
    await f.emulator.stop();
  });

  describe("when the same identity is added twice", () => {
    it("responds 409 with code 50433", async () => {
      await f.call("POST", `/v1/Conversations/${conversationSid}/Participants`, { Identity: "ana" });
      const { status, body } = await f.call("POST", `/v1/Conversations/${conversationSid}/Participants`, { Identity: "ana" });
      expect(status).to.equal(409);
      expect(body.code).to.equal(50433);
    });
  });

  describe("when an address + proxy pair is already bound in another open conversation", () => {
    it("responds 409 with code 50416 naming that conversation", async () => {
      await f.call("POST", `/v1/Conversations/${conversationSid}/Participants`, sms);
      const other = (await f.call("POST", "/v1/Conversations")).body.sid;
      const { status, body } = await f.call("POST", `/v1/Conversations/${other}/Participants`, sms);
      expect(status).to.equal(409);
      expect(body.code).to.equal(50416);
      expect(body.message).to.contain(conversationSid);
    });

    it("accepts the pair once the first conversation is closed", async () => {
      await f.call("POST", `/v1/Conversations/${conversationSid}/Participants`, sms);
      await f.call("POST", `/v1/Conversations/${conversationSid}`, { State: "closed" });
      const other = (await f.call("POST", "/v1/Conversations")).body.sid;
      expect((await f.call("POST", `/v1/Conversations/${other}/Participants`, sms)).status).to.equal(201);
    });
  });

  describe("when the address is not E.164", () => {
    it("responds 400 with code 50407", async () => {
      const { status, body } = await f.call("POST", `/v1/Conversations/${conversationSid}/Participants`, {
        ...sms,
        "MessagingBinding.Address": "555-1234",
      });
      expect(status).to.equal(400);
      expect(body.code).to.equal(50407);
    });
  });

  describe("when a participant does not exist", () => {
    it("responds 404 with code 50432", async () => {
      const { status, body } = await f.call("GET", `/v1/Conversations/${conversationSid}/Participants/MB00000000000000000000000000000000`);
      expect(status).to.equal(404);
      expect(body.code).to.equal(50432);
    });
  });

  describe("when ParticipantConversations is queried by Address", () => {
    it("finds the conversations that address takes part in", async () => {
      const p = (await f.call("POST", `/v1/Conversations/${conversationSid}/Participants`, sms)).body;
      const { body } = await f.call("GET", "/v1/ParticipantConversations", { Address: "+15551230001" });
      expect(body.conversations).to.have.length(1);
      expect(body.conversations[0].conversation_sid).to.equal(conversationSid);
      expect(body.conversations[0].participant_sid).to.equal(p.sid);
    });
  });

  describe("when ConversationWithParticipants has one invalid participant", () => {
    it("fails and leaves no conversation behind", async () => {
      const before = (await f.call("GET", "/v1/Conversations")).body.conversations.length;
      const { status } = await f.call("POST", "/v1/ConversationWithParticipants", {
        FriendlyName: "atomic",
        Participant: [JSON.stringify({ identity: "ana" }), JSON.stringify({ messaging_binding: { address: "bad", proxy_address: "+15559990000" } })],
      });
      expect(status).to.equal(400);
      const after = (await f.call("GET", "/v1/Conversations")).body.conversations.length;
      expect(after).to.equal(before);
    });

    it("creates the conversation and every participant when all are valid", async () => {
      const { status, body } = await f.call("POST", "/v1/ConversationWithParticipants", {
        Participant: [JSON.stringify({ identity: "ana" }), JSON.stringify({ messaging_binding: { address: "+15551230002", proxy_address: "+15559990000" } })],
      });
      expect(status).to.equal(201);
      const participants = (await f.call("GET", `/v1/Conversations/${body.sid}/Participants`)).body.participants;
      expect(participants).to.have.length(2);
    });
  });
});
