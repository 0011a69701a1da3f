import { AppError } from "../errors.js";
import type { ConversationEntry } from "./conversation-directory.js";
import type { TenantInbox } from "./tenant-inbox.js";

/** A phone address as conversations hold it: `+E164`, whether the channel is SMS or WhatsApp. */
export const bareAddress = (address: string) => address.replace(/^whatsapp:/, "");

/** The customer's phone of a conversation: its contact details, else its first messaging binding. */
export function phoneOf(entry: ConversationEntry): string | undefined {
  const fromDetails = entry.attributes.contactDetails?.phone;
  if (fromDetails) return fromDetails;
  const binding = entry.attributes.summary?.participants?.find((p) => p.messagingBinding)?.messagingBinding;
  return binding ? bareAddress(binding.address) : undefined;
}

/**
 * The customer's most recently active conversation, by phone: first from the tenant's index (no upstream call),
 * else from Twilio's ParticipantConversations (its own index of addresses, SMS and WhatsApp). 404 when none.
 */
export async function findConversationByPhone(inbox: TenantInbox, phone: string): Promise<ConversationEntry> {
  const known = (await inbox.directory.all())
    .filter((entry) => phoneOf(entry) === phone)
    .sort((a, b) => b.lastActivityMs - a.lastActivityMs)[0];
  if (known) return known;
  for (const address of [phone, `whatsapp:${phone}`]) {
    const [found] = (await inbox.gateway.findConversationsByAddress(address)).sort((a, b) =>
      a.conversationState === "closed" ? 1 : b.conversationState === "closed" ? -1 : 0,
    );
    if (found) return inbox.directory.get(found.conversationSid);
  }
  throw new AppError("not_found", `no conversation with ${phone}`, { field: "phone" });
}
