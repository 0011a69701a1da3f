import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { AppError } from "../errors.js";
import { summariseSentMessage } from "../inbox/apply-message-to-summary.js";
import { assertOpen } from "../inbox/assert-open.js";
import type { ConversationEntry } from "../inbox/conversation-directory.js";
import { sendEmail } from "../inbox/send-email.js";
import { EMAIL_SUBJECT } from "../inbox/send-message.js";
import type { MessageRecord } from "../inbox/inbox-types.js";
import { messagesGenerationKey } from "../inbox/list-messages.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import { assertWhatsappWindowOpen } from "../inbox/whatsapp-window.js";
import { assertUploadFits, rulesFor } from "./channel-media-rules.js";
import { readMessageUpload, type MessageUpload } from "./read-message-upload.js";

/**
 * POST …/messages as multipart/form-data: the upload is read in full (spooled to disk) and checked before Twilio is
 * asked anything, then sent as `sendUploadedMedia` sends it.
 */
export async function sendMediaMessage(
  inbox: TenantInbox,
  conversationSid: string,
  req: IncomingMessage,
  options: { userId: string; idempotencyKey?: string; idleTimeoutMs: number },
): Promise<MessageRecord> {
  if (!inbox.media) throw new AppError("not_implemented", "media is not available for this tenant", { field: "file" });
  // Malformed or oversized uploads are refused before Twilio is asked anything.
  const upload = await readMessageUpload(req, { idleTimeoutMs: options.idleTimeoutMs });
  try {
    return await sendUploadedMedia(inbox, conversationSid, upload, options);
  } finally {
    await upload.cleanup();
  }
}

/**
 * Files already spooled and checked (a multipart upload, or a file the business API fetched by URL) sent into a
 * conversation: the conversation's channel decides the rules they must also fit (nothing is uploaded before), then
 * each file goes to the Media Content Service (streamed from disk) and becomes a conversation message with its
 * `MediaSid`; Twilio delivers it to the SMS/WhatsApp participants. SMS sends one message per file (the text with the
 * first); the answer is the first message. The caller owns `upload` and cleans it up.
 */
export async function sendUploadedMedia(
  inbox: TenantInbox,
  conversationSid: string,
  upload: MessageUpload,
  options: { userId: string; idempotencyKey?: string },
): Promise<MessageRecord> {
  const media = inbox.media;
  if (!media) throw new AppError("not_implemented", "media is not available for this tenant", { field: "file" });
  // A fresh read: whether the conversation is closed, and its channel, must not depend on a webhook having reached us.
  const conversation = inbox.directory.remember(await inbox.gateway.fetchConversation(conversationSid));
  assertOpen(conversation.record);
  const channel = conversation.attributes.channel ?? "SMS";
  assertUploadFits(channel, rulesFor(channel), upload.files);
  if (channel === "Email") return await sendEmailWithAttachments(inbox, conversation, upload, options);
  if (channel === "WhatsApp") await assertWhatsappWindowOpen(inbox, conversation);
  const attributes = JSON.stringify({
    channel,
    status: "queued",
    direction: "outbound",
    sentBy: options.userId,
    ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
  });
  const author = upload.author ?? options.userId;
  const messages: MessageRecord[] = [];
  if (upload.files.length === 0) {
    messages.push(await inbox.gateway.createMessage(conversationSid, { author, body: upload.body, attributes }));
  }
  for (const [index, file] of upload.files.entries()) {
    const uploaded = await media.upload({ contentType: file.contentType, filename: file.filename, body: createReadStream(file.path), size: file.size });
    messages.push(
      await inbox.gateway.createMessage(conversationSid, {
        author,
        ...(index === 0 && upload.body !== undefined ? { body: upload.body } : {}),
        attributes,
        mediaSid: uploaded.sid,
      }),
    );
  }
  inbox.cache.bumpGeneration(messagesGenerationKey(inbox, conversationSid));
  await summariseSentMessage(inbox, messages.at(-1)!);
  return messages[0]!;
}

/**
 * The Email channel: the files go to SendGrid as `attachments` (base64 in its JSON, so they are read into memory here,
 * within the Email rules' 22 MB), to the conversation's contact address; the message records their names and sizes.
 */
async function sendEmailWithAttachments(
  inbox: TenantInbox,
  conversation: ConversationEntry,
  upload: MessageUpload,
  options: { userId: string; idempotencyKey?: string },
): Promise<MessageRecord> {
  const to = conversation.attributes.contactDetails?.email;
  if (!to) throw new AppError("validation_failed", "the conversation has no contact email (contactDetails.email)", { field: "file" });
  const attachments = await Promise.all(
    upload.files.map(async (file) => ({ filename: file.filename, type: file.contentType, size: file.size, content: (await readFile(file.path)).toString("base64") })),
  );
  const names = upload.files.map((file) => file.filename).join(", ");
  return sendEmail(
    inbox,
    conversation.record.sid,
    { to, subject: EMAIL_SUBJECT, text: upload.body ?? `Attached: ${names}`, attachments, idempotencyKey: options.idempotencyKey },
    options.userId,
    conversation,
  );
}
