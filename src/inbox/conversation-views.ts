import type { ConversationEntry } from "./conversation-directory.js";
import type { DomainEventMap } from "./domain-events.js";
import type { ConversationView } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";
import { whatsappWindowOf } from "./whatsapp-window.js";

/** `whatsappWindow` for a WhatsApp conversation (computed at read time: it closes by itself). */
const windowOf = (entry: ConversationEntry) =>
  entry.attributes.channel === "WhatsApp" ? { whatsappWindow: whatsappWindowOf(entry.attributes) } : {};

/**
 * Builds API views (record + participants + latest message) with bounded upstream concurrency; a conversation gone
 * from Twilio since it was indexed is left out.
 */
export async function toViews(inbox: TenantInbox, entries: ConversationEntry[]): Promise<ConversationView[]> {
  const views = await inbox.directory.mapPresent(entries, (entry) => toView(inbox, entry));
  return views.filter((view): view is ConversationView => view !== undefined);
}

export async function toView(inbox: TenantInbox, entry: ConversationEntry): Promise<ConversationView> {
  const [participants, latestMessage] = await Promise.all([
    inbox.directory.participants(entry),
    inbox.directory.latestMessage(entry),
  ]);
  return { ...entry.record, attributes: entry.publicAttributes, participants, ...(latestMessage ? { latestMessage } : {}), ...windowOf(entry) };
}

/**
 * A view from what is already known (the summary, or details cached beside it) without calling Twilio: what
 * realtime events carry, so a webhook reaches the sockets without waiting on an upstream round trip.
 */
export function toKnownView(inbox: TenantInbox, entry: ConversationEntry): ConversationView {
  const summary = entry.attributes.summary;
  const participants = summary?.participants ?? inbox.directory.cachedParticipants(entry.record.sid);
  const latestMessage = summary?.latestMessage !== undefined ? summary.latestMessage : inbox.directory.cachedLatestMessage(entry.record.sid);
  return {
    ...entry.record,
    attributes: entry.publicAttributes,
    ...(participants ? { participants } : {}),
    ...(latestMessage ? { latestMessage } : {}),
    ...windowOf(entry),
  };
}

/** The `conversation.updated` event of one state of the conversation: its entry and the view built from it. */
export function conversationUpdate(inbox: TenantInbox, entry: ConversationEntry): DomainEventMap["conversation.updated"] {
  return { tenantId: inbox.tenant.id, conversationSid: entry.record.sid, entry, conversation: toKnownView(inbox, entry) };
}
