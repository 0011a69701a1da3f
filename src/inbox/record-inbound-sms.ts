import { parseAttributes } from "./conversation-attributes.js";
import { createConversation } from "./create-conversation.js";
import { bareAddress } from "./find-conversation-by-phone.js";
import type { Channel } from "./inbox-types.js";
import { messagesGenerationKey } from "./list-messages.js";
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
 * direction, SM SID, media and `processed: false`. A redelivered MessageSid (within the conversation's latest 20
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
  const message = await inbox.gateway.createMessage(conversationSid, {
    author: sms.from,
    body: sms.body,
    attributes: JSON.stringify({
      channel,
      direction: "inbound",
      messageSid: sms.messageSid,
      numMedia: sms.media.length,
      mediaUrls: sms.media.map((item) => item.url),
      mediaContentTypes: sms.media.map((item) => item.contentType ?? ""),
      processed: false,
      status: "received",
    }),
  });
  inbox.cache.bumpGeneration(messagesGenerationKey(inbox, conversationSid));
  return { conversationSid, messageSid: message.sid, duplicate: false };
}
