import { hash } from "node:crypto";
import {
  mergeAttributes,
  parseAttributes,
  serializeAttributes,
  type ConversationAttributes,
  type ContactDetails,
  type InboxPriority,
  type InboxStatus,
} from "./conversation-attributes.js";
import type { ConversationEntry } from "./conversation-directory.js";
import type { TenantInbox } from "./tenant-inbox.js";

export interface AttributesPatch {
  isStarred?: boolean;
  unreadCount?: number;
  contactDetails?: ContactDetails;
  status?: InboxStatus;
  priority?: InboxPriority;
}

type AttributesChange = (current: ConversationAttributes) => ConversationAttributes;

/** Changes waiting for the next write of one conversation's attributes. */
interface Batch {
  changes: Array<{ change: AttributesChange; settle: (outcome: { entry?: ConversationEntry; error?: unknown }) => void }>;
}

const openBatches = new WeakMap<TenantInbox, Map<string, Batch>>();

/**
 * Read-modify-write of a conversation's attributes, serialised per conversation: reads the current value from
 * Twilio (never the cache, which may lag another writer), applies `change`, writes it back, refreshes the cache.
 * Changes made in the same turn of the event loop, and those that arrive while a write of the same conversation is
 * under way, are combined into one read and one write (group commit): fifty concurrent customer messages cost a
 * few reads and writes, not fifty of each, and no increment is lost. Each caller's promise settles once the write
 * holding its change is done (or failed).
 *
 * The read stays: Twilio Conversations has no conditional update (If-Match/ETag are offered for TaskRouter Tasks
 * and Sync List Items only — https://www.twilio.com/docs/usage/mutation-and-conflict-resolution), so writing from
 * the cache would overwrite whatever another app wrote since the cache last heard of it.
 */
export function rewriteAttributes(inbox: TenantInbox, conversationSid: string, change: AttributesChange): Promise<ConversationEntry> {
  let batches = openBatches.get(inbox);
  if (!batches) openBatches.set(inbox, (batches = new Map()));
  const open = batches.get(conversationSid);
  const batch: Batch = open ?? { changes: [] };
  // Joined before the batch can start: the lock may run a free key's work at once.
  const written = new Promise<ConversationEntry>((resolve, reject) =>
    batch.changes.push({ change, settle: ({ entry, error }) => (error !== undefined ? reject(error) : resolve(entry!)) }),
  );
  if (!open) {
    batches.set(conversationSid, batch);
    // Started once the current turn is over: one message's changes (its summary, from the webhook; its analytics
    // counter, from the domain event the webhook published just before) are made a few microtasks apart, and a lock
    // that is free runs its work at once — each would otherwise cost a read and a write of its own.
    setImmediate(() =>
      inbox.conversationLock
        .acquire(conversationSid, async () => {
          // From here on, new changes open the next batch, which waits for this write.
          if (batches.get(conversationSid) === batch) batches.delete(conversationSid);
          await writeBatch(inbox, conversationSid, batch);
        })
        .catch((error: unknown) => {
          // The lock refused (too many waiters, Redis away): writeBatch never ran and settles nobody; this does.
          if (batches.get(conversationSid) === batch) batches.delete(conversationSid);
          for (const { settle } of batch.changes) settle({ error });
        }),
    );
  }
  return written;
}

async function writeBatch(inbox: TenantInbox, conversationSid: string, batch: Batch): Promise<void> {
  try {
    const current = await inbox.gateway.fetchConversation(conversationSid);
    let attributes = parseAttributes(current.attributes);
    const failed = new Map<number, unknown>();
    batch.changes.forEach(({ change }, i) => {
      try {
        attributes = change(attributes);
      } catch (error) {
        failed.set(i, error); // this caller's change alone is refused; the others still apply
      }
    });
    const next = serializeAttributes(attributes);
    let entry: ConversationEntry;
    if (next === current.attributes) entry = inbox.directory.remember(current);
    else {
      const written = await inbox.gateway.updateConversation(conversationSid, { attributes: next });
      rememberOwnWrite(inbox, conversationSid, written.attributes === next ? [next] : [written.attributes, next]);
      entry = inbox.directory.remember(written);
    }
    batch.changes.forEach(({ settle }, i) => settle(failed.has(i) ? { error: failed.get(i) } : { entry }));
  } catch (error) {
    for (const { settle } of batch.changes) settle({ error });
  }
}

/** PATCH /conversations/:sid/attributes — merges, never clobbering keys it does not name. */
export function updateConversationAttributes(inbox: TenantInbox, conversationSid: string, patch: AttributesPatch) {
  return rewriteAttributes(inbox, conversationSid, (current) => mergeAttributes(current, patch));
}

const ownWritesKey = (inbox: TenantInbox, conversationSid: string) => inbox.key("own-writes", conversationSid);

/** Attributes are kilobytes of JSON; what is remembered of them is a digest. */
const digestOf = (attributes: string) => hash("sha1", attributes, "base64url");

/**
 * The last few attribute values this gateway wrote (as Twilio answered them, newest first), so Twilio's echo of
 * them is recognised (not re-read).
 */
function rememberOwnWrite(inbox: TenantInbox, conversationSid: string, attributes: string[]): void {
  const previous = inbox.cache.get<{ digests: string[] }>(ownWritesKey(inbox, conversationSid))?.digests ?? [];
  inbox.cache.set(ownWritesKey(inbox, conversationSid), { digests: [...new Set([...attributes.map(digestOf), ...previous])].slice(0, 8) });
}

/** Whether `attributes` is one of the values this gateway itself recently wrote to the conversation. */
export function isOwnWrite(inbox: TenantInbox, conversationSid: string, attributes: string): boolean {
  const remembered = inbox.cache.get<{ digests: string[] }>(ownWritesKey(inbox, conversationSid))?.digests;
  return remembered !== undefined && remembered.includes(digestOf(attributes));
}
