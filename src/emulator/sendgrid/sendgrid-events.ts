import { newSgEventId, smtpId } from "./sendgrid-ids.js";
import type { SentMail } from "./sent-mail.js";

/** Event types `postEvents` can produce (SendGrid's delivery and engagement events). */
export type SendGridEventType =
  | "processed"
  | "delivered"
  | "open"
  | "click"
  | "bounce"
  | "dropped"
  | "deferred"
  | "spamreport";

/** One event to post about a sent mail; without `email`, every recipient of the mail gets one. */
export interface SendGridEventInput {
  /** The `X-Message-Id` answered to the send. */
  messageId: string;
  event: SendGridEventType;
  /** Only this recipient (to, cc or bcc) of the mail. */
  email?: string;
  /** `reason` of a bounce or drop. */
  reason?: string;
  /** Clicked link (click events). */
  url?: string;
}

export type SendGridEvent = Record<string, unknown>;

const USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)";
const IP = "255.255.255.255";

// Per-type fields and defaults follow the examples of SendGrid's "Event Webhook Reference":
// delivery events carry smtp-id, engagement events (open, click) carry useragent and ip.
function fieldsFor(input: SendGridEventInput): SendGridEvent {
  switch (input.event) {
    case "processed":
      return {};
    case "deferred":
      return { response: "400 try again later", attempt: "1" };
    case "delivered":
      return { response: "250 OK" };
    case "bounce":
      return {
        reason: input.reason ?? "550 5.1.1 The email account that you tried to reach does not exist.",
        status: "5.1.1",
        type: "bounce",
        bounce_classification: "Invalid Address",
      };
    case "dropped":
      return { reason: input.reason ?? "Bounced Address", status: "5.0.0" };
    case "spamreport":
      return {};
    case "open":
      return { useragent: USER_AGENT, ip: IP, sg_machine_open: false };
    case "click":
      return { useragent: USER_AGENT, ip: IP, url: input.url ?? "https://example.com/", url_offset: { index: 0, type: "html" } };
  }
}

const ENGAGEMENT = new Set<SendGridEventType>(["open", "click"]);

/** The event objects SendGrid would post for `input` about `mail`, one per matching recipient. */
export function buildEvents(mail: SentMail, input: SendGridEventInput, timestamp: number): SendGridEvent[] {
  const recipients = input.email
    ? mail.recipients.filter((r) => r.email.toLowerCase() === input.email!.toLowerCase())
    : mail.recipients;
  if (recipients.length === 0) {
    throw new Error(`Mail ${mail.messageId} has no recipient ${input.email}`);
  }
  const categories = Array.isArray(mail.payload.categories) ? mail.payload.categories : [];
  return recipients.map((recipient) => ({
    // custom_args come back as top-level keys; SendGrid's own fields win on a clash.
    ...recipient.customArgs,
    email: recipient.email,
    timestamp,
    ...(ENGAGEMENT.has(input.event) ? {} : { "smtp-id": smtpId(mail.messageId) }),
    event: input.event,
    ...(categories.length > 0 ? { category: categories } : {}),
    sg_event_id: newSgEventId(),
    sg_message_id: recipient.sgMessageId,
    ...fieldsFor(input),
  }));
}
