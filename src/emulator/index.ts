export { TwilioEmulator, type EmulatorOptions } from "./twilio-emulator.js";
export type { Exchange, RequestLog } from "./http/request-log.js";
export type { WebhookDelivery, WebhookLog } from "./webhooks/webhook-log.js";
export type { FaultPlanInput, FaultRule } from "./http/fault-plan.js";
export { webhookSignature } from "./webhooks/webhook-signature.js";
