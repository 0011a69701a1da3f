import { expect } from "chai";
import type { Page, Request } from "playwright-core";
import { launchChromium, type Browser } from "../support/chromium.js";
import { startDemoApp, type DemoApp } from "../support/start-demo-app.js";
import { CHROMIUM, requireSystemProgram } from "../support/system-programs.js";
import { builtWebBundle } from "../support/web-bundle.js";

const names = (page: Page) => page.locator(".conversation .name").allTextContents();

/**
 * A token naming two tenants — an operator's, or the development one in emulator mode once a tenant has signed up —
 * and the page's tenant picker. One page, one story.
 */
describe("the inbox page with a token naming two tenants (Chromium)", function () {
  this.timeout(20_000);
  let demo: DemoApp;
  let browser: Browser;
  let page: Page;
  const requests: Request[] = [];
  const picker = () => page.getByRole("combobox", { name: "Tenant" });

  before(async function () {
    requireSystemProgram(this, CHROMIUM);
    this.timeout(60_000);
    const bundle = await builtWebBundle();
    demo = await startDemoApp({ webBundleDir: bundle.outDir, secondTenant: { id: "acme", name: "Acme Inc.", customerName: "Acme Customer", body: "Hello from Acme's customer" } });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on("request", (request) => requests.push(request));
    await page.goto(`${demo.baseUrl}/`);
    await page.getByRole("button", { name: "Sign in with the development token" }).click();
    await page.locator(".conversation", { hasText: "Ada Lovelace" }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  it("offers the token's tenants and shows the first one's inbox only", async () => {
    // Named as the gateway names them, with the id the API takes.
    expect(await picker().locator("option").allTextContents()).to.deep.equal(["Demo (emulator) (default)", "Acme Inc. (acme)"]);
    expect(await picker().inputValue()).to.equal("default");
    expect(await names(page)).to.include("Ada Lovelace").and.not.include("Acme Customer");
  });

  it("switching shows the other tenant's list (asked with X-Tenant-Id), closes the open thread, and hears its live events", async () => {
    await page.locator(".conversation", { hasText: "Ada Lovelace" }).locator(".conversation-open").click();
    await page.getByRole("log", { name: "Messages with Ada Lovelace" }).waitFor();
    const before = requests.length;
    await picker().selectOption("acme");
    await page.locator(".conversation", { hasText: "Acme Customer" }).waitFor();
    expect(await names(page)).to.deep.equal(["Acme Customer"]);
    expect(await page.getByRole("heading", { name: "No conversation open" }).isVisible()).to.equal(true);
    const lists = requests.slice(before).filter((request) => new URL(request.url()).pathname === "/api/v1/chat/conversations");
    expect(lists.length).to.be.greaterThan(0);
    expect(lists.map((request) => request.headers()["x-tenant-id"])).to.satisfy((ids: string[]) => ids.every((id) => id === "acme"));
    // A customer of acme writes: the page's socket is acme's now.
    const acme = demo.app.tenants.get("acme").tenant;
    await demo.emulator.simulateInboundMessage({ accountSid: acme.accountSid, from: "+15553400001", to: acme.phoneNumber!, body: "Are you there?" });
    await page.locator(".conversation", { hasText: "Acme Customer" }).locator(".preview", { hasText: "Are you there?" }).waitFor();
  });

  it("keeps the choice when the tab reloads", async () => {
    await page.reload();
    await page.locator(".conversation", { hasText: "Acme Customer" }).waitFor();
    expect(await picker().inputValue()).to.equal("acme");
    expect(await names(page)).to.deep.equal(["Acme Customer"]);
  });
});
