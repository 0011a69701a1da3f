import { expect } from "chai";
import { createTwilioSpecChecker, type CheckedExchange } from "../support/twilio-spec.js";
import { startEmulator, type EmulatorFixture } from "./emulator-client.js";

// Api 2010 resources the emulator serves; other v2010 examples contradict their own schemas
// (e.g. `price` typed number but "-0.0025" in examples, "" for SIDs and URIs).
const EMULATED_2010 = /^\w+ \/2010-04-01\/Accounts\/\{AccountSid\}\/(Messages|Balance|Keys)/;

describe("Twilio emulator: fidelity to Twilio's OpenAPI description", () => {
  const checker = createTwilioSpecChecker();

  describe("when the loader compiles the specs", () => {
    it("validates every Conversations example and every emulated Api 2010 example", () => {
      const relevant = checker.selfCheckProblems.filter(
        (problem) => problem.includes(" /v1/") || EMULATED_2010.test(problem),
      );
      expect(relevant).to.deep.equal([]);
    });
  });

  describe("when an exchange deviates from the spec", () => {
    it("reports schema, error-shape and parameter problems", () => {
      const base = { method: "GET", path: "/v1/Conversations/CH00000000000000000000000000000000", query: {}, form: {} };
      const badBody = checker.checkResponse({ ...base, status: 200, responseBody: { sid: "nope", state: "sleepy" } });
      const badError = checker.checkResponse({ ...base, status: 404, responseBody: { error: "x" } });
      const badParam = checker.checkRequestParams({ ...base, method: "POST", status: 200, responseBody: {}, form: { Colour: "red" } });
      expect(badBody.join("\n")).to.match(/\/sid must match pattern/).and.match(/\/state must be equal to one of the allowed values/);
      expect(badError).to.not.be.empty;
      expect(badParam).to.deep.equal([
        "POST /v1/Conversations/CH00000000000000000000000000000000: parameter Colour is not declared for /v1/Conversations/{Sid}",
      ]);
    });
  });

  // Twilio's API description (twilio-oai, twilio_conversations_v1.json, GET /v1/Conversations and its Services twin;
  // rendered at https://twilio.demo.bump-doc.com/doc/conversations/operation/operation-listconversation): with
  // StartDate or EndDate "the returned list is sorted by latest conversation creation date in descending order";
  // without them Twilio lists oldest first.
  describe("when conversations are listed, with and without StartDate/EndDate", () => {
    let f: EmulatorFixture;
    const created: string[] = [];
    before(async () => {
      f = await startEmulator();
      // Created out of date order, so insertion order alone cannot pass.
      for (const day of ["2024-03-02", "2024-03-01", "2024-03-04", "2024-03-03"]) {
        created.push((await f.call("POST", "/v1/Conversations", { FriendlyName: day, DateCreated: `${day}T10:00:00Z` })).body.sid);
      }
    });
    after(() => f.emulator.stop());
    const names = async (params: Record<string, string>) => {
      const pages: string[] = [];
      let body = (await f.call("GET", "/v1/Conversations", { PageSize: "3", ...params })).body;
      pages.push(...body.conversations.map((c: any) => c.friendly_name));
      while (body.meta.next_page_url) {
        const next = new URL(body.meta.next_page_url);
        body = (await f.call("GET", next.pathname, Object.fromEntries(next.searchParams))).body;
        pages.push(...body.conversations.map((c: any) => c.friendly_name));
      }
      return pages;
    };

    it("lists oldest first by creation date when no date filter is given", async () => {
      expect(await names({})).to.deep.equal(["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04"]);
    });

    it("lists newest first by creation date with StartDate, with EndDate, and with both, across pages", async () => {
      const newestFirst = ["2024-03-04", "2024-03-03", "2024-03-02", "2024-03-01"];
      expect(await names({ StartDate: "2000-01-01T00:00:00Z" })).to.deep.equal(newestFirst);
      expect(await names({ EndDate: "2100-01-01T23:59:59Z" })).to.deep.equal(newestFirst);
      expect(await names({ StartDate: "2024-03-02T00:00:00Z", EndDate: "2024-03-03T23:59:59Z" })).to.deep.equal(["2024-03-03", "2024-03-02"]);
    });
  });

  describe("when every emulated route is exercised, successes and errors", () => {
    let f: EmulatorFixture;
    const exchanges: CheckedExchange[] = [];
    before(async function () {
      this.timeout(20_000);
      f = await startEmulator();
      f.emulator.onExchange((exchange) => exchanges.push(exchange));
      await exercise(f);
    });
    after(async () => {
      await f.emulator.stop();
    });

    it("answers only on operations the spec declares", () => {
      const unknown = exchanges.filter((e) => !checker.operationOf(e)).map((e) => `${e.method} ${e.path}`);
      expect(unknown).to.deep.equal([]);
    });

    it("returns bodies that match the spec schema (or Twilio's error shape)", () => {
      expect(exchanges.length).to.be.greaterThan(60);
      expect(exchanges.flatMap((e) => checker.checkResponse(e))).to.deep.equal([]);
    });

    it("was sent only parameters the spec declares", () => {
      expect(exchanges.flatMap((e) => checker.checkRequestParams(e))).to.deep.equal([]);
    });

    it("covered successes and errors", () => {
      const statuses = new Set(exchanges.map((e) => e.status));
      for (const status of [200, 201, 204, 400, 401, 404, 409]) expect(statuses).to.include(status);
    });
  });
});

async function exercise(f: EmulatorFixture): Promise<void> {
  const { call, accountSid } = f;
  const sms = (n: string) => ({ "MessagingBinding.Address": `+1555000${n}`, "MessagingBinding.ProxyAddress": "+15559990000" });
  const service = (await call("POST", "/v1/Services", { FriendlyName: "fidelity" })).body.sid as string;
  await call("GET", "/v1/Services", { PageSize: "1" });
  await call("GET", `/v1/Services/${service}`);
  await call("POST", `/v1/Services/${service}/Configuration/Webhooks`, {
    PostWebhookUrl: "https://example.com/post", PreWebhookUrl: "https://example.com/pre",
    Filters: ["onMessageAdded", "onConversationAdded"], Method: "POST",
  });
  await call("GET", `/v1/Services/${service}/Configuration/Webhooks`);
  await call("POST", "/v1/Services", {});

  for (const scope of ["/v1", `/v1/Services/${service}`]) {
    const c = (await call("POST", `${scope}/Conversations`, {
      FriendlyName: "f", UniqueName: `u-${scope.length}`, Attributes: "{}", "Timers.Inactive": "PT1H", "Timers.Closed": "P1D",
    })).body.sid as string;
    await call("GET", `${scope}/Conversations`, { PageSize: "1", State: "active", StartDate: "2000-01-01", EndDate: "2100-01-01" });
    await call("GET", `${scope}/Conversations/${c}`);
    await call("GET", `${scope}/Conversations/u-${scope.length}`);
    await call("POST", `${scope}/Conversations/${c}`, { FriendlyName: "g", State: "inactive" });
    await call("GET", `${scope}/Conversations/CH00000000000000000000000000000000`);
    await call("POST", `${scope}/Conversations`, { Attributes: "{bad" });
    await call("POST", `${scope}/Conversations`, { UniqueName: `u-${scope.length}` });

    const chat = (await call("POST", `${scope}/Conversations/${c}/Participants`, { Identity: "agent", Attributes: "{}" })).body.sid as string;
    const phone = (await call("POST", `${scope}/Conversations/${c}/Participants`, sms(scope.length > 3 ? "101" : "102"))).body.sid as string;
    await call("POST", `${scope}/Conversations/${c}/Participants`, { Identity: "agent" });
    await call("POST", `${scope}/Conversations/${c}/Participants`, sms(scope.length > 3 ? "101" : "102"));
    await call("POST", `${scope}/Conversations/${c}/Participants`, { "MessagingBinding.Address": "nope", "MessagingBinding.ProxyAddress": "+15559990000" });
    await call("GET", `${scope}/Conversations/${c}/Participants`, { PageSize: "1" });
    await call("GET", `${scope}/Conversations/${c}/Participants/${chat}`);
    await call("POST", `${scope}/Conversations/${c}/Participants/${chat}`, { Attributes: '{"x":1}', LastReadMessageIndex: "0" });
    await call("GET", `${scope}/Conversations/${c}/Participants/MB00000000000000000000000000000000`);

    const m = (await call("POST", `${scope}/Conversations/${c}/Messages`, { Author: "agent", Body: "hi", Attributes: "{}" }, { "X-Twilio-Webhook-Enabled": "true" })).body.sid as string;
    await call("POST", `${scope}/Conversations/${c}/Messages`, { Body: "two" });
    await call("GET", `${scope}/Conversations/${c}/Messages`, { Order: "desc", PageSize: "1" });
    await call("GET", `${scope}/Conversations/${c}/Messages/${m}`);
    await call("POST", `${scope}/Conversations/${c}/Messages/${m}`, { Body: "edited" });
    await call("POST", `${scope}/Conversations/${c}/Messages`, { Body: "x", Attributes: JSON.stringify({ p: "x".repeat(17000) }) });
    await call("GET", `${scope}/Conversations/${c}/Messages/IM00000000000000000000000000000000`);
    await f.emulator.simulateDelivery({ accountSid, conversationSid: c, messageSid: m, status: "read" });
    const receipts = (await call("GET", `${scope}/Conversations/${c}/Messages/${m}/Receipts`, { PageSize: "5" })).body.delivery_receipts;
    await call("GET", `${scope}/Conversations/${c}/Messages/${m}/Receipts/${receipts[0].sid}`);
    await call("GET", `${scope}/Conversations/${c}/Messages/${m}/Receipts/DY00000000000000000000000000000000`);

    await call("GET", `${scope}/ParticipantConversations`, { Identity: "agent" });
    await call("GET", `${scope}/ParticipantConversations`, { Address: scope.length > 3 ? "+1555000101" : "+1555000102" });
    await call("POST", `${scope}/ConversationWithParticipants`, {
      FriendlyName: "cwp", Attributes: "{}",
      Participant: [JSON.stringify({ identity: "a" }), JSON.stringify({ messaging_binding: { address: "+15550003333", proxy_address: "+15559990001" } })],
    });
    await call("POST", `${scope}/ConversationWithParticipants`, { Participant: [JSON.stringify({ identity: "a" }), "not json"] });

    await call("DELETE", `${scope}/Conversations/${c}/Messages/${m}`);
    await call("DELETE", `${scope}/Conversations/${c}/Participants/${phone}`);
    await call("DELETE", `${scope}/Conversations/${c}`);
  }
  await f.emulator.simulateInboundMessage({ accountSid, from: "+15550004444", to: "+15559990000", body: "in", mediaUrls: ["https://example.com/a.png"] });
  const inbound = (await call("GET", "/v1/Conversations")).body.conversations[0].sid;
  await call("GET", `/v1/Conversations/${inbound}/Messages`);
  for (const scope of ["/v1", `/v1/Services/${service}`]) {
    const user = (await call("POST", `${scope}/Users`, { Identity: "u-fidelity", FriendlyName: "F", Attributes: '{"role":"AGENT"}' })).body.sid as string;
    await call("POST", `${scope}/Users`, { Identity: "u-fidelity" });
    await call("POST", `${scope}/Users`, { FriendlyName: "no identity" });
    await call("POST", `${scope}/Users`, { Identity: "u-bad", Attributes: "{bad" });
    await call("GET", `${scope}/Users`, { PageSize: "1" });
    await call("GET", `${scope}/Users/${user}`);
    await call("GET", `${scope}/Users/u-fidelity`);
    await call("POST", `${scope}/Users/u-fidelity`, { FriendlyName: "G", Attributes: "{}" });
    await call("GET", `${scope}/Users/US00000000000000000000000000000000`);
    await call("DELETE", `${scope}/Users/${user}`);
  }
  await call("DELETE", `/v1/Services/${service}`);
  await call("GET", `/v1/Services/${service}`);

  const api = `/2010-04-01/Accounts/${accountSid}`;
  const sm = (await call("POST", `${api}/Messages.json`, { To: "+15551230000", From: "+15559990000", Body: "hi" })).body.sid;
  await call("POST", `${api}/Messages.json`, { To: "+15551230000", MessagingServiceSid: "MG00000000000000000000000000000000", Body: "hi", MediaUrl: ["https://example.com/a.png"] });
  await call("POST", `${api}/Messages.json`, { From: "+15559990000", Body: "hi" });
  await call("POST", `${api}/Messages.json`, { To: "nope", From: "+15559990000", Body: "hi" });
  await call("GET", `${api}/Messages.json`, { To: "+15551230000", PageSize: "1" });
  await call("GET", `${api}/Messages.json`, { "DateSent>": "2000-01-01", From: "+15559990000" });
  await call("GET", `${api}/Messages/${sm}.json`);
  await call("POST", `${api}/Messages/${sm}.json`, { Body: "" });
  await call("DELETE", `${api}/Messages/${sm}.json`);
  await call("GET", `${api}/Messages/${sm}.json`);
  await call("GET", `${api}/Balance.json`);
  await call("GET", `/2010-04-01/Accounts/AC00000000000000000000000000000000/Balance.json`);
  const key = (await call("POST", `${api}/Keys.json`, { FriendlyName: "fidelity" })).body;
  await f.callAs(key.sid, key.secret)("POST", `${api}/Keys.json`, { FriendlyName: "by a Standard key" });
  await f.callAs(key.sid, key.secret)("GET", "/v1/Conversations", { PageSize: "1" });

  await fetch(`${f.emulator.baseUrl}/v1/Conversations`, { headers: { authorization: "Basic bm9wZTpub3Bl" } });
}
