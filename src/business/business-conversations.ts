import { AppError } from "../errors.js";
import { mergeAttributes } from "../inbox/conversation-attributes.js";
import type { ConversationEntry } from "../inbox/conversation-directory.js";
import { phoneOf } from "../inbox/find-conversation-by-phone.js";
import { readMessageHistory } from "../inbox/read-message-history.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import { rewriteAttributes } from "../inbox/update-conversation-attributes.js";
import { toBusinessMessage } from "./business-message.js";
import { statusOf, toBusinessConversation, type BusinessConversation, type BusinessConversationStatus, type ContactFacts } from "./business-conversation.js";

/** The contact of a phone number, if the tenant has one (src/contacts/); none: conversations show what Twilio holds. */
export type ContactLookup = (phone: string) => Promise<ContactFacts | undefined>;

export interface ConversationQuery {
  page: number;
  limit: number;
  status?: BusinessConversationStatus;
  /** Part of the customer's phone number or name (case-insensitive). */
  search?: string;
  /** Only the conversations assigned to this user. */
  assignedTo?: string;
}

const facts = async (entries: ConversationEntry[], contactOf?: ContactLookup) =>
  Promise.all(entries.map(async (entry) => (contactOf && phoneOf(entry) ? contactOf(phoneOf(entry)!) : undefined)));

/** GET /api/conversations — the tenant's conversations, most recently active first, from the conversation index. */
export async function listBusinessConversations(inbox: TenantInbox, query: ConversationQuery, contactOf?: ContactLookup) {
  const needle = query.search?.toLowerCase();
  const all = await inbox.directory.all();
  const contacts = needle && contactOf ? await facts(all, contactOf) : undefined;
  const matches = all
    .map((entry, i) => ({ entry, contact: contacts?.[i] }))
    .filter(({ entry, contact }) => {
      if (query.status && statusOf(entry) !== query.status) return false;
      if (query.assignedTo && entry.attributes.assignedTo !== query.assignedTo) return false;
      if (!needle) return true;
      const text = [phoneOf(entry) ?? "", entry.record.friendlyName ?? "", contact?.name ?? ""].join("\n").toLowerCase();
      return text.includes(needle) || entry.searchText.includes(needle);
    })
    .sort((a, b) => b.entry.lastActivityMs - a.entry.lastActivityMs || (a.entry.record.sid < b.entry.record.sid ? -1 : 1));
  const page = matches.slice((query.page - 1) * query.limit, query.page * query.limit);
  const pageFacts = contacts ? page.map((m) => m.contact) : await facts(page.map((m) => m.entry), contactOf);
  return {
    conversations: page.map(({ entry }, i) => toBusinessConversation(entry, inbox.tenant, pageFacts[i])),
    pagination: { page: query.page, limit: query.limit, total: matches.length, totalPages: Math.ceil(matches.length / query.limit) },
  };
}

/** GET /api/conversations/{id} — the conversation and its most recent messages (oldest first). */
export async function getBusinessConversation(inbox: TenantInbox, sid: string, recent: number, contactOf?: ContactLookup) {
  const entry = await inbox.directory.lookup(sid);
  const history = await readMessageHistory(inbox, sid, { limit: recent });
  const [contact] = await facts([entry], contactOf);
  // The latest message is the last of `messages`: not a second copy beside them.
  const { lastMessage: _latest, ...conversation } = toBusinessConversation(entry, inbox.tenant, contact);
  return {
    ...conversation,
    messages: history.messages.map((message) => toBusinessMessage(message, inbox.tenant, entry)),
    hasMoreMessages: history.hasMore,
  };
}

export interface ConversationPatch {
  status?: BusinessConversationStatus;
  /** A user of the tenant, or null to unassign. */
  assignedTo?: string | null;
  tags?: string[];
}

/**
 * PATCH /api/conversations/{id} — status (CLOSED is the inbox's `resolved`: Twilio's conversation stays active, so the
 * customer's next message lands in it), assignee (a user of the tenant, else 400) and tags, in one attributes write.
 */
export async function updateBusinessConversation(
  inbox: TenantInbox,
  sid: string,
  patch: ConversationPatch,
  isTenantUser: (userId: string) => Promise<boolean>,
  contactOf?: ContactLookup,
): Promise<BusinessConversation> {
  if (patch.assignedTo && !(await isTenantUser(patch.assignedTo)))
    throw new AppError("validation_failed", "assignedTo must be a user of this tenant", { field: "assignedTo" });
  const tags = patch.tags ? [...new Set(patch.tags.map((tag) => tag.trim()).filter(Boolean))] : undefined;
  const entry = await rewriteAttributes(inbox, sid, (current) => {
    const next = mergeAttributes(current, {
      ...(patch.status ? { status: patch.status === "CLOSED" ? "resolved" : "active" } : {}),
      ...(patch.assignedTo !== undefined ? { assignedTo: patch.assignedTo ?? undefined } : {}),
      ...(tags ? { tags } : {}),
    });
    if (patch.assignedTo === null) delete next.assignedTo;
    return next;
  });
  const [contact] = await facts([entry], contactOf);
  return toBusinessConversation(entry, inbox.tenant, contact);
}
