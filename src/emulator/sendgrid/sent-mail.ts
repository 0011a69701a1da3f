import { sgMessageId } from "./sendgrid-ids.js";
import type { MailPayload } from "./validate-mail.js";

/** One recipient's copy of a sent mail, as the Event Webhook reports it. */
export interface SentRecipient {
  email: string;
  /** Index of the personalization that names the recipient. */
  personalization: number;
  sgMessageId: string;
  /** Top-level custom_args overridden by the personalization's. */
  customArgs: Record<string, string>;
}

/** A mail the emulator accepted (202). */
export interface SentMail {
  payload: MailPayload;
  /** The `X-Message-Id` header of the 202. */
  messageId: string;
  apiKey: string;
  timestamp: Date;
  recipients: SentRecipient[];
}

/** Records an accepted payload with one entry per to/cc/bcc recipient. */
export function sentMail(payload: MailPayload, messageId: string, apiKey: string, timestamp: Date): SentMail {
  const recipients: SentRecipient[] = [];
  payload.personalizations.forEach((p, personalization) => {
    const customArgs = { ...(payload.custom_args ?? {}), ...(p.custom_args ?? {}) };
    for (const address of [...p.to, ...(p.cc ?? []), ...(p.bcc ?? [])]) {
      recipients.push({
        email: address.email,
        personalization,
        sgMessageId: sgMessageId(messageId, timestamp, recipients.length),
        customArgs,
      });
    }
  });
  return { payload, messageId, apiKey, timestamp, recipients };
}
