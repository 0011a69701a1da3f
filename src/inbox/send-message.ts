import { AppError } from "../errors.js";
import { summariseSentMessage } from "./apply-message-to-summary.js";
import { assertOpen } from "./assert-open.js";
import type { ConversationEntry } from "./conversation-directory.js";
import type { Channel, MessageRecord } from "./inbox-types.js";
import { messagesGenerationKey } from "./list-messages.js";
import { emailMessageAttributes, sendEmail } from "./send-email.js";
import type { TenantInbox } from "./tenant-inbox.js";
import { assertWhatsappWindowOpen } from "./whatsapp-window.js";
import type { TemplateCatalog } from "../templates/template-catalog.js";
import { sendTemplateMessage } from "../templates/send-template-message.js";

/** The subject of an Email sent as a conversation message without one. */
export const EMAIL_SUBJECT = "Message from Switchboard";

export interface SendMessageInput {
  /** Free-form text; or a template instead (`contentSid`). */
  body?: string;
  /** A Content API template of the tenant (HX…), with values for its placeholders. */
  contentSid?: string;
  contentVariables?: Record<string, string>;
  /** The client's Idempotency-Key, recorded in the message attributes. */
  idempotencyKey?: string;
  author?: string;
  attributes?: { channel?: Channel; subject?: string; fromEmail?: string; fromName?: string; cc?: string[]; bcc?: string[] };
}

/**
 * POST /conversations/:sid/messages — SMS and WhatsApp are delivered by Twilio itself to the participants'
 * messaging bindings, so the gateway only adds the conversation message (no second send beside it). The message
 * starts `queued`; Twilio's delivery webhooks move it on. The conversation summary then records it as latest.
 */
export async function sendMessage(
  inbox: TenantInbox,
  conversationSid: string,
  input: SendMessageInput,
  userId: string,
  /** The tenant's templates, for `contentSid` sends (src/templates/). */
  templates?: TemplateCatalog,
): Promise<MessageRecord> {
  if (input.contentSid !== undefined && input.body !== undefined) throw new AppError("validation_failed", "send body or contentSid, not both", { field: "body" });
  const email = input.attributes;
  // Email fields only matter on the Email channel, but too many of them is refused before Twilio is asked which
  // channel the conversation speaks.
  if (email && (email.cc || email.bcc || email.subject || email.fromName))
    emailMessageAttributes({ ...email, subject: email.subject ?? EMAIL_SUBJECT, to: "", idempotencyKey: input.idempotencyKey }, { email: email.fromEmail ?? "", name: email.fromName }, userId, false, "attributes/");
  // A fresh read: whether the conversation is closed must not depend on a webhook having reached us.
  const conversation = inbox.directory.remember(await inbox.gateway.fetchConversation(conversationSid));
  assertOpen(conversation.record);
  const channel = input.attributes?.channel ?? conversation.attributes.channel ?? "SMS";
  if (input.contentSid !== undefined) {
    if (channel === "Email" || !templates) throw new AppError("validation_failed", "templates are sent on SMS and WhatsApp only", { field: "contentSid" });
    return sendTemplateMessage(inbox, templates, conversation, channel, { ...input, contentSid: input.contentSid }, userId);
  }
  if (input.body === undefined) throw new AppError("validation_failed", "body or contentSid is required", { field: "body" });
  if (channel === "Email") return sendEmailMessage(inbox, conversation, { ...input, body: input.body }, userId);
  if (channel === "WhatsApp") await assertWhatsappWindowOpen(inbox, conversation);

  const message = await inbox.gateway.createMessage(conversationSid, {
    author: input.author ?? userId,
    body: input.body,
    attributes: JSON.stringify({
      channel,
      status: "queued",
      direction: "outbound",
      sentBy: userId,
      ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
    }),
  });
  inbox.cache.bumpGeneration(messagesGenerationKey(inbox, conversationSid));
  await summariseSentMessage(inbox, message);
  return message;
}

/** An Email-channel message: to the conversation's contact address, subject from the message or the conversation. */
function sendEmailMessage(
  inbox: TenantInbox,
  conversation: ConversationEntry,
  input: SendMessageInput & { body: string },
  userId: string,
): Promise<MessageRecord> {
  const to = conversation.attributes.contactDetails?.email;
  if (!to) throw new AppError("validation_failed", "the conversation has no contact email (contactDetails.email)", { field: "attributes/channel" });
  return sendEmail(
    inbox,
    conversation.record.sid,
    {
      to,
      subject: input.attributes?.subject ?? EMAIL_SUBJECT,
      text: input.body,
      from: input.attributes?.fromEmail,
      fromName: input.attributes?.fromName,
      cc: input.attributes?.cc,
      bcc: input.attributes?.bcc,
      idempotencyKey: input.idempotencyKey,
    },
    userId,
    conversation,
    "attributes/",
  );
}
