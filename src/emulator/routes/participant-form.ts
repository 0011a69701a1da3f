import { parseDate } from "../format-date.js";
import type { Params } from "../http/params.js";
import type { ParticipantInput } from "../model/participant-ops.js";

/** Participant create/update form parameters (`MessagingBinding.*` keep their dotted names). */
export function participantForm(form: Params): ParticipantInput {
  return participantFromEntries((name) => form.get(name));
}

/** Same, from a ConversationWithParticipants `Participant` JSON object. */
export function participantFromJson(json: Record<string, unknown>): ParticipantInput {
  const binding = (json.messaging_binding ?? json.MessagingBinding ?? {}) as Record<string, unknown>;
  const read = (name: string): string | undefined => {
    const flat = json[name];
    if (typeof flat === "string") return flat;
    const [head, tail] = name.split(".");
    if (head === "MessagingBinding" && tail) {
      const nested = binding[tail] ?? binding[tail.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase()];
      if (typeof nested === "string") return nested;
    }
    const snake = json[name.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase()];
    return typeof snake === "string" ? snake : undefined;
  };
  return participantFromEntries(read);
}

function participantFromEntries(read: (name: string) => string | undefined): ParticipantInput {
  const input: ParticipantInput = {};
  const assign = <K extends keyof ParticipantInput>(key: K, value: ParticipantInput[K] | undefined) => {
    if (value !== undefined) input[key] = value;
  };
  assign("identity", read("Identity"));
  assign("address", read("MessagingBinding.Address"));
  assign("proxyAddress", read("MessagingBinding.ProxyAddress"));
  assign("projectedAddress", read("MessagingBinding.ProjectedAddress"));
  assign("attributes", read("Attributes"));
  assign("roleSid", read("RoleSid"));
  assign("dateCreated", parseDate(read("DateCreated")));
  assign("dateUpdated", parseDate(read("DateUpdated")));
  const lastRead = read("LastReadMessageIndex");
  if (lastRead !== undefined && /^\d+$/.test(lastRead)) assign("lastReadMessageIndex", Number(lastRead));
  assign("lastReadTimestamp", read("LastReadTimestamp"));
  return input;
}
