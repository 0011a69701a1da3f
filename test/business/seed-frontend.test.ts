import { expect } from "chai";
import { io, type Socket } from "socket.io-client";
import { ACCOUNTS_ENV, signUp } from "../support/accounts.js";
import { ApiClient } from "../support/api-client.js";
import { startHttpsTestServer, testCertificate, type HttpsTestServer } from "../support/https-test-server.js";
import { startApp, type TestApp } from "../support/start-app.js";
import { OPENSSL, requireSystemProgram } from "../support/system-programs.js";

/** The smallest PNG: a 1×1 transparent pixel. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");
const CUSTOMER = "+15552220001";

/**
 * The business API's frontend, played end to end against the gateway and the emulator: the paths, bodies and
 * envelopes of its documentation, with only the base URL changed.
 */
describe("business API: the frontend's journey", function () {
  this.timeout(120_000);
  let t: TestApp;
  let socket: Socket | undefined;
  let cdn: HttpsTestServer;
  before(async function () {
    requireSystemProgram(this, OPENSSL);
    cdn = await startHttpsTestServer((_req, res) => {
      res.writeHead(200, { "content-type": "image/png" });
      res.end(PNG);
    });
    t = await startApp({
      env: {
        ...ACCOUNTS_ENV,
        CONTACT_IMPORT_WRITES_PER_SECOND: "1000",
        TEMPLATE_CACHE_TTL_MS: "0",
        MEDIA_FETCH_ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1/32",
        MEDIA_FETCH_ALLOWED_PORTS: String(cdn.port),
      },
      mediaFetch: { ca: testCertificate().cert, resolve: async () => [{ address: "127.0.0.1", family: 4 }] },
    });
  });
  after(async () => {
    socket?.close();
    await t?.close();
    await cdn?.close();
  });

  it("register → send text and an image → the customer answers → live → lists → PATCH → template → analytics → export and re-import", async () => {
    // Register: a new tenant and its OWNER; the tenant's SMS sender in settings.
    const anon = new ApiClient(t.baseUrl, t.app.contract);
    const owner = await signUp(anon, "owner@frontend.example", "Frontend Co");
    const api = anon.withToken(owner.token);
    expect((await api.patch("/api/settings", { smsConfig: { phoneNumber: "+15005550777" } })).status).to.equal(200);
    const me = (await api.get("/api/auth/me")).body.data.user;

    socket = io(t.baseUrl, { auth: { token: owner.token }, transports: ["websocket"], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket!.once("connect", () => resolve());
      socket!.once("connect_error", reject);
    });
    const live: Array<{ event: string; payload: any }> = [];
    socket.onAny((event, payload) => live.push({ event, payload }));

    // Send a text and an image to a new number.
    const text = await api.post("/api/messages", { to: CUSTOMER, type: "text", channel: "sms", content: { text: "Hello from API!" } });
    expect(text.status, text.text).to.equal(201);
    const conversationId = text.body.data.conversationId;
    // The image as the frontend sends it: by URL (served by an https server the test resolves to loopback).
    const image = await api.post("/api/messages", { to: CUSTOMER, type: "image", channel: "sms", content: { mediaUrl: `https://media.test:${cdn.port}/a.png`, caption: "Check this out" } });
    expect(image.status, image.text).to.equal(201);
    expect(image.body.data).to.deep.include({ conversationId, type: "IMAGE" });
    expect(image.body.data.content).to.include({ caption: "Check this out", contentType: "image/png" });

    // The customer answers; the socket on / hears it.
    const tenant = t.app.tenants.get(owner.tenant.id).tenant;
    await t.emulator.simulateInboundMessage({ accountSid: tenant.accountSid, serviceSid: tenant.conversationsServiceSid, from: CUSTOMER, to: "+15005550777", body: "Got it, thanks!" });
    await t.emulator.whenIdle();
    for (let i = 0; i < 100 && !live.some((e) => e.event === "message:new" && e.payload.direction === "INBOUND"); i++) await new Promise((r) => setTimeout(r, 30));
    const heard = live.find((e) => e.event === "message:new" && e.payload.direction === "INBOUND")!.payload;
    expect(heard).to.include({ conversationId, from: CUSTOMER, type: "TEXT" });

    // Lists with filters and totals.
    const all = (await api.get(`/api/messages?conversationId=${conversationId}&page=1&limit=50`)).body.data;
    expect(all.pagination).to.deep.equal({ page: 1, limit: 50, total: 3, totalPages: 1 });
    expect(all.messages.map((m: any) => m.type)).to.deep.equal(["TEXT", "IMAGE", "TEXT"]);
    expect((await api.get("/api/messages?direction=OUTBOUND")).body.data.pagination.total).to.equal(2);
    expect((await api.get("/api/messages?direction=INBOUND&status=DELIVERED")).body.data.messages.map((m: any) => m.content.text)).to.deep.equal(["Got it, thanks!"]);

    // PATCH the conversation: assign, tag, close.
    const patched = await api.patch(`/api/conversations/${conversationId}`, { assignedTo: me.id, tags: ["support", "urgent"], status: "CLOSED" });
    expect(patched.status, patched.text).to.equal(200);
    expect(patched.body.data).to.deep.include({ assignedTo: me.id, tags: ["support", "urgent"], status: "CLOSED" });
    expect((await api.get("/api/conversations?status=CLOSED&search=2220001")).body.data.conversations.map((c: any) => c.id)).to.deep.equal([conversationId]);

    // A template: created, approved by WhatsApp (emulator), sent.
    const template = await api.post("/api/templates", {
      name: "welcome_message",
      category: "MARKETING",
      language: "en",
      components: [{ type: "HEADER", format: "TEXT", text: "Welcome!" }, { type: "BODY", text: "Hello {{1}}, welcome to our service!" }],
    });
    expect(template.status, template.text).to.equal(201);
    t.emulator.setContentApproval({ accountSid: tenant.accountSid, contentSid: template.body.data.id, status: "approved" });
    expect((await api.get("/api/templates")).body.data.templates[0].status).to.equal("APPROVED");
    const sent = await api.post("/api/messages", { to: CUSTOMER, type: "template", channel: "sms", content: { contentSid: template.body.data.id, variables: { "1": "Ada" } } });
    expect(sent.status, sent.text).to.equal(201);
    expect(sent.body.data.conversationId, "the same conversation: CLOSED is not Twilio's closed").to.equal(conversationId);

    // Analytics shows the numbers.
    await t.emulator.whenIdle();
    let overview: any;
    for (let i = 0; i < 100; i++) {
      overview = (await api.get("/api/analytics/overview?days=30")).body.data;
      if (overview.overview.totalMessages === 4) break;
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(overview.overview).to.include({ totalMessages: 4, totalConversations: 1, sentToday: 3 });
    expect(overview.messagesByStatus.sent).to.equal(3);

    // Contacts: export, and re-import with two bad rows.
    expect((await api.post("/api/contacts", { phoneNumber: CUSTOMER, name: "Ada Lovelace", tags: ["customer"] })).status).to.equal(201);
    expect((await api.get(`/api/conversations/${conversationId}`)).body.data.name).to.equal("Ada Lovelace");
    const csv = await (await fetch(`${t.baseUrl}/api/contacts/export`, { headers: { authorization: `Bearer ${owner.token}` } })).text();
    const upload = new FormData();
    upload.append("file", new Blob([`${csv}12345,Bad Number,,\r\n+15552220002,Bad Email,not-an-email,\r\n`], { type: "text/csv" }), "contacts.csv");
    const started = await fetch(`${t.baseUrl}/api/contacts/import/csv`, { method: "POST", headers: { authorization: `Bearer ${owner.token}` }, body: upload });
    expect(started.status).to.equal(202);
    const jobId = ((await started.json()) as any).data.id;
    let job: any;
    for (let i = 0; i < 100; i++) {
      job = (await api.get(`/api/contacts/import/${jobId}`)).body.data;
      if (job.status === "completed") break;
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(job).to.include({ total: 3, processed: 3, unchanged: 1, failed: 2 });
    expect(job.errors.map((e: any) => e.field)).to.deep.equal(["phoneNumber", "email"]);
  });
});
