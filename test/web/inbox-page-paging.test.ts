import { expect } from "chai";
import jwt from "jsonwebtoken";
import type { Page, Request } from "playwright-core";
import { DEVELOPMENT_JWT_SECRET } from "../../src/config.js";
import { launchChromium, type Browser } from "../support/chromium.js";
import { DEMO_AGENT, startDemoApp, type DemoApp } from "../support/start-demo-app.js";
import { CHROMIUM, requireSystemProgram } from "../support/system-programs.js";
import { builtWebBundle } from "../support/web-bundle.js";

/** The page reads 30 conversations and 30 messages at a time. */
const EXTRA_CONVERSATIONS = 40;
const THREAD_MESSAGES = 45;

const sessionScript = (token: string, expiresAtMs: number) =>
  `sessionStorage.setItem("switchboard.session", ${JSON.stringify(JSON.stringify({ token, userId: DEMO_AGENT, tenantIds: ["default"], expiresAtMs, source: "emulator" }))})`;

describe("the inbox page at / with long lists and expiring sessions (Chromium)", function () {
  this.timeout(20_000);
  let demo: DemoApp;
  let browser: Browser;
  let page: Page;
  const requests: Request[] = [];

  before(async function () {
    requireSystemProgram(this, CHROMIUM);
    this.timeout(60_000);
    const bundle = await builtWebBundle();
    demo = await startDemoApp({ webBundleDir: bundle.outDir, seed: false, extraConversations: EXTRA_CONVERSATIONS });
    // "Customer 1" (+15553000000) gets a long history (customer messages, oldest first).
    const inbox = demo.app.tenants.get("default");
    for (let i = 1; i <= THREAD_MESSAGES; i++)
      await demo.emulator.simulateInboundMessage({ accountSid: demo.tenant.accountSid, from: "+15553000000", to: inbox.tenant.phoneNumber!, body: `History message ${i}` });
    await demo.emulator.whenIdle();
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on("request", (request) => requests.push(request));
  });
  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  describe("when the stored development token has expired", () => {
    it("renews it without asking (401 token_expired → a new development session) and shows the inbox", async () => {
      const expired = jwt.sign({ tenants: ["default"] }, DEVELOPMENT_JWT_SECRET, { algorithm: "HS256", subject: DEMO_AGENT, expiresIn: -60 });
      await page.addInitScript(sessionScript(expired, Date.now() - 60_000));
      await page.goto(`${demo.baseUrl}/`);
      await page.locator(".conversation").first().waitFor();
      expect(requests.some((request) => request.method() === "POST" && request.url().endsWith("/api/v1/emulator/session"))).to.equal(true);
      const stored = JSON.parse((await page.evaluate<string>(`sessionStorage.getItem("switchboard.session")`))!);
      expect(stored.token).not.to.equal(expired);
    });
  });

  describe("when the list is longer than a page", () => {
    it("loads the next page (the list's Link) as the person scrolls to the end", async () => {
      expect(await page.locator(".conversation").count()).to.equal(30);
      await page.locator(".load-more").scrollIntoViewIfNeeded();
      await page.locator(".conversation").nth(EXTRA_CONVERSATIONS - 1).waitFor();
      expect(await page.locator(".conversation").count()).to.equal(EXTRA_CONVERSATIONS);
      expect(await page.locator(".load-more").count()).to.equal(0);
      expect(requests.some((request) => /\/api\/v1\/chat\/conversations\?.*offset=30/.test(request.url()))).to.equal(true);
    });
  });

  describe("when the thread is longer than a page", () => {
    it("shows the newest messages at the bottom and loads older ones as the person scrolls up, keeping them in order", async () => {
      // Twilio's times have one-second resolution: the list breaks ties by SID, so find it by name.
      await page.locator(".conversation", { has: page.getByText("Customer 1", { exact: true }) }).locator(".conversation-open").click();
      const log = page.getByRole("log");
      await log.locator(".message").nth(29).waitFor();
      expect(await log.locator(".message").count()).to.equal(30);
      expect(await log.locator(".message .body").last().textContent()).to.equal(`History message ${THREAD_MESSAGES}`);
      await log.hover();
      await page.mouse.wheel(0, -20_000);
      await log.locator(".message").nth(THREAD_MESSAGES - 1).waitFor();
      const bodies = await log.locator(".message .body").allTextContents();
      const first = bodies.indexOf("History message 1");
      expect(bodies.slice(first, first + THREAD_MESSAGES)).to.deep.equal(Array.from({ length: THREAD_MESSAGES }, (_, i) => `History message ${i + 1}`));
    });
  });

  describe("when the server says the session expired and drops the socket (token expiry)", () => {
    it("gets a fresh development token and reconnects with it", async () => {
      const before = requests.length;
      const chat = demo.realtime.io.of("/chat");
      (chat as unknown as { emit(event: string): void }).emit("session:expired");
      chat.disconnectSockets(true);
      await page.locator(".live-offline").waitFor();
      await page.locator(".live-online").waitFor({ timeout: 10_000 });
      expect(requests.slice(before).some((request) => request.method() === "POST" && request.url().endsWith("/api/v1/emulator/session"))).to.equal(true);
      expect((await chat.fetchSockets()).length).to.equal(1);
    });
  });
});
