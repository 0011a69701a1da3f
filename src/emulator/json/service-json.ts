import { isoDate } from "../format-date.js";
import type { Service } from "../model/types.js";
import { CONVERSATIONS_HOST } from "./hosts.js";

export function serviceJson(s: Service) {
  const url = `${CONVERSATIONS_HOST}/v1/Services/${s.sid}`;
  return {
    sid: s.sid,
    account_sid: s.accountSid,
    friendly_name: s.friendlyName,
    date_created: isoDate(s.dateCreated),
    date_updated: isoDate(s.dateUpdated),
    url,
    links: {
      conversations: `${url}/Conversations`,
      users: `${url}/Users`,
      roles: `${url}/Roles`,
      bindings: `${url}/Bindings`,
      configuration: `${url}/Configuration`,
      participant_conversations: `${url}/ParticipantConversations`,
      conversation_with_participants: `${url}/ConversationWithParticipants`,
    },
  };
}

export function webhookConfigJson(s: Service) {
  return {
    account_sid: s.accountSid,
    chat_service_sid: s.sid,
    pre_webhook_url: s.webhooks.preWebhookUrl,
    post_webhook_url: s.webhooks.postWebhookUrl,
    filters: s.webhooks.filters,
    method: s.webhooks.method,
    url: `${CONVERSATIONS_HOST}/v1/Services/${s.sid}/Configuration/Webhooks`,
  };
}
