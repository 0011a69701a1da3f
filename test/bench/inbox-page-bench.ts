import jwt from "jsonwebtoken";
import type { Page } from "playwright-core";
import { DEVELOPMENT_JWT_SECRET } from "../../src/config.js";
import { launchChromium } from "../support/chromium.js";
import { DEMO_AGENT, startDemoApp } from "../support/start-demo-app.js";
import { CHROMIUM, isInstalled } from "../support/system-programs.js";
import { builtWebBundle } from "../support/web-bundle.js";
import type { BenchSettings } from "./bench-settings.js";
import { latencyStats } from "./latency-stats.js";

export interface InboxPageResult {
  conversations: number;
  rounds: number;
  /** What the page downloads, as built by npm run build. */
  bundle: { scriptBytes: number; scriptGzipBytes: number; stylesheetGzipBytes: number };
  /** ms from navigation start; medians over the rounds. */
  inbox: { coldListMs: number; warmListMs: number };
  staticPage: { coldPaintMs: number; warmPaintMs: number; bytes: number };
}

export type InboxPageOutcome = InboxPageResult | { notRun: string };

/**
 * Time to first render of the inbox list (200 conversations in emulator mode: `performance.mark("inbox:list")`, set
 * by the page when the first page of the list is on screen) beside a plain static HTML page holding the same 200
 * names and previews, served by the same process (its first contentful paint). Cold: the browser cache disabled;
 * warm: a second visit, the hashed assets from the cache. Rounds alternate which page goes first.
 */
export async function benchInboxPage(settings: BenchSettings, log: (message: string) => void): Promise<InboxPageOutcome> {
  if (!isInstalled(CHROMIUM)) return { notRun: `needs ${CHROMIUM.command} (${CHROMIUM.install})` };
  const conversations = settings.conversations;
  const bundle = await builtWebBundle();
  log(`   seeding ${conversations} conversations in emulator mode`);
  // The baseline: the same names and previews as plain HTML, served by the same process (test/support/start-demo-app.ts).
  const staticHtml = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Static list</title></head><body><ul>${Array.from(
    { length: conversations },
    (_, i) => `<li><strong>Customer ${conversations - i}</strong> Question number ${conversations - i} about my order</li>`,
  ).join("")}</ul></body></html>`;
  const demo = await startDemoApp({ webBundleDir: bundle.outDir, seed: false, extraConversations: conversations, staticPages: { "/bench-static.html": staticHtml } });
  const browser = await launchChromium();
  const session = JSON.stringify({ token: tokenFor(), userId: DEMO_AGENT, tenantIds: ["default"], expiresAtMs: Date.now() + 3_600_000, source: "token" });
  await browser.context.addInitScript(`sessionStorage.setItem("switchboard.session", ${JSON.stringify(session)})`);
  const rounds = settings.quick ? 3 : 9;
  const samples = { inboxCold: [] as number[], inboxWarm: [] as number[], staticCold: [] as number[], staticWarm: [] as number[] };
  try {
    const visit = async (path: string, cold: boolean, read: (page: Page) => Promise<number>) => {
      const page = await browser.context.newPage();
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send("Network.setCacheDisabled", { cacheDisabled: cold });
      await page.goto(`${demo.baseUrl}${path}`);
      const ms = await read(page);
      await page.close();
      return ms;
    };
    const inboxList = (page: Page) => entryTime(page, "inbox:list");
    const firstPaint = (page: Page) => entryTime(page, "first-contentful-paint");
    // Unmeasured warm-up of both (the server's caches, the browser's compile cache).
    await visit("/", false, inboxList);
    await visit("/bench-static.html", false, firstPaint);
    for (let round = 0; round < rounds; round++) {
      const runs = [
        async () => {
          samples.inboxCold.push(await visit("/", true, inboxList));
          samples.inboxWarm.push(await visit("/", false, inboxList));
        },
        async () => {
          samples.staticCold.push(await visit("/bench-static.html", true, firstPaint));
          samples.staticWarm.push(await visit("/bench-static.html", false, firstPaint));
        },
      ];
      if (round % 2 === 1) runs.reverse();
      for (const run of runs) await run();
    }
  } finally {
    await browser.close();
    await demo.close();
  }
  const script = bundle.files[bundle.script]!;
  return {
    conversations,
    rounds,
    bundle: { scriptBytes: script.bytes, scriptGzipBytes: script.gzipBytes, stylesheetGzipBytes: bundle.files[bundle.stylesheet]!.gzipBytes },
    inbox: { coldListMs: latencyStats(samples.inboxCold).p50, warmListMs: latencyStats(samples.inboxWarm).p50 },
    staticPage: { coldPaintMs: latencyStats(samples.staticCold).p50, warmPaintMs: latencyStats(samples.staticWarm).p50, bytes: Buffer.byteLength(staticHtml) },
  };
}

/**
 * When a performance entry was recorded (ms from navigation start). Polled from outside the page: the page's CSP
 * forbids the eval that Playwright's waitForFunction would use; the entry's own time is what is reported.
 */
async function entryTime(page: Page, name: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const time = await page.evaluate<number | null>(`(performance.getEntriesByName(${JSON.stringify(name)})[0] || {}).startTime ?? null`);
    if (time !== null) return time;
    if (Date.now() > deadline) throw new Error(`no performance entry ${name} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function tokenFor(): string {
  return jwt.sign({ tenants: ["default"] }, DEVELOPMENT_JWT_SECRET, { algorithm: "HS256", subject: DEMO_AGENT, expiresIn: 3600 });
}
