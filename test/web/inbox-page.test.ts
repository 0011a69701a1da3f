import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { expect } from "chai";
import jwt from "jsonwebtoken";
import type { Page, Request } from "playwright-core";
import { DEVELOPMENT_JWT_SECRET } from "../../src/config.js";
import { ApiClient } from "../support/api-client.js";
import { launchChromium, type Browser } from "../support/chromium.js";
import { connectClient, nextEvent, type ChatClient } from "../support/connect-client.js";
import { DEMO_AGENT, startDemoApp, type DemoApp } from "../support/start-demo-app.js";
import { CHROMIUM, requireSystemProgram } from "../support/system-programs.js";
import { builtWebBundle } from "../support/web-bundle.js";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
/** In the page, after axeSource: axe-core's WCAG 2.1 A and AA rules over the whole document, as "rule: targets". */
const AXE_RUN = `axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
  .then((result) => result.violations.map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")))`;

/** Polls `check` until it stops throwing (a page updates on its own time), then returns its value. */
async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const row = (page: Page, name: string) => page.locator(".conversation", { has: page.locator(".name", { hasText: name }) });

/**
 * The page in Debian's Chromium against the gateway as `npm start` runs it in emulator mode. One page, one story:
 * each step starts where the previous one left the inbox.
 */
describe("the inbox page at / (Chromium, emulator mode)", function () {
  this.timeout(20_000);
  let demo: DemoApp;
  let browser: Browser;
  let page: Page;
  let api: ApiClient;
  const pageErrors: string[] = [];
  const requests: Request[] = [];
  const sidOf = async (name: string) => (await row(page, name).getAttribute("data-sid"))!;

  before(async function () {
    requireSystemProgram(this, CHROMIUM);
    this.timeout(60_000);
    const bundle = await builtWebBundle();
    demo = await startDemoApp({ webBundleDir: bundle.outDir, deliveryStepsMs: { sent: 100, delivered: 300, read: 600 } });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("request", (request) => requests.push(request));
    // In-page code is written as strings: this project's type-check knows Node, not the DOM.
    await page.addInitScript(`
      window.cspViolations = [];
      document.addEventListener("securitypolicyviolation", (event) => window.cspViolations.push(event.effectiveDirective + " " + event.blockedURI));
    `);
    const token = jwt.sign({ tenants: ["default"] }, DEVELOPMENT_JWT_SECRET, { algorithm: "HS256", subject: "checker", expiresIn: 600 });
    api = new ApiClient(demo.baseUrl, demo.app.contract, token);
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  describe("when a person opens / and clicks the development sign-in", () => {
    it("lists the demo conversations with channel, preview, time and unread badge, and counts the unread in the tab title", async () => {
      await page.goto(`${demo.baseUrl}/`);
      await page.getByRole("button", { name: "Sign in with the development token" }).click();
      await row(page, "Ada Lovelace").waitFor();
      const names = await page.locator(".conversation .name").allTextContents();
      expect(names).to.have.members(["Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson"]);
      expect(await row(page, "Grace Hopper").locator(".channel").textContent()).to.equal("WhatsApp");
      expect(await row(page, "Katherine Johnson").locator(".channel").textContent()).to.equal("Email");
      expect(await row(page, "Ada Lovelace").locator(".preview").textContent()).to.equal("Yes, it left this morning.");
      expect(await row(page, "Ada Lovelace").locator("time").textContent()).to.match(/^\d{1,2}:\d{2} [AP]M$/);
      expect(await row(page, "Grace Hopper").locator(".badge").getAttribute("data-unread")).to.equal("2");
      expect(await row(page, "Grace Hopper").getByRole("button", { name: "Star Grace Hopper" }).getAttribute("aria-pressed")).to.equal("true");
      await eventually(async () => expect(await page.title()).to.equal("(1) Switchboard"));
      // The token lives in this tab's sessionStorage only: never in the URL, never in localStorage.
      const stored = await page.evaluate<{ session: string | null; local: number }>(`({ session: sessionStorage.getItem("switchboard.session"), local: localStorage.length })`);
      expect(JSON.parse(stored.session!).userId).to.equal(DEMO_AGENT);
      expect(stored.local).to.equal(0);
      expect(requests.every((request) => !request.url().includes("eyJ"))).to.equal(true);
    });
  });

  describe("when the person filters and searches", () => {
    it("asks the API for that view and shows only what matches", async () => {
      await page.getByRole("button", { name: /^Starred/ }).click();
      await eventually(async () => expect(await page.locator(".conversation .name").allTextContents()).to.deep.equal(["Grace Hopper"]));
      await page.getByRole("button", { name: /^All/ }).click();
      await page.getByRole("searchbox", { name: "Search conversations" }).fill("turing");
      await eventually(async () => expect(await page.locator(".conversation .name").allTextContents()).to.deep.equal(["Alan Turing"]));
      expect(requests.some((request) => request.url().includes("filter=starred"))).to.equal(true);
      expect(requests.some((request) => /search=turing/.test(request.url()))).to.equal(true);
      await page.getByRole("searchbox", { name: "Search conversations" }).fill("");
      await row(page, "Grace Hopper").waitFor();
    });
  });

  describe("when the person opens a conversation with unread messages", () => {
    it("shows its history in a role=log thread under an unread divider, and marks it read (badge and title clear)", async () => {
      await row(page, "Grace Hopper").locator(".conversation-open").click();
      const log = page.getByRole("log", { name: "Messages with Grace Hopper" });
      await log.locator(".message").nth(1).waitFor();
      expect(await log.getAttribute("aria-live")).to.equal("polite");
      expect(await log.locator(".message .body").allTextContents()).to.deep.equal(["Can I change my delivery address?", "It's 42 Main St now."]);
      expect(await log.locator(".unread-divider + .message .body").textContent()).to.equal("Can I change my delivery address?");
      await eventually(async () => expect(await row(page, "Grace Hopper").locator(".badge").count()).to.equal(0));
      await eventually(async () => expect(await page.title()).to.equal("Switchboard"));
      const { body } = await api.get(`/api/v1/chat/conversations/${await sidOf("Grace Hopper")}`);
      expect(JSON.parse(body.attributes).unreadCount).to.equal(0);
    });
  });

  describe("when the person sends a message", () => {
    it("shows it at once, posts it with an Idempotency-Key, and its tick moves to delivered as the emulator delivers it (no read for SMS)", async () => {
      await row(page, "Ada Lovelace").locator(".conversation-open").click();
      await page.getByRole("log", { name: "Messages with Ada Lovelace" }).locator(".message").first().waitFor();
      const composer = page.getByRole("textbox", { name: "Message to Ada Lovelace" });
      await composer.fill("Your parcel arrives tomorrow.");
      await composer.press("Enter");
      const bubble = page.locator(".message.outbound", { hasText: "Your parcel arrives tomorrow." });
      await bubble.waitFor();
      const post = requests.find((request) => request.method() === "POST" && request.url().endsWith("/messages"))!;
      expect(post.headers()["idempotency-key"]).to.match(/^web-[0-9a-f]{32}$/);
      await eventually(async () => expect(await bubble.getAttribute("data-status")).to.equal("delivered"));
      expect(await bubble.getByRole("img", { name: "Delivered" }).count()).to.equal(1);
      expect(await row(page, "Ada Lovelace").locator(".preview").textContent()).to.equal("Your parcel arrives tomorrow.");
    });

    it("takes Shift+Enter as a new line, not a send", async () => {
      const composer = page.getByRole("textbox", { name: "Message to Ada Lovelace" });
      await composer.fill("first line");
      await composer.press("Shift+Enter");
      await composer.pressSequentially("second line");
      expect(await composer.inputValue()).to.equal("first line\nsecond line");
      await composer.fill("");
    });
  });

  describe("when a send does not reach the gateway", () => {
    it("shows the message as not sent with Retry, and the retry (same Idempotency-Key) sends it once", async () => {
      const sid = await sidOf("Ada Lovelace");
      const url = `**/api/v1/chat/conversations/${sid}/messages`;
      await page.route(url, (route) => (route.request().method() === "POST" ? route.abort("connectionreset") : route.fallback()));
      const composer = page.getByRole("textbox", { name: "Message to Ada Lovelace" });
      await composer.fill("Sent exactly once");
      await composer.press("Enter");
      const failed = page.locator(".message.pending.failed", { hasText: "Sent exactly once" });
      await failed.waitFor();
      expect(await failed.locator(".failure").textContent()).to.contain("Not sent");
      await page.unroute(url);
      await failed.getByRole("button", { name: "Retry" }).click();
      await eventually(async () => expect(await page.locator(".message.pending").count()).to.equal(0));
      const posts = requests.filter((request) => request.method() === "POST" && request.postData()?.includes("Sent exactly once"));
      expect(posts).to.have.length(2);
      expect(posts[0]!.headers()["idempotency-key"]).to.equal(posts[1]!.headers()["idempotency-key"]);
      const { body: messages } = await api.get(`/api/v1/chat/conversations/${sid}/messages?limit=50`);
      expect(messages.filter((m: { body: string }) => m.body === "Sent exactly once")).to.have.length(1);
      expect(await page.locator(".message .body", { hasText: "Sent exactly once" }).count()).to.equal(1);
    });
  });

  describe("when the answer to a send is lost on the way back", () => {
    it("the message still shows once, confirmed by the socket's message:sent (matched by its Idempotency-Key)", async () => {
      const sid = await sidOf("Ada Lovelace");
      const url = `**/api/v1/chat/conversations/${sid}/messages`;
      // The POST reaches the gateway (and Twilio); the browser sees the connection fail.
      await page.route(url, async (route) => {
        if (route.request().method() !== "POST") return route.fallback();
        await route.fetch();
        await route.abort("connectionreset");
      });
      const composer = page.getByRole("textbox", { name: "Message to Ada Lovelace" });
      await composer.fill("Answer lost");
      await composer.press("Enter");
      const bubble = page.locator(".message.outbound:not(.pending)", { hasText: "Answer lost" });
      await bubble.waitFor();
      await page.unroute(url);
      await eventually(async () => expect(await page.locator(".message.pending").count()).to.equal(0));
      expect(await page.locator(".message .body", { hasText: "Answer lost" }).count()).to.equal(1);
      const { body: messages } = await api.get(`/api/v1/chat/conversations/${sid}/messages?limit=50`);
      expect(messages.filter((m: { body: string }) => m.body === "Answer lost")).to.have.length(1);
    });
  });

  describe("when Twilio reports that a message was not delivered", () => {
    it("shows it failed with the reason and a Retry that sends it again", async () => {
      const sid = await sidOf("Ada Lovelace");
      const target = (await api.get(`/api/v1/chat/conversations/${sid}/messages?limit=50`)).body.find((m: { body: string }) => m.body === "Sent exactly once");
      const bubble = page.locator(`.message[data-sid="${target.sid}"]`);
      // Once the demo delivery is done with it, the carrier reports a failure.
      await eventually(async () => expect(await bubble.getAttribute("data-status")).to.equal("delivered"));
      await demo.emulator.simulateDelivery({ accountSid: demo.tenant.accountSid, conversationSid: sid, messageSid: target.sid, status: "failed", errorCode: 30006 });
      await eventually(async () => expect(await bubble.getAttribute("data-status")).to.equal("failed"));
      expect(await bubble.locator(".failure").textContent()).to.contain("landline").and.to.contain("30006");
      await bubble.getByRole("button", { name: "Retry" }).click();
      await eventually(async () => expect(await page.locator(".message.outbound .body", { hasText: "Sent exactly once" }).count()).to.equal(2));
    });
  });

  describe("when a customer writes (the simulate control)", () => {
    it("the message arrives live: the conversation shows it with an unread badge and the title counts it", async () => {
      await page.locator(".simulate summary").click();
      await page.getByRole("combobox", { name: "From" }).selectOption({ label: "Alan Turing (SMS)" });
      await page.getByRole("textbox", { name: "Message", exact: true }).fill("Is the shop open on Sunday?");
      await page.getByRole("button", { name: "Send as the customer" }).click();
      await eventually(async () => expect(await row(page, "Alan Turing").locator(".badge").getAttribute("data-unread")).to.equal("1"));
      expect(await row(page, "Alan Turing").locator(".preview").textContent()).to.equal("Is the shop open on Sunday?");
      await eventually(async () => expect(await page.title()).to.equal("(1) Switchboard"));
      await page.locator(".simulate summary").click();
    });

    it("a message into the open conversation appears in its thread without a reload", async () => {
      const sid = await sidOf("Ada Lovelace");
      await api.post("/api/v1/emulator/inbound", { conversationSid: sid, body: "Great, thank you!" });
      await page.getByRole("log", { name: "Messages with Ada Lovelace" }).locator(".message.inbound", { hasText: "Great, thank you!" }).waitFor();
    });
  });

  describe("when another agent types, and when this one does", () => {
    let other: ChatClient;
    after(() => other?.close());

    it("shows the other's typing indicator and tells the others about its own", async () => {
      const sid = await sidOf("Ada Lovelace");
      const token = jwt.sign({ tenants: ["default"] }, DEVELOPMENT_JWT_SECRET, { algorithm: "HS256", subject: "agent-2", expiresIn: 600 });
      other = await connectClient(demo.baseUrl, { token });
      expect(await other.emitWithAck("subscribe:conversation", { conversationSid: sid })).to.have.property("data");
      other.emit("typing:start", { conversationSid: sid });
      await eventually(async () => expect(await page.locator(".typing").textContent()).to.equal("agent-2 is typing…"));
      other.emit("typing:stop", { conversationSid: sid });
      await eventually(async () => expect(await page.locator(".typing").textContent()).to.equal(""));
      const heard = nextEvent(other, "typing:start", (payload) => payload.conversationSid === sid);
      await page.getByRole("textbox", { name: "Message to Ada Lovelace" }).pressSequentially("Let me check");
      expect((await heard).userId).to.equal(DEMO_AGENT);
      await page.getByRole("textbox", { name: "Message to Ada Lovelace" }).fill("");
    });
  });

  describe("keyboard", () => {
    it("J and K move between conversations (not while typing in the composer), Esc leaves the composer", async () => {
      const names = await page.locator(".conversation .name").allTextContents();
      const open = async () => (await page.locator(".conversation-open[aria-current=true] .name").textContent())!;
      const from = names.indexOf(await open());
      const composer = page.getByRole("textbox", { name: /^Message to / });
      await composer.focus();
      await page.keyboard.press("j");
      expect(await composer.inputValue()).to.equal("j");
      expect(await open()).to.equal(names[from]);
      await composer.fill("");
      await page.keyboard.press("Escape");
      expect(await page.evaluate("document.activeElement && document.activeElement.tagName")).not.to.equal("TEXTAREA");
      await page.keyboard.press("j");
      await eventually(async () => expect(await open()).to.equal(names[from + 1]));
      await page.keyboard.press("k");
      await eventually(async () => expect(await open()).to.equal(names[from]));
    });
  });

  describe("when the server drops the socket", () => {
    it("shows the disconnected banner, then refetches the list and the open thread and shows what was missed", async () => {
      await row(page, "Ada Lovelace").locator(".conversation-open").click();
      const log = page.getByRole("log", { name: "Messages with Ada Lovelace" });
      await log.locator(".message").first().waitFor();
      const banner = page.getByRole("status").filter({ hasText: "disconnected" });
      const before = requests.length;
      demo.realtime.io.of("/chat").disconnectSockets(true);
      await banner.waitFor();
      // Sent while the page is away: no event reaches it, only the refetch can show it.
      await demo.emulator.simulateInboundMessage({ accountSid: demo.tenant.accountSid, from: "+15551230001", to: demo.tenant.phoneNumber!, body: "Hello? Anyone there?" });
      await banner.waitFor({ state: "detached", timeout: 10_000 });
      await log.locator(".message.inbound", { hasText: "Hello? Anyone there?" }).waitFor();
      const after = requests.slice(before).map((request) => new URL(request.url()).pathname);
      expect(after).to.include("/api/v1/chat/conversations");
      expect(after).to.include(`/api/v1/chat/conversations/${await sidOf("Ada Lovelace")}/messages`);
      expect(await row(page, "Ada Lovelace").locator(".preview").textContent()).to.equal("Hello? Anyone there?");
    });
  });

  describe("on a phone-sized screen (390 × 844)", () => {
    const wide = { width: 1280, height: 800 };
    before(async () => {
      await page.setViewportSize({ width: 390, height: 844 });
    });
    after(async () => {
      await page.setViewportSize(wide);
    });
    const shown = (selector: string) => page.locator(selector).isVisible();
    const noSidewaysScroll = async () =>
      expect(await page.evaluate<boolean>("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), "nothing wider than the screen").to.equal(true);

    it("shows the open conversation alone, with a way back to the list that leaves the focus on its row", async () => {
      // Ada Lovelace's conversation is still open from the steps above.
      await page.getByRole("log", { name: "Messages with Ada Lovelace" }).waitFor();
      expect(await shown(".sidebar")).to.equal(false);
      await noSidewaysScroll();
      await page.getByRole("button", { name: "Conversations" }).click();
      await eventually(async () => expect(await shown(".sidebar")).to.equal(true));
      expect(await shown(".thread")).to.equal(false);
      const focusedRow = "document.activeElement && document.activeElement.closest('.conversation')?.querySelector('.name')?.textContent";
      await eventually(async () => expect(await page.evaluate<string | null>(focusedRow)).to.equal("Ada Lovelace"));
      await noSidewaysScroll();
    });

    it("opens another conversation from the list, and passes axe-core at this size", async () => {
      await row(page, "Grace Hopper").locator(".conversation-open").click();
      await page.getByRole("log", { name: "Messages with Grace Hopper" }).waitFor();
      expect(await shown(".sidebar")).to.equal(false);
      await page.evaluate(axeSource);
      expect(await page.evaluate<string[]>(AXE_RUN)).to.deep.equal([]);
    });

    it("keeps both panes, and no back button, on a wide screen", async () => {
      await page.setViewportSize(wide);
      expect(await shown(".sidebar")).to.equal(true);
      expect(await shown(".thread")).to.equal(true);
      expect(await page.getByRole("button", { name: "Conversations" }).isVisible()).to.equal(false);
    });
  });

  describe("accessibility and security of the page", () => {
    it("ran under its Content-Security-Policy without a violation or a script error", async () => {
      expect(await page.evaluate("window.cspViolations")).to.deep.equal([]);
      expect(pageErrors).to.deep.equal([]);
      const offOrigin = requests.map((request) => request.url()).filter((url) => !url.startsWith(demo.baseUrl) && !url.startsWith("data:") && !url.startsWith("ws://127.0.0.1"));
      expect(offOrigin).to.deep.equal([]);
    });

    it("passes axe-core's WCAG 2.1 A and AA rules with zero violations (list, thread, composer, simulate control)", async () => {
      await page.locator(".simulate summary").click();
      await page.evaluate(axeSource);
      const violations = await page.evaluate<string[]>(AXE_RUN);
      expect(violations).to.deep.equal([]);
      await page.locator(".simulate summary").click();
    });

    it("passes axe-core on the sign-in page too", async () => {
      const signIn = await browser.context.newPage();
      await signIn.goto(`${demo.baseUrl}/`);
      await signIn.getByRole("button", { name: "Sign in with the development token" }).waitFor();
      await signIn.evaluate(axeSource);
      const violations = await signIn.evaluate<string[]>(AXE_RUN);
      await signIn.close();
      expect(violations).to.deep.equal([]);
    });

  });
});
