import { rfc2822Date } from "../format-date.js";
import type { ApiKey } from "../model/types.js";

/** An Api 2010 NewKey: the Key resource plus its secret, which only the creating answer carries. */
export function newKeyJson(key: ApiKey) {
  return {
    sid: key.sid,
    friendly_name: key.friendlyName,
    date_created: rfc2822Date(key.dateCreated),
    date_updated: rfc2822Date(key.dateUpdated),
    secret: key.secret,
  };
}
