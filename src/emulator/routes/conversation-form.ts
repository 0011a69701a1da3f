import { parseDate } from "../format-date.js";
import type { Params } from "../http/params.js";
import type { ConversationInput } from "../model/conversation-ops.js";

/** The Conversation create/update form parameters, as named in the spec. */
export function conversationForm(form: Params): ConversationInput {
  const input: ConversationInput = {};
  const set = <K extends keyof ConversationInput>(key: K, value: ConversationInput[K] | undefined) => {
    if (value !== undefined) input[key] = value;
  };
  set("friendlyName", form.get("FriendlyName"));
  set("uniqueName", form.get("UniqueName"));
  set("attributes", form.get("Attributes"));
  set("messagingServiceSid", form.get("MessagingServiceSid"));
  set("state", form.get("State"));
  set("dateCreated", parseDate(form.get("DateCreated")));
  set("dateUpdated", parseDate(form.get("DateUpdated")));
  set("timersInactive", form.get("Timers.Inactive"));
  set("timersClosed", form.get("Timers.Closed"));
  return input;
}
