export { TwilioEmulator, type EmulatorOptions } from "./twilio-emulator.js";
export type { Exchange, RequestLog } from "./http/request-log.js";
export type { WebhookDelivery, WebhookLog } from "./webhooks/webhook-log.js";
export type { FaultPlanInput, FaultRule } from "./http/fault-plan.js";
export { webhookSignature } from "./webhooks/webhook-signature.js";
export type { MessageCallbackStatus } from "./routes/api-2010-status-callback.js";
export {
  SendGridEmulator,
  SIGNATURE_HEADER as SENDGRID_SIGNATURE_HEADER,
  TIMESTAMP_HEADER as SENDGRID_TIMESTAMP_HEADER,
  type EventWebhookDelivery,
  type MailSendAttempt,
  type PostEventsOptions,
} from "./sendgrid/sendgrid-emulator.js";
export type { SendGridErrorItem, SendGridFaultStatus } from "./sendgrid/sendgrid-error.js";
export type { SendGridEvent, SendGridEventInput, SendGridEventType } from "./sendgrid/sendgrid-events.js";
export type { SentMail, SentRecipient } from "./sendgrid/sent-mail.js";
export type { MailPayload } from "./sendgrid/validate-mail.js";
