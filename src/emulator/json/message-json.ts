import { isoDate } from "../format-date.js";
import type { DeliverySummary } from "../model/delivery.js";
import type { Message, Receipt } from "../model/types.js";

export function messageJson(m: Message, delivery: DeliverySummary | null, prefix: string) {
  const url = `${prefix}/Conversations/${m.conversationSid}/Messages/${m.sid}`;
  return {
    sid: m.sid,
    account_sid: m.accountSid,
    chat_service_sid: m.serviceSid,
    conversation_sid: m.conversationSid,
    body: m.body,
    media: m.media,
    author: m.author,
    participant_sid: m.participantSid,
    attributes: m.attributes,
    date_created: isoDate(m.dateCreated),
    date_updated: isoDate(m.dateUpdated),
    index: m.index,
    delivery,
    content_sid: m.contentSid,
    url,
    links: {
      delivery_receipts: `${url}/Receipts`,
      channel_metadata: `${url}/ChannelMetadata`,
    },
  };
}

export function receiptJson(r: Receipt, prefix: string) {
  return {
    sid: r.sid,
    account_sid: r.accountSid,
    chat_service_sid: r.serviceSid,
    conversation_sid: r.conversationSid,
    message_sid: r.messageSid,
    channel_message_sid: r.channelMessageSid,
    participant_sid: r.participantSid,
    status: r.status,
    error_code: r.errorCode,
    date_created: isoDate(r.dateCreated),
    date_updated: isoDate(r.dateUpdated),
    url: `${prefix}/Conversations/${r.conversationSid}/Messages/${r.messageSid}/Receipts/${r.sid}`,
  };
}
