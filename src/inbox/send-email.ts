import { AppError } from "../errors.js";
import { summariseSentMessage } from "./apply-message-to-summary.js";
import type { MessageRecord } from "./inbox-types.js";
import { messagesGenerationKey } from "./list-messages.js";
import type { MessageAttributes } from "./message-attributes.js";
import { assertOpen } from "./assert-open.js";
import type { ConversationEntry } from "./conversation-directory.js";
import type { TenantInbox } from "./tenant-inbox.js";
import { assertMessageAttributesFit } from "./conversations-limits.js";

/** Twilio's limit on a conversation message body; longer email text is cut there (the email itself is not). */
export const MESSAGE_BODY_MAX_CHARS = 1600;

/** SendGrid's refusal reason is kept in the message attributes, cut to this many characters (they are 4 KB at most). */
const REASON_MAX_CHARS = 300;

export interface SendEmailInput {
  to: string;
  subject: string;
  text?: string;
  html?: string;
  from?: string;
  fromName?: string;
  cc?: string[];
  bcc?: string[];
  /** The client's Idempotency-Key, recorded in the message attributes. */
  idempotencyKey?: string;
  /** Files sent as SendGrid attachments (base64); their names, types and sizes are recorded on the message. */
  attachments?: Array<{ filename: string; type: string; content: string; size: number }>;
}

/** Plain text of an HTML body for the conversation record (the email keeps its HTML). */
const textOf = (html: string) =>
  html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/\s+/g, " ")
    .trim();

/**
 * POST /conversations/:sid/emails (and Email-channel messages): the conversation message is recorded first
 * (`queued`, with subject/from/to/cc/bcc in its attributes), then SendGrid sends it with `custom_args` naming the
 * tenant, conversation and message, so its events find the message without a search. The message ends `sent`, or
 * `failed` with SendGrid's reason: a refused send is a status, not an error of the request.
 */
export async function sendEmail(
  inbox: TenantInbox,
  conversationSid: string,
  input: SendEmailInput,
  userId: string,
  /** The conversation as just read from Twilio, when the caller has it (no second read). */
  fresh?: ConversationEntry,
  /** Where the request put the Email fields (`attributes/` for a message on the Email channel). */
  fieldPrefix = "",
): Promise<MessageRecord> {
  const sendgrid = inbox.tenant.sendgrid;
  const sender = inbox.emailSender;
  const fromEmail = input.from ?? sendgrid?.fromEmail;
  if (!sender || !sendgrid) throw new AppError("not_implemented", "the Email channel is not configured for this tenant");
  if (!fromEmail) throw new AppError("validation_failed", "no sender address: give `from` or configure SENDGRID_FROM_EMAIL", { field: "from" });
  const text = input.text ?? textOf(input.html ?? "");
  const from = { email: fromEmail, ...(input.fromName ?? sendgrid.fromName ? { name: input.fromName ?? sendgrid.fromName } : {}) };
  const attributes = emailMessageAttributes(input, from, userId, text.length > MESSAGE_BODY_MAX_CHARS, fieldPrefix);

  const conversation = fresh ?? inbox.directory.remember(await inbox.gateway.fetchConversation(conversationSid));
  assertOpen(conversation.record);
  // Twilio delivers every conversation message to its SMS/WhatsApp participants: recording an Email there would
  // also text it to them.
  if ((await inbox.directory.participants(conversation)).some((participant) => participant.messagingBinding))
    throw new AppError("conflict", "this conversation delivers by SMS/WhatsApp; send Email from an Email conversation", { field: "sid" });
  const recorded = await inbox.gateway.createMessage(conversationSid, {
    author: userId,
    body: text.slice(0, MESSAGE_BODY_MAX_CHARS) || input.subject,
    attributes: JSON.stringify(attributes),
  });

  const result = await sender.send({
    to: input.to,
    from,
    subject: input.subject,
    text: input.text,
    html: input.html,
    cc: input.cc,
    bcc: input.bcc,
    customArgs: { tenantId: inbox.tenant.id, conversationSid, messageSid: recorded.sid },
    ...(input.attachments?.length ? { attachments: input.attachments.map(({ filename, type, content }) => ({ filename, type, content })) } : {}),
  });
  const outcome: MessageAttributes = result.accepted
    ? { ...attributes, status: "sent", ...(result.providerMessageId ? { providerMessageId: result.providerMessageId } : {}) }
    : { ...attributes, status: "failed", reason: result.reason?.slice(0, REASON_MAX_CHARS) };
  const message = await inbox.gateway.updateMessageAttributes(conversationSid, recorded.sid, JSON.stringify(outcome));
  inbox.cache.bumpGeneration(messagesGenerationKey(inbox, conversationSid));
  await summariseSentMessage(inbox, message);
  return message;
}

/**
 * The attributes recording an Email (subject, from, to, cc, bcc). They must fit Twilio's 4 KB for message attributes
 * even once the send's outcome is added (a refusal's reason at most): long cc/bcc lists are refused here, naming the
 * field, before Twilio or SendGrid is called.
 */
export function emailMessageAttributes(
  input: Pick<SendEmailInput, "subject" | "to" | "cc" | "bcc" | "html" | "idempotencyKey" | "attachments">,
  from: { email: string; name?: string },
  userId: string,
  bodyTruncated: boolean,
  fieldPrefix = "",
): MessageAttributes {
  const email = {
    subject: input.subject,
    from: from.email,
    fromName: from.name,
    to: input.to,
    cc: input.cc,
    bcc: input.bcc,
    html: input.html !== undefined,
    ...(input.attachments?.length ? { attachments: input.attachments.map(({ filename, type, size }) => ({ filename, type, size })) } : {}),
  };
  const attributes: MessageAttributes = {
    channel: "Email",
    status: "queued",
    direction: "outbound",
    sentBy: userId,
    email,
    ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
    ...(bodyTruncated ? { bodyTruncated: true } : {}),
  };
  const worstCase = JSON.stringify({ ...attributes, status: "failed", reason: "x".repeat(REASON_MAX_CHARS) });
  assertMessageAttributesFit(worstCase, {
    [`${fieldPrefix}cc`]: input.cc,
    [`${fieldPrefix}bcc`]: input.bcc,
    [`${fieldPrefix}subject`]: input.subject,
    [`${fieldPrefix}fromName`]: from.name,
    file: email.attachments,
  });
  return attributes;
}
