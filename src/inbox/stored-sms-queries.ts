import { listMessages } from "./list-messages.js";
import { phoneOf } from "./find-conversation-by-phone.js";
import { messagesGenerationKey } from "./list-messages.js";
import { parseAttributes } from "./conversation-attributes.js";
import type { MessageAttributes } from "./message-attributes.js";
import { parseStoredSmsId, toStoredSms, type StoredSms } from "./stored-sms.js";
import type { TenantInbox } from "./tenant-inbox.js";

/** Without a phone number, the stored-SMS list looks at this many most recently active SMS/WhatsApp conversations. */
export const STORED_SMS_RECENT_CONVERSATIONS = 20;
const MESSAGES_PER_CONVERSATION = 100;

export interface StoredSmsQuery {
  direction?: "inbound" | "outbound";
  processed?: boolean;
  limit: number;
  phoneNumber?: string;
}

/**
 * GET /api/twilio/sms/stored — newest first, over the customer's conversations (phoneNumber) or the most recently
 * active SMS/WhatsApp conversations; the latest 100 messages of each, read through the message cache.
 */
export async function listStoredSms(inbox: TenantInbox, query: StoredSmsQuery): Promise<StoredSms[]> {
  const entries = (await inbox.directory.all())
    .filter((entry) => (entry.attributes.channel ?? "SMS") !== "Email")
    .filter((entry) => !query.phoneNumber || phoneOf(entry) === query.phoneNumber)
    .sort((a, b) => b.lastActivityMs - a.lastActivityMs)
    .slice(0, STORED_SMS_RECENT_CONVERSATIONS);
  const pages = await inbox.directory.mapPresent(entries, (entry) =>
    listMessages(inbox, entry.record.sid, { order: "desc", limit: MESSAGES_PER_CONVERSATION }).then((page) =>
      page.items
        // The later parts of a multi-file SMS are listed with its first message.
        .filter((message) => parseAttributes<{ partOf?: unknown }>(message.attributes).partOf === undefined)
        .map((message) => ({ index: message.index, sms: toStoredSms(inbox, message, entry) })),
    ),
  );
  // Newest first; within one second (Twilio's resolution) the higher message index is the newer.
  return pages
    .flatMap((page) => page ?? [])
    .filter(({ sms }) => (query.direction === undefined || sms.direction === query.direction) && (query.processed === undefined || sms.processed === query.processed))
    .sort((a, b) => Date.parse(b.sms.createdAt) - Date.parse(a.sms.createdAt) || b.index - a.index || (a.sms.id < b.sms.id ? -1 : 1))
    .slice(0, query.limit)
    .map(({ sms }) => sms);
}

/** GET /api/twilio/sms/stored/:id */
export async function getStoredSms(inbox: TenantInbox, id: string): Promise<StoredSms> {
  const { conversationSid, messageSid } = parseStoredSmsId(id);
  const [message, entry] = await Promise.all([inbox.gateway.fetchMessage(conversationSid, messageSid), inbox.directory.get(conversationSid)]);
  return toStoredSms(inbox, message, entry);
}

/** POST /api/twilio/sms/stored/:id/mark-processed — recorded in the message attributes, serialised per message. */
export async function markStoredSmsProcessed(
  inbox: TenantInbox,
  id: string,
  input: { chatId?: string; responseMessageSid?: string },
): Promise<StoredSms> {
  const { conversationSid, messageSid } = parseStoredSmsId(id);
  const entry = await inbox.directory.get(conversationSid);
  const message = await inbox.conversationLock.acquire(`message:${messageSid}`, async () => {
    const current = await inbox.gateway.fetchMessage(conversationSid, messageSid);
    const attributes = parseAttributes<MessageAttributes>(current.attributes);
    const next = {
      ...attributes,
      processed: true,
      processedAt: new Date().toISOString(),
      ...(input.chatId !== undefined ? { chatId: input.chatId } : {}),
      ...(input.responseMessageSid !== undefined ? { responseMessageSid: input.responseMessageSid } : {}),
    };
    return inbox.gateway.updateMessageAttributes(conversationSid, messageSid, JSON.stringify(next));
  });
  inbox.cache.bumpGeneration(messagesGenerationKey(inbox, conversationSid));
  return toStoredSms(inbox, message, entry);
}
