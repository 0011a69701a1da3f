import { expect } from "chai";
import { createTwilioSpecChecker } from "../support/twilio-spec.js";
import { startEmulator, type EmulatorFixture } from "./emulator-client.js";

// The Content API as twilio_content_v1.json describes it; every exchange is checked against that file.
describe("Twilio emulator: Content API", () => {
  let f: EmulatorFixture;
  const problems: string[] = [];
  beforeEach(async () => {
    f = await startEmulator();
    const checker = createTwilioSpecChecker();
    problems.length = 0;
    f.emulator.onExchange((exchange) => problems.push(...checker.checkResponse(exchange)));
  });
  afterEach(async () => {
    await f.emulator.stop();
    expect(problems, "exchanges break twilio_content_v1.json").to.deep.equal([]);
  });

  const json = async (method: string, path: string, body?: unknown, as = f.accountSid, token = f.authToken) => {
    const response = await fetch(`${f.emulator.baseUrl}${path}`, {
      method,
      headers: { authorization: "Basic " + Buffer.from(`${as}:${token}`).toString("base64"), ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  const template = { friendly_name: "order_update", language: "en", variables: { "1": "customer" }, types: { "twilio/text": { body: "Hi {{1}}, your order {{2}} shipped." } } };

  describe("when a template is created, listed, fetched and deleted", () => {
    it("answers with the spec's shapes and links", async () => {
      const created = await json("POST", "/v1/Content", template);
      expect(created.status).to.equal(201);
      expect(created.body.sid).to.match(/^HX[0-9a-f]{32}$/);
      expect(created.body.links.approval_create).to.equal(`https://content.twilio.com/v1/Content/${created.body.sid}/ApprovalRequests/whatsapp`);
      expect((await json("GET", "/v1/Content")).body.contents).to.have.length(1);
      const listed = await json("GET", "/v1/ContentAndApprovals");
      expect(listed.body.contents[0].approval_requests.status).to.equal("unsubmitted");
      expect((await json("GET", `/v1/Content/${created.body.sid}`)).body.types).to.deep.equal(template.types);
      expect((await json("DELETE", `/v1/Content/${created.body.sid}`)).status).to.equal(204);
      expect((await json("GET", `/v1/Content/${created.body.sid}`)).status).to.equal(404);
    });

    it("refuses a body without types, or with an unknown field", async () => {
      expect((await json("POST", "/v1/Content", { language: "en" })).status).to.equal(400);
      expect((await json("POST", "/v1/Content", { ...template, friendlyName: "camel" })).status).to.equal(400);
    });
  });

  describe("when WhatsApp approval is requested and decided", () => {
    it("moves from received to approved, or rejected with a reason", async () => {
      const created = (await json("POST", "/v1/Content", template)).body;
      const requested = await json("POST", `/v1/Content/${created.sid}/ApprovalRequests/whatsapp`, { name: "order_update", category: "UTILITY" });
      expect(requested.status).to.equal(201);
      expect(requested.body).to.include({ name: "order_update", category: "UTILITY", status: "received", content_type: "twilio/text" });
      f.emulator.setContentApproval({ accountSid: f.accountSid, contentSid: created.sid, status: "rejected", rejectionReason: "INVALID_FORMAT" });
      const fetched = await json("GET", `/v1/Content/${created.sid}/ApprovalRequests`);
      expect(fetched.body.whatsapp).to.include({ status: "rejected", rejection_reason: "INVALID_FORMAT" });
    });
  });

  describe("when another account asks for the template", () => {
    it("answers 404", async () => {
      const created = (await json("POST", "/v1/Content", template)).body;
      const other = f.emulator.createAccount();
      expect((await json("GET", `/v1/Content/${created.sid}`, undefined, other.accountSid, other.authToken)).status).to.equal(404);
      expect((await json("GET", "/v1/Content", undefined, other.accountSid, other.authToken)).body.contents).to.deep.equal([]);
    });
  });

  describe("when a template is sent in a conversation", () => {
    it("renders its variables into the message body and keeps content_sid", async () => {
      const created = (await json("POST", "/v1/Content", template)).body;
      const conversation = (await f.call("POST", "/v1/Conversations", {})).body;
      const sent = await f.call("POST", `/v1/Conversations/${conversation.sid}/Messages`, { ContentSid: created.sid, ContentVariables: JSON.stringify({ "1": "Ada", "2": "#42" }) });
      expect(sent.status).to.equal(201);
      expect(sent.body).to.include({ body: "Hi Ada, your order #42 shipped.", content_sid: created.sid });
    });

    it("refuses a type Conversations cannot deliver with 50542, and a variable over 256 characters with 50541", async () => {
      const carousel = (await json("POST", "/v1/Content", { language: "en", types: { "twilio/carousel": { body: "x", cards: [] } } })).body;
      const text = (await json("POST", "/v1/Content", template)).body;
      const conversation = (await f.call("POST", "/v1/Conversations", {})).body;
      const refused = await f.call("POST", `/v1/Conversations/${conversation.sid}/Messages`, { ContentSid: carousel.sid });
      expect(refused.body.code).to.equal(50542);
      const long = await f.call("POST", `/v1/Conversations/${conversation.sid}/Messages`, { ContentSid: text.sid, ContentVariables: JSON.stringify({ "1": "a".repeat(257) }) });
      expect(long.body.code).to.equal(50541);
    });
  });
});
