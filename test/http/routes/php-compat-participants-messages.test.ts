import { expect } from "chai";
import { startApp, type TestApp } from "../../support/start-app.js";

const PHP = "/twilio";
const CHAT = "/api/v1/chat/conversations";
const MISSING_CH = `CH${"0".repeat(32)}`;

describe("PHP-compatible API (seed 004): participants, messages, services", () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.close());
  afterEach(() => t.emulator.setFaultPlan({}));

  const createConversation = async (name = "php") => {
    const response = await t.api().post(`${PHP}/create_conversation.php`, { account_id: "alpha", friendly_name: name });
    expect(response.status, response.text).to.equal(200);
    return response.body.data.sid as string;
  };
  const addParticipant = (conversationSid: string, address: string, proxyAddress = t.tenants.alpha.phoneNumber!) =>
    t.api().post(`${PHP}/add_participant.php`, { account_id: "alpha", conversation_sid: conversationSid, address, proxy_address: proxyAddress });

  describe("POST /add_participant.php", () => {
    describe("when the address is new and the proxy is the account's SMS number", () => {
      it("adds an SMS binding and answers the participant", async () => {
        const sid = await createConversation();
        const response = await addParticipant(sid, "+15558880001");
        expect(response.status).to.equal(200);
        const data = response.body.data;
        expect(data.sid).to.match(/^MB[0-9a-f]{32}$/);
        expect(data).to.include({ account_sid: t.tenants.alpha.accountSid, conversation_sid: sid, identity: null, role_sid: null });
        expect(data.messaging_binding).to.deep.equal({ type: "sms", address: "+15558880001", proxy_address: t.tenants.alpha.phoneNumber });
        expect(data.url).to.match(new RegExp(`/Conversations/${sid}/Participants/${data.sid}$`));
        const chat = (await t.api().get(`${CHAT}/${sid}`)).body;
        expect(chat.participants.map((p: { sid: string }) => p.sid)).to.include(data.sid);
      });
    });

    describe("when both addresses are whatsapp:", () => {
      it("adds a WhatsApp binding to the account's WhatsApp sender", async () => {
        const sid = await createConversation();
        const response = await addParticipant(sid, "whatsapp:+15558880002", t.tenants.alpha.whatsappNumber);
        expect(response.status).to.equal(200);
        expect(response.body.data.messaging_binding).to.include({ type: "whatsapp", address: "whatsapp:+15558880002" });
      });
    });

    describe("when the address already is a participant of this conversation", () => {
      it("answers success with the existing participant", async () => {
        const sid = await createConversation();
        const first = await addParticipant(sid, "+15558880003");
        const again = await addParticipant(sid, "+15558880003");
        expect(again.status).to.equal(200);
        expect(again.body.data.sid).to.equal(first.body.data.sid);
      });
    });

    describe("when the address is bound in another conversation", () => {
      it("responds 409 with Twilio's 50416", async () => {
        const [one, two] = [await createConversation(), await createConversation()];
        await addParticipant(one, "+15558880004");
        const response = await addParticipant(two, "+15558880004");
        expect(response.status).to.equal(409);
        expect(response.body.data).to.include({ code: 50416, status: 409 });
      });
    });

    describe("when proxy_address is not one of the account's senders", () => {
      it("responds 400 naming proxy_address and adds nobody", async () => {
        const sid = await createConversation();
        const response = await addParticipant(sid, "+15558880005", "+15550000000");
        expect(response.status).to.equal(400);
        expect(response.body.data.field).to.equal("proxy_address");
        const listed = await t.api().get(`${PHP}/list_participants.php?account_id=alpha&conversation_sid=${sid}`);
        expect(listed.body.data.participants).to.deep.equal([]);
      });
    });

    describe("when only one of the addresses is whatsapp:", () => {
      it("responds 400 naming proxy_address", async () => {
        const sid = await createConversation();
        const response = await addParticipant(sid, "whatsapp:+15558880006", t.tenants.alpha.phoneNumber);
        expect(response.status).to.equal(400);
        expect(response.body.data.field).to.equal("proxy_address");
      });
    });

    describe("when the conversation does not exist", () => {
      it("responds 404 Conversation not found", async () => {
        const response = await addParticipant(MISSING_CH, "+15558880007");
        expect(response.status).to.equal(404);
        expect(response.body.data.error).to.equal("Conversation not found");
      });
    });

    const invalid: Array<[string, Record<string, unknown>, string]> = [
      ["address is not E.164", { address: "5551234" }, "address"],
      ["proxy_address is missing", { proxy_address: undefined }, "proxy_address"],
      ["conversation_sid is not a CH SID", { conversation_sid: "CH12" }, "conversation_sid"],
      ["an unknown field is sent", { colour: "red" }, "colour"],
    ];
    for (const [situation, change, field] of invalid) {
      describe(`when ${situation}`, () => {
        it(`responds 400 naming ${field}`, async () => {
          const body = { account_id: "alpha", conversation_sid: MISSING_CH, address: "+15558880008", proxy_address: t.tenants.alpha.phoneNumber, ...change };
          const response = await t.api().post(`${PHP}/add_participant.php`, body);
          expect(response.status).to.equal(400);
          expect(response.body.data.field).to.equal(field);
        });
      });
    }
  });

  describe("GET /list_participants.php", () => {
    describe("when the conversation has participants", () => {
      it("lists them with a one-page meta", async () => {
        const sid = await createConversation();
        await addParticipant(sid, "+15558880011");
        await addParticipant(sid, "whatsapp:+15558880012", t.tenants.alpha.whatsappNumber);
        const response = await t.api().get(`${PHP}/list_participants.php?account_id=alpha&conversation_sid=${sid}`);
        expect(response.status).to.equal(200);
        expect(response.body.data.participants.map((p: any) => p.messaging_binding.address)).to.have.members([
          "+15558880011",
          "whatsapp:+15558880012",
        ]);
        expect(response.body.data.meta).to.include({ page: 0, page_size: 2, next_page_url: null, key: "participants" });
      });
    });

    describe("when the conversation does not exist", () => {
      it("responds 404", async () => {
        const response = await t.api().get(`${PHP}/list_participants.php?account_id=alpha&conversation_sid=${MISSING_CH}`);
        expect(response.status).to.equal(404);
      });
    });
  });

  describe("DELETE /remove_participant.php", () => {
    describe("when the participant exists", () => {
      it("removes it and list_participants no longer shows it", async () => {
        const sid = await createConversation();
        const added = (await addParticipant(sid, "+15558880021")).body.data;
        const response = await t.api().delete(`${PHP}/remove_participant.php`, {
          body: { account_id: "alpha", conversation_sid: sid, participant_sid: added.sid },
        });
        expect(response.body).to.deep.equal({ success: true, data: { deleted: true, participant_sid: added.sid } });
        const listed = await t.api().get(`${PHP}/list_participants.php?account_id=alpha&conversation_sid=${sid}`);
        expect(listed.body.data.participants).to.deep.equal([]);
      });
    });

    describe("when the participant does not exist", () => {
      it("responds 404 Participant not found", async () => {
        const sid = await createConversation();
        const response = await t.api().delete(`${PHP}/remove_participant.php`, {
          body: { account_id: "alpha", conversation_sid: sid, participant_sid: `MB${"0".repeat(32)}` },
        });
        expect(response.status).to.equal(404);
        expect(response.body.data).to.include({ error: "Participant not found", status: 404 });
      });
    });

    describe("when participant_sid is not an MB SID", () => {
      it("responds 400 naming participant_sid", async () => {
        const response = await t.api().delete(`${PHP}/remove_participant.php`, {
          body: { account_id: "alpha", conversation_sid: MISSING_CH, participant_sid: `IM${"0".repeat(32)}` },
        });
        expect(response.status).to.equal(400);
        expect(response.body.data.field).to.equal("participant_sid");
      });
    });
  });

  describe("POST /send_message.php", () => {
    describe("when author is omitted", () => {
      it("sends as the token's user, delivered to the SMS binding through Twilio", async () => {
        const sid = await createConversation();
        await addParticipant(sid, "+15558880031");
        const response = await t.api().post(`${PHP}/send_message.php`, { account_id: "alpha", conversation_sid: sid, body: "Hello from PHP" });
        expect(response.status).to.equal(200);
        const data = response.body.data;
        expect(data.sid).to.match(/^IM[0-9a-f]{32}$/);
        expect(data).to.include({ conversation_sid: sid, index: 0, author: "agent-1", body: "Hello from PHP", account_sid: t.tenants.alpha.accountSid });
        expect(data.delivery?.total).to.equal(1);
        const chatMessages = (await t.api().get(`${CHAT}/${sid}/messages`)).body;
        expect(chatMessages.map((m: { sid: string }) => m.sid)).to.include(data.sid);
      });
    });

    describe("when author is given", () => {
      it("keeps it", async () => {
        const sid = await createConversation();
        const response = await t.api().post(`${PHP}/send_message.php`, { account_id: "alpha", conversation_sid: sid, body: "hi", author: "+15005550001" });
        expect(response.body.data.author).to.equal("+15005550001");
      });
    });

    describe("when body is missing", () => {
      it("responds 400 naming body", async () => {
        const response = await t.api().post(`${PHP}/send_message.php`, { account_id: "alpha", conversation_sid: MISSING_CH });
        expect(response.status).to.equal(400);
        expect(response.body.data.field).to.equal("body");
      });
    });

    describe("when the conversation does not exist", () => {
      it("responds 404", async () => {
        const response = await t.api().post(`${PHP}/send_message.php`, { account_id: "alpha", conversation_sid: MISSING_CH, body: "x" });
        expect(response.status).to.equal(404);
      });
    });

    describe("when the account is another tenant's", () => {
      it("responds 404 Account not found", async () => {
        const response = await t.api("alpha").post(`${PHP}/send_message.php`, { account_id: "beta", conversation_sid: MISSING_CH, body: "x" });
        expect(response.status).to.equal(404);
        expect(response.body.data).to.include({ error: "Account not found", field: "account_id" });
      });
    });
  });

  describe("GET /list_messages.php", () => {
    describe("when the conversation has more messages than the limit", () => {
      it("answers the oldest first and a next page that continues", async () => {
        const sid = await createConversation();
        for (const body of ["one", "two", "three"]) {
          await t.api().post(`${PHP}/send_message.php`, { account_id: "alpha", conversation_sid: sid, body });
        }
        const first = await t.api().get(`${PHP}/list_messages.php?account_id=alpha&conversation_sid=${sid}&limit=2`);
        expect(first.status).to.equal(200);
        expect(first.body.data.messages.map((m: { body: string }) => m.body)).to.deep.equal(["one", "two"]);
        expect(first.body.data.meta).to.include({ page: 0, page_size: 2, key: "messages", previous_page_url: null });
        const second = await t.api().get(first.body.data.meta.next_page_url);
        expect(second.body.data.messages.map((m: { body: string }) => m.body)).to.deep.equal(["three"]);
        expect(second.body.data.meta).to.include({ page: 1, next_page_url: null });
        expect(second.body.data.meta.first_page_url).to.not.include("page_token");
      });
    });

    describe("when limit is omitted", () => {
      it("uses 20", async () => {
        const sid = await createConversation();
        const response = await t.api().get(`${PHP}/list_messages.php?account_id=alpha&conversation_sid=${sid}`);
        expect(response.body.data).to.deep.include({ messages: [] });
        expect(response.body.data.meta.page_size).to.equal(20);
      });
    });

    describe("when conversation_sid is missing", () => {
      it("responds 400 naming conversation_sid", async () => {
        const response = await t.api().get(`${PHP}/list_messages.php?account_id=alpha`);
        expect(response.status).to.equal(400);
        expect(response.body.data.field).to.equal("conversation_sid");
      });
    });
  });

  describe("DELETE /delete_message.php", () => {
    describe("when the message is the latest", () => {
      it("deletes it and the inbox preview moves to the one before", async () => {
        const sid = await createConversation();
        const send = (body: string) => t.api().post(`${PHP}/send_message.php`, { account_id: "alpha", conversation_sid: sid, body });
        await send("kept");
        const latest = (await send("deleted")).body.data;
        const response = await t.api().delete(`${PHP}/delete_message.php`, { body: { account_id: "alpha", conversation_sid: sid, message_sid: latest.sid } });
        expect(response.body).to.deep.equal({ success: true, data: { deleted: true, message_sid: latest.sid } });
        const listed = await t.api().get(`${PHP}/list_messages.php?account_id=alpha&conversation_sid=${sid}`);
        expect(listed.body.data.messages.map((m: { body: string }) => m.body)).to.deep.equal(["kept"]);
        expect((await t.api().get(`${CHAT}/${sid}`)).body.latestMessage.body).to.equal("kept");
      });
    });

    describe("when the message does not exist", () => {
      it("responds 404 Message not found", async () => {
        const sid = await createConversation();
        const response = await t.api().delete(`${PHP}/delete_message.php`, {
          body: { account_id: "alpha", conversation_sid: sid, message_sid: `IM${"0".repeat(32)}` },
        });
        expect(response.status).to.equal(404);
        expect(response.body.data.error).to.equal("Message not found");
      });
    });

    describe("when message_sid is missing", () => {
      it("responds 400 naming message_sid", async () => {
        const response = await t.api().delete(`${PHP}/delete_message.php`, { body: { account_id: "alpha", conversation_sid: MISSING_CH } });
        expect(response.status).to.equal(400);
        expect(response.body.data.field).to.equal("message_sid");
      });
    });
  });

  describe("GET /list_services.php", () => {
    describe("when the account has its service", () => {
      it("lists only that service", async () => {
        const response = await t.api().get(`${PHP}/list_services.php?account_id=alpha`);
        expect(response.status).to.equal(200);
        expect(response.body.data.services).to.have.length(1);
        expect(response.body.data.services[0]).to.include({
          sid: t.tenants.alpha.conversationsServiceSid,
          account_sid: t.tenants.alpha.accountSid,
          url: `https://conversations.twilio.com/v1/Services/${t.tenants.alpha.conversationsServiceSid}`,
        });
        expect(response.body.data.meta.key).to.equal("services");
      });
    });

    describe("when account_id is unknown", () => {
      it("responds 404", async () => {
        const response = await t.api().get(`${PHP}/list_services.php?account_id=unknown-account`);
        expect(response.status).to.equal(404);
      });
    });
  });

  describe("when Twilio is down", () => {
    const body = { account_id: "alpha", conversation_sid: MISSING_CH };
    const calls: Array<[string, () => Promise<{ status: number; body: any; headers: Headers }>]> = [
      ["POST /add_participant.php", () => t.api().post(`${PHP}/add_participant.php`, { ...body, address: "+15558880099", proxy_address: t.tenants.alpha.phoneNumber })],
      ["GET /list_participants.php", () => t.api().get(`${PHP}/list_participants.php?account_id=alpha&conversation_sid=${MISSING_CH}`)],
      ["POST /send_message.php", () => t.api().post(`${PHP}/send_message.php`, { ...body, body: "x" })],
      ["GET /list_messages.php", () => t.api().get(`${PHP}/list_messages.php?account_id=alpha&conversation_sid=${MISSING_CH}`)],
      ["GET /list_services.php", () => t.api().get(`${PHP}/list_services.php?account_id=alpha`)],
      ["DELETE /remove_participant.php", () => t.api().delete(`${PHP}/remove_participant.php`, { body: { ...body, participant_sid: `MB${"0".repeat(32)}` } })],
      ["DELETE /delete_message.php", () => t.api().delete(`${PHP}/delete_message.php`, { body: { ...body, message_sid: `IM${"0".repeat(32)}` } })],
    ];
    for (const [endpoint, call] of calls) {
      describe(endpoint, () => {
        it("responds 503 in the envelope with Retry-After", async () => {
          t.app.cache.clear();
          t.emulator.setFaultPlan({ failures: [{ status: 503, count: 100 }] });
          const response = await call();
          expect(response.status).to.equal(503);
          expect(response.body).to.deep.include({ success: false });
          expect(response.body.data).to.include({ status: 503 });
          expect(Number(response.headers.get("retry-after"))).to.be.greaterThan(0);
        });
      });
    }
  });
});
