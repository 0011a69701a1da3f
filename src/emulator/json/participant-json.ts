import { isoDate } from "../format-date.js";
import type { Participant } from "../model/types.js";

export function bindingJson(p: Participant) {
  const b = p.messagingBinding;
  if (!b) return null;
  if (b.projectedAddress) return { type: b.type, projected_address: b.projectedAddress };
  return { type: b.type, address: b.address, proxy_address: b.proxyAddress };
}

export function participantJson(p: Participant, prefix: string) {
  return {
    account_sid: p.accountSid,
    chat_service_sid: p.serviceSid,
    conversation_sid: p.conversationSid,
    sid: p.sid,
    identity: p.identity,
    attributes: p.attributes,
    messaging_binding: bindingJson(p),
    role_sid: p.roleSid,
    date_created: isoDate(p.dateCreated),
    date_updated: isoDate(p.dateUpdated),
    url: `${prefix}/Conversations/${p.conversationSid}/Participants/${p.sid}`,
    last_read_message_index: p.lastReadMessageIndex,
    last_read_timestamp: p.lastReadTimestamp,
  };
}
