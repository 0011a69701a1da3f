import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { createApp, type SwitchboardApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { DEMO_DELIVERY_STEPS_MS, startDemoDelivery } from "../../src/dev/demo-delivery.js";
import { seedDemoInbox } from "../../src/dev/demo-seed.js";
import { startEmulatorTenant } from "../../src/dev/emulator-tenant.js";
import type { TwilioEmulator } from "../../src/emulator/index.js";
import { createConversation } from "../../src/inbox/create-conversation.js";
import { attachChatSockets } from "../../src/realtime/chat-socket-server.js";
import type { TenantConfig } from "../../src/tenants/tenant-config.js";
import { EMAIL_EVENTS_PATH, registerConversationWebhooks } from "../../src/webhooks/register-webhooks.js";

export const DEMO_AGENT = "agent-demo";

export interface DemoApp {
  baseUrl: string;
  app: SwitchboardApp;
  emulator: TwilioEmulator;
  tenant: TenantConfig;
  realtime: ReturnType<typeof attachChatSockets>;
  close(): Promise<void>;
}

/**
 * The gateway as `npm start` runs it without Twilio credentials (src/main.ts): embedded emulator, emulator mode
 * (development sign-in, simulated customer messages, demo delivery), demo conversations — on a loopback port, in
 * this process, serving the inbox page from `webBundleDir`.
 */
export async function startDemoApp(options: {
  webBundleDir?: string;
  /** Conversations added after the demo ones (for the list benchmark). */
  extraConversations?: number;
  seed?: boolean;
  deliveryStepsMs?: { sent: number; delivered: number; read: number };
  env?: Record<string, string>;
  /** Plain HTML pages served by the same process, by exact path (the benchmark's baseline). */
  staticPages?: Record<string, string>;
  /**
   * A second tenant served beside the demo one (its own Twilio account in the emulator, one conversation), as after a
   * sign-up in emulator mode: the development token then names both.
   */
  secondTenant?: { id: string; name: string; customerName: string; body: string };
}): Promise<DemoApp> {
  const emulated = await startEmulatorTenant("default", { latencyMs: 0 });
  const second = options.secondTenant && secondTenantOf(emulated.emulator, options.secondTenant.id, options.secondTenant.name);
  const config = loadConfig({ NODE_ENV: "test", RATE_LIMIT_PER_USER_PER_MINUTE: "0", RATE_LIMIT_PER_IP_PER_MINUTE: "0", ...options.env });
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app = createApp(config, {
    logger: pino({ level: "silent" }),
    tenants: second ? [emulated.tenant, second] : [emulated.tenant],
    twilioApiBaseUrl: emulated.emulator.baseUrl,
    sendgridApiBaseUrl: emulated.emulator.baseUrl,
    publicBaseUrl: () => baseUrl,
    emulatorMode: { emulator: emulated.emulator, agentId: DEMO_AGENT },
    webBundleDir: options.webBundleDir,
  });
  server.on("request", (req, res) => {
    const page = options.staticPages?.[req.url ?? ""];
    if (page === undefined) return app.callback(req, res);
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" });
    res.end(page);
  });
  const realtime = attachChatSockets(server, app);
  await registerConversationWebhooks(app.tenants, baseUrl);
  emulated.emulator.sendgrid.configureEventWebhook({ url: `${baseUrl}${EMAIL_EVENTS_PATH}` });
  const stopDelivery = startDemoDelivery(emulated.emulator, app.tenants, app.events, options.deliveryStepsMs ?? DEMO_DELIVERY_STEPS_MS);
  const inbox = app.tenants.get("default");
  if (options.seed !== false) await seedDemoInbox(inbox, emulated.emulator, DEMO_AGENT);
  for (let i = 0; i < (options.extraConversations ?? 0); i++) {
    const phone = `+1555300${String(i).padStart(4, "0")}`;
    await createConversation(inbox, { friendlyName: `Customer ${i + 1}`, participants: [{ phoneNumber: phone }], attributes: { channel: "SMS" } });
    await emulated.emulator.simulateInboundMessage({ accountSid: inbox.tenant.accountSid, from: phone, to: inbox.tenant.phoneNumber!, body: `Question number ${i + 1} about my order` });
  }
  if (second && options.secondTenant) {
    const phone = "+15553400001";
    await createConversation(app.tenants.get(second.id), { friendlyName: options.secondTenant.customerName, participants: [{ phoneNumber: phone }], attributes: { channel: "SMS" } });
    await emulated.emulator.simulateInboundMessage({ accountSid: second.accountSid, from: phone, to: second.phoneNumber!, body: options.secondTenant.body });
  }
  await emulated.emulator.whenIdle();
  return {
    baseUrl,
    app,
    emulator: emulated.emulator,
    tenant: emulated.tenant,
    realtime,
    close: async () => {
      stopDelivery();
      await emulated.emulator.stop();
      server.closeAllConnections();
      await realtime.close();
    },
  };
}

/** Another tenant on the same emulator: an account of its own, with an SMS number of its own. */
function secondTenantOf(emulator: TwilioEmulator, id: string, name: string): TenantConfig {
  const account = emulator.createAccount({ friendlyName: name });
  return { id, name, accountSid: account.accountSid, authToken: account.authToken, conversationsServiceSid: account.defaultServiceSid, phoneNumber: "+15005550101" };
}
