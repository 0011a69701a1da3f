import { TwilioEmulator } from "./twilio-emulator.js";

// Standalone emulator (`npm run emulator`): a separate program from the gateway, so it reads its
// own environment here. Control endpoints under /__emulator/* need no auth (loopback only).
const port = Number(process.env.EMULATOR_PORT ?? 4010);
const emulator = await TwilioEmulator.start({ port, rateLimits: process.env.EMULATOR_RATE_LIMITS !== "false" });
const account = emulator.createAccount({ friendlyName: "Switchboard dev" });
const { serviceSid } = emulator.createService(account.accountSid, "Switchboard inbox");
const sendgridApiKey = emulator.sendgrid.createApiKey();

console.log(`Twilio emulator listening on ${emulator.baseUrl}
  AccountSid:          ${account.accountSid}
  AuthToken:           ${account.authToken}
  Default service:     ${account.defaultServiceSid}
  Inbox service:       ${serviceSid}
  SendGrid API key:    ${sendgridApiKey}
  SendGrid public key: ${emulator.sendgrid.webhookPublicKey}
  Control API:         ${emulator.baseUrl}/__emulator/{accounts,services,webhooks,inbound,delivery,message-status,faults,requests,idle}
                       ${emulator.baseUrl}/__emulator/sendgrid/{api-keys,webhook,events,faults,sent}

TWILIO_API_BASE_URL=${emulator.baseUrl} TWILIO_ACCOUNT_SID=${account.accountSid} TWILIO_AUTH_TOKEN=${account.authToken} TWILIO_CHAT_SERVICE_SID=${serviceSid} SENDGRID_API_KEY=${sendgridApiKey} SENDGRID_WEBHOOK_PUBLIC_KEY=${emulator.sendgrid.webhookPublicKey}`);

const shutdown = () => {
  void emulator.stop().then(() => process.exit(0));
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
