import { AppError, isAppError } from "../errors.js";
import type { Channel, ParticipantRecord } from "./inbox-types.js";
import { addParticipant } from "./manage-participants.js";
import type { TenantInbox } from "./tenant-inbox.js";

/** Twilio's "already in use" codes: a binding (50416) or a participant (50433). */
const ALREADY_PARTICIPANT_CODES = new Set([50416, 50433]);

const WHATSAPP = "whatsapp:";

/**
 * Adds an SMS or WhatsApp participant given its address and the tenant sender it talks to (`proxyAddress`), which
 * must be one of the tenant's senders. Adding an address that is already a participant of this conversation is
 * not an error: the existing participant is returned (`created: false`). Bound in another conversation: 409.
 */
export async function addAddressParticipant(
  inbox: TenantInbox,
  conversationSid: string,
  input: { address: string; proxyAddress: string },
): Promise<{ participant: ParticipantRecord; created: boolean }> {
  const channel = channelOf(input.address, input.proxyAddress);
  const sender = channel === "WhatsApp" ? inbox.tenant.whatsappNumber : inbox.tenant.phoneNumber;
  if (input.proxyAddress !== sender)
    throw new AppError("validation_failed", "proxy_address is not one of this account's sender numbers", { field: "proxy_address" });
  try {
    const phoneNumber = input.address.slice(channel === "WhatsApp" ? WHATSAPP.length : 0);
    return { participant: await addParticipant(inbox, conversationSid, { phoneNumber }, channel), created: true };
  } catch (error) {
    const code = isAppError(error) ? error.options.upstream?.twilioCode : undefined;
    if (code === undefined || !ALREADY_PARTICIPANT_CODES.has(code)) throw error;
    // 50416 names any conversation of the service holding the binding: only this one's means "already here".
    const existing = (await inbox.gateway.listParticipants(conversationSid)).find(
      (participant) => participant.messagingBinding?.address === input.address,
    );
    if (!existing) throw error;
    return { participant: existing, created: false };
  }
}

/** Both addresses `whatsapp:` → WhatsApp; neither → SMS; a mix names no channel. */
function channelOf(address: string, proxyAddress: string): Channel {
  const whatsapp = [address, proxyAddress].map((value) => value.startsWith(WHATSAPP));
  if (whatsapp[0] !== whatsapp[1])
    throw new AppError("validation_failed", "address and proxy_address must both be whatsapp: addresses, or neither", { field: "proxy_address" });
  return whatsapp[0] ? "WhatsApp" : "SMS";
}
