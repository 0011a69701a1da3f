import { parseAttributes } from "./conversation-attributes.js";
import { createConversation } from "./create-conversation.js";
import { bareAddress } from "./find-conversation-by-phone.js";
import type { Channel } from "./inbox-types.js";
import { messagesGenerationKey } from "./list-messages.js";
import { importMessagingMedia } from "../media/import-messaging-media.js";
import type { TenantInbox } from "./tenant-inbox.js";
import { isDeletedInTwilio } from "../twilio/twilio-error.js";

export interface InboundSms {
  /** SM…/MM… */
  messageSid: string;
  from: string;
  to: string;
  body: string;
  media: Array<{ url: string; contentType?: string }>;
}

/** How many of a conversation's latest messages are checked for a redelivered MessageSid. */
const REDELIVERY_WINDOW = 20;

/**
 * An inbound SMS/WhatsApp from a Messaging webhook becomes a message of the sender's conversation: the one holding the
 * binding (address = From, proxy = To) that is not closed, found through Twilio's ParticipantConversations; a new one
 * with that binding otherwise. The message is authored by the sender and its attributes record the channel,
 * direction, SM SID, media count and types and `processed: false`; the files become Conversations media. A redelivered MessageSid (within the conversation's latest 20
 * messages) adds nothing. Twilio then reports the message back (webhooks on), which raises unread and emits.
 */
export async function recordInboundSms(
  inbox: TenantInbox,
  sms: InboundSms,
): Promise<{ conversationSid: string; messageSid: string; created: boolean; duplicate: boolean }> {
  const channel: Channel = sms.from.startsWith("whatsapp:") ? "WhatsApp" : "SMS";
  const existing = (await inbox.gateway.findConversationsByAddress(sms.from)).find(
    (found) => found.conversationState !== "closed" && (found.messagingBinding?.proxyAddress ?? sms.to) === sms.to,
  );
  if (existing) {
    try {
      return await addToConversation(inbox, existing.conversationSid, sms, channel);
    } catch (error) {
      // Deleted, though Twilio's ParticipantConversations still listed it: the sender starts a new conversation.
      if (!isDeletedInTwilio(error)) throw error;
    }
  }
  const view = await createConversation(inbox, {
    friendlyName: bareAddress(sms.from),
    participants: [{ phoneNumber: bareAddress(sms.from) }],
    attributes: { channel },
  });
  return { ...(await addMessage(inbox, view.sid, sms, channel)), created: true };
}

async function addToConversation(inbox: TenantInbox, conversationSid: string, sms: InboundSms, channel: Channel) {
  const recent = await inbox.gateway.listMessages(conversationSid, { order: "desc", limit: REDELIVERY_WINDOW });
  const repeated = recent.items.find((message) => parseAttributes<{ messageSid?: string }>(message.attributes).messageSid === sms.messageSid);
  if (repeated) return { conversationSid, messageSid: repeated.sid, created: false, duplicate: true };
  return { ...(await addMessage(inbox, conversationSid, sms, channel)), created: false };
}

async function addMessage(inbox: TenantInbox, conversationSid: string, sms: InboundSms, channel: Channel) {
  // The files become Conversations media (one per conversation message, the text with the first); Twilio's own
  // MediaUrls are never recorded, so no client sees a permanent Twilio URL.
  const imported = sms.media.length > 0 ? await importMessagingMedia(inbox, sms.media) : { mediaSids: [], failed: 0 };
  const attributes = JSON.stringify({
    channel,
    direction: "inbound",
    messageSid: sms.messageSid,
    numMedia: sms.media.length,
    mediaContentTypes: sms.media.map((item) => item.contentType ?? ""),
    ...(imported.failed > 0 ? { mediaUnavailable: imported.failed } : {}),
    processed: false,
    status: "received",
  });
  const [first, ...rest] = imported.mediaSids;
  const message = await inbox.gateway.createMessage(conversationSid, {
    author: sms.from,
    ...(sms.body !== "" || !first ? { body: sms.body } : {}),
    attributes,
    ...(first ? { mediaSid: first } : {}),
  });
  if (rest.length > 0) {
    // One SMS, several conversation messages: the later ones name the first (`partOf`, left out of the stored SMS
    // list), and the first lists every file's gateway URL, as the stored SMS it stands for.
    const parts = [message];
    const part = JSON.stringify({ ...JSON.parse(attributes), partOf: message.sid });
    for (const mediaSid of rest) parts.push(await inbox.gateway.createMessage(conversationSid, { author: sms.from, attributes: part, mediaSid }));
    const mediaUrls = parts.flatMap((created) => (created.media ?? []).map((item) => item.url));
    await inbox.gateway.updateMessageAttributes(conversationSid, message.sid, JSON.stringify({ ...JSON.parse(attributes), mediaUrls }));
  }
  inbox.cache.bumpGeneration(messagesGenerationKey(inbox, conversationSid));
  return { conversationSid, messageSid: message.sid, duplicate: false };
}
