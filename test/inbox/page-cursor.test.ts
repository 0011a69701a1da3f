import { expect } from "chai";
import { ApiClient } from "../support/api-client.js";
import { startApp, type TestApp } from "../support/start-app.js";

const BASE = "/api/v1/chat/conversations";
const nextLinkOf = (headers: Headers) => /<([^>]+)>; rel="next"/.exec(headers.get("link") ?? "")?.[1];

describe("message-list cursors (src/inbox/page-cursor.ts)", () => {
  describe("when two tenants share one Twilio account (one auth token), each with its own Conversations Service", () => {
    let t: TestApp;
    let gamma: ApiClient;
    before(async () => {
      t = await startApp({
        moreTenants: (emulator, { alpha }) => [
          {
            id: "gamma",
            accountSid: alpha.accountSid,
            authToken: alpha.authToken,
            conversationsServiceSid: emulator.createService(alpha.accountSid, "gamma inbox").serviceSid,
            phoneNumber: "+15005550003",
          },
        ],
      });
      gamma = new ApiClient(t.baseUrl, t.app.contract, t.token({ tenants: ["gamma"] }));
    });
    after(() => t.close());

    /** A conversation with five messages, and the cursor of its second page as the gateway issued it. */
    const conversationWithCursor = async (api: ApiClient) => {
      const created = await api.post(BASE, { friendlyName: "Paged", participants: [] });
      expect(created.status, created.text).to.equal(201);
      for (let i = 0; i < 5; i++) expect((await api.post(`${BASE}/${created.body.sid}/messages`, { body: `m${i}` })).status).to.equal(201);
      const first = await api.get(`${BASE}/${created.body.sid}/messages?limit=2&order=asc`);
      const next = nextLinkOf(first.headers)!;
      return { sid: created.body.sid as string, next, cursor: new URL(next, t.baseUrl).searchParams.get("pageToken")! };
    };

    it("each tenant pages its own conversation with its own cursor", async () => {
      const own = await conversationWithCursor(gamma);
      const page = await gamma.get(own.next);
      expect(page.status).to.equal(200);
      expect(page.body.map((m: any) => m.body)).to.deep.equal(["m2", "m3"]);
    });

    it("refuses the other tenant's cursor with 400 naming pageToken, without asking Twilio", async () => {
      const alphas = await conversationWithCursor(t.api("alpha"));
      const gammas = await conversationWithCursor(gamma);
      await t.emulator.whenIdle();
      const calls = t.upstreamCalls.length;

      const response = await gamma.get(`${BASE}/${gammas.sid}/messages?limit=2&order=asc&pageToken=${alphas.cursor}`);

      expect(response.status).to.equal(400);
      expect(response.body.error).to.include({ code: "validation_failed", field: "pageToken" });
      expect(t.upstreamCalls.length).to.equal(calls);
    });
  });
});
