import { isoDate } from "../format-date.js";
import type { Conversation } from "../model/types.js";

export function timersJson(c: Conversation) {
  const timers: Record<string, string> = {};
  if (c.timers.dateInactive) timers.date_inactive = isoDate(c.timers.dateInactive);
  if (c.timers.dateClosed) timers.date_closed = isoDate(c.timers.dateClosed);
  return timers;
}

/** A Conversation resource; `prefix` is the scope the client used (see hosts.ts). */
export function conversationJson(c: Conversation, prefix: string) {
  const url = `${prefix}/Conversations/${c.sid}`;
  return {
    sid: c.sid,
    account_sid: c.accountSid,
    chat_service_sid: c.serviceSid,
    messaging_service_sid: c.messagingServiceSid,
    friendly_name: c.friendlyName,
    unique_name: c.uniqueName,
    attributes: c.attributes,
    date_created: isoDate(c.dateCreated),
    date_updated: isoDate(c.dateUpdated),
    state: c.state,
    timers: timersJson(c),
    bindings: {},
    url,
    links: {
      participants: `${url}/Participants`,
      messages: `${url}/Messages`,
      webhooks: `${url}/Webhooks`,
      export: `${url}/Export`,
    },
  };
}
