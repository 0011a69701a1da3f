import { rfc2822Date } from "../format-date.js";
import type { ApiMessage } from "../model/types.js";

/** An Api 2010 Message; its `uri`s are relative to https://api.twilio.com, as Twilio's are. */
export function apiMessageJson(m: ApiMessage) {
  const uri = `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.sid}.json`;
  return {
    account_sid: m.accountSid,
    api_version: "2010-04-01",
    body: m.body,
    date_created: rfc2822Date(m.dateCreated),
    date_sent: m.dateSent ? rfc2822Date(m.dateSent) : null,
    date_updated: rfc2822Date(m.dateUpdated),
    direction: m.direction,
    error_code: m.errorCode,
    error_message: m.errorMessage,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid,
    num_media: String(m.numMedia),
    num_segments: String(Math.max(1, Math.ceil(m.body.length / 153))),
    price: null,
    price_unit: "USD",
    sid: m.sid,
    status: m.status,
    subresource_uris: {
      media: `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.sid}/Media.json`,
    },
    to: m.to,
    uri,
  };
}
