import { createHash, randomUUID } from "node:crypto";
import type { ApiMessage } from "../model/types.js";
import { TwilioError } from "../twilio-error.js";
import type { WebhookDelivery, WebhookLog } from "../webhooks/webhook-log.js";
import { postSignedForm } from "../webhooks/post-signed-form.js";

/** Statuses Twilio reports to a message's StatusCallback after creation. */
export type MessageCallbackStatus = "sent" | "delivered" | "undelivered" | "failed" | "read";

/** What a messaging status callback describes. */
export interface MessageStatusReport {
  accountSid: string;
  messageSid: string;
  status: MessageCallbackStatus;
  /** Sent only with failed/undelivered. */
  errorCode?: number;
  from?: string | null;
  to: string;
  messagingServiceSid?: string | null;
  date?: Date;
}

// The StatusCallback given when a message was created, kept beside the stored message.
const callbacks = new WeakMap<ApiMessage, string>();

/** Keeps the StatusCallback a message was created with. */
export function rememberStatusCallback(message: ApiMessage, url: string): void {
  callbacks.set(message, url);
}

/** The StatusCallback a stored message was created with, if any. */
export function statusCallbackOf(message: ApiMessage): string | undefined {
  return callbacks.get(message);
}

/** Moves a stored message to the reported status, as a later fetch shows it. */
export function applyMessageStatus(message: ApiMessage, status: MessageCallbackStatus, errorCode?: number): void {
  const now = new Date();
  message.status = status;
  message.errorCode = status === "failed" || status === "undelivered" ? (errorCode ?? 30008) : null;
  if (status !== "failed" && message.dateSent === null) message.dateSent = now;
  message.dateUpdated = now;
}

/** Error 21609 "Invalid 'StatusCallback'": not an http(s) URL, or underscores in the hostname. */
export function checkStatusCallback(value: string): void {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !/^https?:$/.test(url.protocol) || url.hostname.includes("_") || value.length > 4000) {
    throw new TwilioError(400, 21609, `The StatusCallback URL ${value} is not a valid URL.`);
  }
}

/** RawDlrDoneDate: the carrier DLR's done date, YYMMDDhhmm. */
function rawDlrDoneDate(date: Date): string {
  return date.toISOString().replace(/^\d\d(\d\d)-(\d\d)-(\d\d)T(\d\d):(\d\d).*$/, "$1$2$3$4$5");
}

/**
 * Form parameters of a messaging status callback ("Track the Message Status of Outbound
 * Messages"): MessageSid/SmsSid, MessageStatus/SmsStatus, AccountSid, From, To, ApiVersion,
 * ErrorCode when failed or undelivered, RawDlrDoneDate for SMS delivered/undelivered, and for
 * WhatsApp ChannelPrefix, ChannelInstallSid, ChannelToAddress, ChannelStatusMessage (failures)
 * and EventType=READ.
 */
export function messageStatusParams(report: MessageStatusReport): Record<string, string> {
  const failed = report.status === "failed" || report.status === "undelivered";
  const whatsapp = report.to.startsWith("whatsapp:");
  const params: Record<string, string> = {
    AccountSid: report.accountSid,
    ApiVersion: "2010-04-01",
    MessageSid: report.messageSid,
    SmsSid: report.messageSid,
    MessageStatus: report.status,
    SmsStatus: report.status,
    To: report.to,
  };
  if (report.from) params.From = report.from;
  if (report.messagingServiceSid) params.MessagingServiceSid = report.messagingServiceSid;
  if (failed) params.ErrorCode = String(report.errorCode ?? 30008);
  if (!whatsapp && (report.status === "delivered" || report.status === "undelivered")) {
    params.RawDlrDoneDate = rawDlrDoneDate(report.date ?? new Date());
  }
  if (whatsapp) {
    params.ChannelPrefix = "whatsapp";
    params.ChannelInstallSid = `XE${createHash("sha256").update(`${report.accountSid}:whatsapp`).digest("hex").slice(0, 32)}`;
    params.ChannelToAddress = report.to.slice("whatsapp:".length);
    if (report.status === "sent") params.StructuredMessage = "false";
    if (report.status === "read") params.EventType = "READ";
    if (failed) params.ChannelStatusMessage = "Message failed to send";
  }
  return params;
}

/** POSTs a status callback once, signed like every Twilio webhook, and logs the attempt. */
export async function postStatusCallback(
  target: { url: string; authToken: string; timeoutMs: number },
  params: Record<string, string>,
  log: WebhookLog,
): Promise<WebhookDelivery> {
  const idempotencyToken = randomUUID();
  const { headers, status, error } = await postSignedForm(target, params, idempotencyToken);
  const delivery: WebhookDelivery = {
    url: target.url,
    eventType: "messageStatus",
    params,
    headers,
    status,
    attempt: 0,
    idempotencyToken,
    ...(error ? { error } : {}),
  };
  log.add(delivery);
  return delivery;
}
