import { isoDate } from "../format-date.js";
import type { Conversation, Participant } from "../model/types.js";
import { timersJson } from "./conversation-json.js";
import { bindingJson } from "./participant-json.js";

/** A ParticipantConversation: one participant's view of a conversation it belongs to. */
export function participantConversationJson(p: Participant, c: Conversation, prefix: string) {
  const conversationUrl = `${prefix}/Conversations/${c.sid}`;
  return {
    account_sid: c.accountSid,
    chat_service_sid: c.serviceSid,
    participant_sid: p.sid,
    participant_user_sid: null,
    participant_identity: p.identity,
    participant_messaging_binding: bindingJson(p),
    conversation_sid: c.sid,
    conversation_unique_name: c.uniqueName,
    conversation_friendly_name: c.friendlyName,
    conversation_attributes: c.attributes,
    conversation_date_created: isoDate(c.dateCreated),
    conversation_date_updated: isoDate(c.dateUpdated),
    conversation_created_by: c.createdBy,
    conversation_state: c.state,
    conversation_timers: timersJson(c),
    links: {
      participant: `${conversationUrl}/Participants/${p.sid}`,
      conversation: conversationUrl,
    },
  };
}
