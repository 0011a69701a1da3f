import { fileURLToPath } from "node:url";
import { launchChromium } from "../support/chromium.js";
import { startDemoApp } from "../support/start-demo-app.js";
import { isInstalled, CHROMIUM } from "../support/system-programs.js";
import { builtWebBundle } from "../support/web-bundle.js";

/**
 * `npm run screenshot`: the inbox page as `npm start` shows it (emulator mode, demo data), in Debian's Chromium with
 * a fixed locale, time zone and window, written to docs/inbox-page.png for the README. The clock times in it are
 * the run's own.
 */
const OUTPUT = fileURLToPath(new URL("../../docs/inbox-page.png", import.meta.url));

if (!isInstalled(CHROMIUM)) {
  process.stderr.write(`npm run screenshot needs ${CHROMIUM.command}: ${CHROMIUM.install}\n`);
  process.exit(1);
}
const bundle = await builtWebBundle();
const demo = await startDemoApp({ webBundleDir: bundle.outDir, deliveryStepsMs: { sent: 100, delivered: 250, read: 400 } });
const browser = await launchChromium({ width: 1280, height: 720 });
try {
  const page = await browser.context.newPage();
  await page.goto(`${demo.baseUrl}/`);
  await page.getByRole("button", { name: "Sign in with the development token" }).click();
  const grace = page.locator(".conversation", { hasText: "Grace Hopper" });
  await grace.waitFor();
  await grace.locator(".conversation-open").click();
  const composer = page.getByRole("textbox", { name: "Message to Grace Hopper" });
  await composer.fill("Done — the parcel now goes to 42 Main St.");
  await composer.press("Enter");
  await page.locator('.message.outbound[data-status="read"]').waitFor({ timeout: 5000 });
  // A customer writes in another conversation: its badge and the tab title show it.
  const ada = await page.locator(".conversation", { hasText: "Ada Lovelace" }).getAttribute("data-sid");
  await page.evaluate(`fetch("/api/v1/emulator/inbound", { method: "POST", headers: { "Content-Type": "application/json", Authorization: "Bearer " + JSON.parse(sessionStorage.getItem("switchboard.session")).token }, body: JSON.stringify({ conversationSid: "${ada}", body: "Could you also gift-wrap it?" }) })`);
  await page.locator(".conversation", { hasText: "Ada Lovelace" }).locator(".badge").waitFor();
  await page.locator(".filters .count").waitFor();
  await composer.pressSequentially("Of course, ");
  await page.screenshot({ path: OUTPUT });
  process.stdout.write(`written: docs/inbox-page.png (${await page.title()})\n`);
} finally {
  await browser.close();
  await demo.close();
}
process.exit(0);
