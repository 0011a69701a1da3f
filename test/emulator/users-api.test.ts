import { expect } from "chai";
import { startEmulator, type EmulatorFixture } from "./emulator-client.js";

describe("Twilio emulator: Services and Users REST", () => {
  let f: EmulatorFixture;
  let serviceSid: string;

  beforeEach(async () => {
    f = await startEmulator();
    serviceSid = (await f.call("POST", "/v1/Services", { FriendlyName: "directory" })).body.sid;
  });
  afterEach(async () => {
    await f.emulator.stop();
  });

  describe("when a user is created", () => {
    it("answers 201 with the identity, attributes and a role", async () => {
      const { status, body } = await f.call("POST", `/v1/Services/${serviceSid}/Users`, { Identity: "ana", Attributes: '{"a":1}' });
      expect(status).to.equal(201);
      expect(body).to.include({ identity: "ana", attributes: '{"a":1}', chat_service_sid: serviceSid });
      expect(body.sid).to.match(/^US[0-9a-f]{32}$/);
      expect(body.role_sid).to.match(/^RL[0-9a-f]{32}$/);
    });
  });

  describe("when the identity is already taken in the service", () => {
    it("responds 409 with Twilio's code 50201, and keeps the first user", async () => {
      await f.call("POST", `/v1/Services/${serviceSid}/Users`, { Identity: "ana", Attributes: '{"first":true}' });
      const { status, body } = await f.call("POST", `/v1/Services/${serviceSid}/Users`, { Identity: "ana", Attributes: '{"second":true}' });
      expect(status).to.equal(409);
      expect(body.code).to.equal(50201);
      expect((await f.call("GET", `/v1/Services/${serviceSid}/Users/ana`)).body.attributes).to.equal('{"first":true}');
    });

    it("is free in another service (identities are unique per service)", async () => {
      await f.call("POST", `/v1/Services/${serviceSid}/Users`, { Identity: "ana" });
      expect((await f.call("POST", "/v1/Users", { Identity: "ana" })).status).to.equal(201);
    });
  });

  describe("when a user is fetched, updated and deleted by identity", () => {
    it("acts on the same user as by SID", async () => {
      const sid = (await f.call("POST", `/v1/Services/${serviceSid}/Users`, { Identity: "bo" })).body.sid;
      expect((await f.call("GET", `/v1/Services/${serviceSid}/Users/bo`)).body.sid).to.equal(sid);
      const updated = await f.call("POST", `/v1/Services/${serviceSid}/Users/bo`, { Attributes: '{"v":2}', FriendlyName: "Bo" });
      expect(updated.body).to.include({ sid, attributes: '{"v":2}', friendly_name: "Bo" });
      expect((await f.call("DELETE", `/v1/Services/${serviceSid}/Users/bo`)).status).to.equal(204);
      expect((await f.call("GET", `/v1/Services/${serviceSid}/Users/${sid}`)).body.code).to.equal(20404);
    });
  });

  describe("when attributes are over 16 KB (Twilio's limit for Users)", () => {
    it("responds 400 with code 50303 and creates nothing", async () => {
      const big = JSON.stringify({ x: "y".repeat(16 * 1024) });
      const { status, body } = await f.call("POST", `/v1/Services/${serviceSid}/Users`, { Identity: "big", Attributes: big });
      expect([status, body.code]).to.deep.equal([400, 50303]);
      expect((await f.call("GET", `/v1/Services/${serviceSid}/Users`)).body.users).to.deep.equal([]);
    });
  });

  describe("when users are listed", () => {
    it("pages at most 50 a page and lists only the service's users", async () => {
      for (let i = 0; i < 52; i++) await f.call("POST", `/v1/Services/${serviceSid}/Users`, { Identity: `u${i}` });
      await f.call("POST", "/v1/Users", { Identity: "elsewhere" });
      const first = await f.call("GET", `/v1/Services/${serviceSid}/Users`, { PageSize: "100" });
      expect(first.body.users).to.have.length(50);
      expect(first.body.meta.next_page_url).to.be.a("string");
    });
  });

  describe("when a service is deleted", () => {
    it("deletes its users and leaves it unlisted", async () => {
      await f.call("POST", `/v1/Services/${serviceSid}/Users`, { Identity: "gone" });
      expect((await f.call("DELETE", `/v1/Services/${serviceSid}`)).status).to.equal(204);
      const services = (await f.call("GET", "/v1/Services")).body.services.map((s: { sid: string }) => s.sid);
      expect(services).to.not.include(serviceSid);
      expect((await f.call("GET", `/v1/Services/${serviceSid}/Users/gone`)).status).to.equal(404);
    });
  });
});
