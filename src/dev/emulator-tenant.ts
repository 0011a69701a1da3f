import { TwilioEmulator } from "../emulator/index.js";
import type { TenantConfig } from "../tenants/tenant-config.js";

/** The demo tenant's sender numbers (Twilio's documented test number and WhatsApp sandbox). */
export const DEMO_SMS_NUMBER = "+15005550006";
export const DEMO_WHATSAPP_NUMBER = "whatsapp:+14155238886";

/** Emulator mode: an embedded emulator on loopback and one tenant provisioned in it. */
export async function startEmulatorTenant(
  tenantId: string,
  options: { latencyMs: number },
): Promise<{ emulator: TwilioEmulator; tenant: TenantConfig }> {
  const emulator = await TwilioEmulator.start({ host: "127.0.0.1", port: 0 });
  if (options.latencyMs > 0) emulator.setFaultPlan({ latencyMs: options.latencyMs });
  const account = emulator.createAccount({ friendlyName: "Switchboard demo" });
  return {
    emulator,
    tenant: {
      id: tenantId,
      name: "Demo (emulator)",
      accountSid: account.accountSid,
      authToken: account.authToken,
      conversationsServiceSid: account.defaultServiceSid,
      phoneNumber: DEMO_SMS_NUMBER,
      whatsappNumber: DEMO_WHATSAPP_NUMBER,
      sendgrid: {
        apiKey: emulator.sendgrid.createApiKey(),
        fromEmail: "inbox@switchboard.test",
        fromName: "Switchboard demo",
        webhookPublicKey: emulator.sendgrid.webhookPublicKey,
      },
    },
  };
}
