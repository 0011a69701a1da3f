import { randomBytes } from "node:crypto";

const API_KEY = /^SG\.[\w-]{1,64}\.[\w-]{1,128}$/;

/** An API key in SendGrid's form: "SG." + 22-character id + "." + 43-character secret. */
export function newApiKey(): string {
  return `SG.${randomBytes(16).toString("base64url")}.${randomBytes(32).toString("base64url")}`;
}

/** Whether `value` has the shape of a SendGrid API key. */
export function isApiKey(value: string): boolean {
  return API_KEY.test(value);
}

/** The `X-Message-Id` of an accepted send: 22 base64url characters (e.g. "XBg2anf2TqCy6WXKQFhieQ"). */
export function newMessageId(): string {
  return randomBytes(16).toString("base64url");
}

/**
 * `sg_message_id` of one recipient's copy: the X-Message-Id followed by a filter suffix, as in
 * Twilio's glossary example "XBg2anf2TqCy6WXKQFhieQ.filter0905p1mdw1-4434-59E0C6FF-3.0".
 */
export function sgMessageId(messageId: string, sentAt: Date, recipientIndex: number): string {
  const seconds = Math.floor(sentAt.getTime() / 1000).toString(16).toUpperCase();
  return `${messageId}.filter0001p1emu1-${process.pid}-${seconds}-${recipientIndex}.0`;
}

/** `smtp-id`: the SMTP Message-ID SendGrid gives the mail, built on the X-Message-Id. */
export function smtpId(messageId: string): string {
  return `<${messageId}@ismtpd0001p1emu1.sendgrid.net>`;
}

/** `sg_event_id`: unique per event (base64, like "rbtnWrG1DVDGGGFHFyun0A=="). */
export function newSgEventId(): string {
  return randomBytes(16).toString("base64");
}
