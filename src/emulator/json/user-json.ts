import { isoDate } from "../format-date.js";
import type { User } from "../model/types.js";

/**
 * A Conversations User. `is_online`/`is_notifiable` are null: reachability is off on emulated services (Twilio
 * answers null then, and always null in a Read).
 */
export function userJson(u: User, prefix: string) {
  const url = `${prefix}/Users/${u.sid}`;
  return {
    sid: u.sid,
    account_sid: u.accountSid,
    chat_service_sid: u.serviceSid,
    role_sid: u.roleSid,
    identity: u.identity,
    friendly_name: u.friendlyName,
    attributes: u.attributes,
    is_online: null,
    is_notifiable: null,
    date_created: isoDate(u.dateCreated),
    date_updated: isoDate(u.dateUpdated),
    url,
    links: { user_conversations: `${url}/Conversations` },
  };
}
