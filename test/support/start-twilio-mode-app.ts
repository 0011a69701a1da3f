import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { createApp, type SwitchboardApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";

/**
 * A gateway configured for a real Twilio account (not emulator mode), for what must not exist there. Nothing here
 * calls Twilio: the requests it is used for are answered before any upstream call.
 */
export async function startTwilioModeApp(options: { webBundleDir?: string } = {}): Promise<{ baseUrl: string; app: SwitchboardApp; close(): Promise<void> }> {
  const config = loadConfig({
    NODE_ENV: "test",
    TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}`,
    TWILIO_AUTH_TOKEN: "a".repeat(32),
    TWILIO_CHAT_SERVICE_SID: `IS${"0".repeat(32)}`,
    TWILIO_API_BASE_URL: "http://127.0.0.1:9",
  });
  const app = createApp(config, { logger: pino({ level: "silent" }), webBundleDir: options.webBundleDir });
  const server = createServer(app.callback);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    app,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
