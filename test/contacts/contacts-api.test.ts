import { expect } from "chai";
import { CsvParser } from "../../src/contacts/contacts-csv.js";
import { startApp, type TestApp } from "../support/start-app.js";

const parseCsv = (text: string) => {
  const parser = new CsvParser();
  return [...parser.push(text), ...parser.end()];
};

describe("business API: /api/contacts", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
  });
  afterEach(() => t.close());

  describe("POST, GET, PATCH, DELETE", () => {
    it("keeps a contact without any message, finds it by search, changes it and deletes it", async () => {
      const created = await t.api().post("/api/contacts", { phoneNumber: "+1 (234) 567-890", name: "John Doe", email: "john@example.com", tags: ["customer", "vip"] });
      expect(created.status, created.text).to.equal(201);
      expect(created.body.data).to.include({ phoneNumber: "+1234567890", name: "John Doe", email: "john@example.com" });
      const id = created.body.data.id;
      for (const search of ["john", "567", "EXAMPLE.com", "vip"]) {
        const found = await t.api().get(`/api/contacts?search=${encodeURIComponent(search)}`);
        expect(found.body.data.contacts.map((c: any) => c.id), search).to.deep.equal([id]);
      }
      expect((await t.api().get("/api/contacts?search=nobody")).body.data.pagination.total).to.equal(0);
      const changed = await t.api().patch(`/api/contacts/${id}`, { name: "John Q. Doe", tags: ["customer"] });
      expect(changed.body.data).to.deep.include({ name: "John Q. Doe", tags: ["customer"], email: "john@example.com", phoneNumber: "+1234567890" });
      expect((await t.api().get(`/api/contacts/${id}`)).body.data.name).to.equal("John Q. Doe");
      expect((await t.api().patch(`/api/contacts/${id}`, { name: null })).body.data.name, "a name can be cleared").to.equal(null);
      expect((await t.api().delete(`/api/contacts/${id}`)).status).to.equal(200);
      expect((await t.api().get(`/api/contacts/${id}`)).status).to.equal(404);
    });

    it("refuses a second contact for the same number (409), a bad number and a bad email (400 naming the field)", async () => {
      expect((await t.api().post("/api/contacts", { phoneNumber: "+15550001111" })).status).to.equal(201);
      const twice = await t.api().post("/api/contacts", { phoneNumber: "+15550001111", name: "again" });
      expect(twice.status).to.equal(409);
      const bad = await t.api().post("/api/contacts", { phoneNumber: "555-0001" });
      expect(bad.status).to.equal(400);
      expect(bad.body.error).to.match(/phoneNumber/);
      const email = await t.api().post("/api/contacts", { phoneNumber: "+15550002222", email: "not an email" });
      expect(email.status).to.equal(400);
      expect(email.body.error).to.match(/email/);
      expect((await t.api().get("/api/contacts")).body.data.pagination.total).to.equal(1);
    });

    it("shows the contact's name and tags on the same person's conversations", async () => {
      await t.api().post("/api/contacts", { phoneNumber: "+15557000002", name: "Grace Hopper", tags: ["vip"] });
      const sent = await t.api().post("/api/messages", { to: "+15557000002", type: "text", channel: "sms", content: { text: "Hello" } });
      const conversation = (await t.api().get(`/api/conversations/${sent.body.data.conversationId}`)).body.data;
      expect(conversation).to.deep.include({ name: "Grace Hopper", contactTags: ["vip"] });
      expect((await t.api().get("/api/conversations?search=grace")).body.data.conversations.map((c: any) => c.id)).to.deep.equal([conversation.id]);
    });
  });

  describe("when another tenant's token names alpha's contact", () => {
    it("answers 404 to read, change and delete, and the contact is unchanged", async () => {
      const id = (await t.api().post("/api/contacts", { phoneNumber: "+15550003333", name: "Alpha's" })).body.data.id;
      const beta = t.api("beta");
      expect((await beta.get(`/api/contacts/${id}`)).status).to.equal(404);
      expect((await beta.patch(`/api/contacts/${id}`, { name: "Beta's now" })).status).to.equal(404);
      expect((await beta.delete(`/api/contacts/${id}`)).status).to.equal(404);
      expect((await beta.get("/api/contacts")).body.data.contacts).to.deep.equal([]);
      expect((await t.api().get(`/api/contacts/${id}`)).body.data.name).to.equal("Alpha's");
    });
  });

  describe("GET /api/contacts/export", () => {
    it("answers RFC 4180 CSV with quotes, commas and line breaks intact, and no cell a spreadsheet would run", async () => {
      const hostile = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+2", "-2+3", "@SUM(A1)", "\tTab", 'Quote "me", ok', "two\r\nlines"];
      for (const [i, name] of hostile.entries()) {
        const created = await t.api().post("/api/contacts", { phoneNumber: `+1555000100${i}`, name, tags: ["a", "=cmd|' /C calc'!A0"] });
        expect(created.status, created.text).to.equal(201);
      }
      const response = await fetch(`${t.baseUrl}/api/contacts/export`, { headers: { authorization: `Bearer ${t.token({ tenants: ["alpha"] })}` } });
      expect(response.status).to.equal(200);
      expect(response.headers.get("content-type")).to.match(/^text\/csv/);
      expect(response.headers.get("content-disposition")).to.match(/attachment/);
      const text = await response.text();
      expect(text.endsWith("\r\n")).to.equal(true);
      const rows = parseCsv(text);
      expect(rows[0]).to.deep.equal(["phoneNumber", "name", "email", "tags", "createdAt"]);
      expect(rows).to.have.length(hostile.length + 1);
      for (const row of rows.slice(1)) {
        expect(row).to.have.length(5);
        for (const cell of row) expect(cell, cell).to.not.match(/^[=+\-@\t\r]/);
      }
      const names = rows.slice(1).map((row) => row[1]);
      // Defused with a leading ', otherwise exactly the stored text (names are stored trimmed).
      expect(names).to.have.members(hostile.map((name) => name.trim()).map((name) => (/^[=+\-@\t\r]/.test(name) ? `'${name}` : name)));
      expect(rows[1]![0]).to.match(/^'\+1555/);
    });
  });
});
