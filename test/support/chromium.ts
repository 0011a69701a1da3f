import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { CHROMIUM } from "./system-programs.js";

/** Debian's Chromium (`apt-get install -y chromium`; .ci/run installs it), the program the suites require. */
export const CHROMIUM_PATH = CHROMIUM.command;

/**
 * Flags for this machine: root needs --no-sandbox; there is no GPU and no internet, so everything that would phone
 * home (QUIC probes, component and sync updates, background networking) is off.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Fixed so times and screenshots come out the same everywhere. */
export const BROWSER_LOCALE = "en-US";
export const BROWSER_TIME_ZONE = "UTC";

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh profile (its own --user-data-dir), fixed locale, time zone and window size. */
export async function launchChromium(viewport = { width: 1280, height: 800 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "switchboard-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    locale: BROWSER_LOCALE,
    timezoneId: BROWSER_TIME_ZONE,
    viewport,
    deviceScaleFactor: 1,
    env: { ...process.env, TZ: BROWSER_TIME_ZONE, LANG: "en_US.UTF-8" },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
