import { toKnownView } from "../../inbox/conversation-views.js";
import type { ConversationEntry } from "../../inbox/conversation-directory.js";
import { findConversationByPhone, phoneOf } from "../../inbox/find-conversation-by-phone.js";
import { inboxStats, startOfUtcDay } from "../../inbox/inbox-stats.js";
import type { MessageSearchIndex } from "../../inbox/message-search-index.js";
import { readMessageHistory } from "../../inbox/read-message-history.js";
import { updateConversationAttributes } from "../../inbox/update-conversation-attributes.js";
import type { TenantRegistry } from "../../tenants/tenant-registry.js";
import { inTenant, type OperationHandler, type OperationRequest } from "../operation-router.js";
import { forbiddenTenant, selectNamedTenant } from "../tenant-selection.js";
import { sourceOf, toOrgConversation, toOrgMessage } from "./org-inbox-format.js";

type OrgFilter = "all" | "unread" | "today" | "active";

const FILTERS: Record<OrgFilter, (entry: ConversationEntry, todayMs: number) => boolean> = {
  all: () => true,
  unread: (entry) => (entry.attributes.unreadCount ?? 0) > 0,
  today: (entry, todayMs) => entry.lastActivityMs >= todayMs,
  active: (entry) => (entry.attributes.status ?? "active") === "active",
};

/** Seed 003's unified inbox, base `/api/v1/conversations/{organizationId}`: an organization is a tenant. */
export function orgInboxHandlers(deps: {
  tenants: TenantRegistry;
  searchIndex: (tenantId: string) => MessageSearchIndex;
}): Record<string, OperationHandler> {
  const { tenants } = deps;
  // The path names the organization (a tenant id or alias); the token must grant it. One 403 whether it is not
  // granted or does not exist, naming neither the organization nor the tenant an alias maps to.
  const refuse = forbiddenTenant("organizationId");
  const inboxFor = (request: OperationRequest) =>
    inTenant(request, selectNamedTenant(tenants, request.principal, request.params.organizationId, refuse));
  const latestOf = (request: OperationRequest, entries: ConversationEntry[]) => {
    const inbox = inboxFor(request);
    return inbox.directory.mapPresent(entries, (entry) => inbox.directory.latestMessage(entry));
  };

  return {
    listOrgConversations: async (request) => {
      const inbox = inboxFor(request);
      const { limit, offset, filter } = request.query as { limit: number; offset: number; filter: OrgFilter };
      const todayMs = startOfUtcDay();
      let page: ConversationEntry[];
      let total: number;
      let complete = true;
      if (filter === "all") {
        // As the chat API's list: ranked without waiting for the whole index after a start.
        const ranked = await inbox.directory.ranked();
        page = await inbox.directory.entriesOf(ranked.conversations.slice(offset, offset + limit));
        total = ranked.conversations.length;
        complete = ranked.complete;
      } else {
        const matches = (await inbox.directory.all())
          .filter((entry) => FILTERS[filter](entry, todayMs))
          .sort((a, b) => b.lastActivityMs - a.lastActivityMs || (a.record.sid < b.record.sid ? -1 : 1));
        page = matches.slice(offset, offset + limit);
        total = matches.length;
      }
      const latest = await latestOf(request, page);
      return {
        body: {
          // A conversation gone from Twilio since it was indexed (latest undefined) is left out.
          conversations: page.flatMap((entry, i) => (latest[i] === undefined ? [] : [toOrgConversation(entry, latest[i])])),
          total_count: total,
          has_more: !complete || offset + limit < total,
        },
      };
    },

    getOrgConversationByPhone: async (request) => {
      const inbox = inboxFor(request);
      const entry = await findConversationByPhone(inbox, request.params.phone);
      const { limit, before } = request.query as { limit: number; before?: string };
      const history = await readMessageHistory(inbox, entry.record.sid, { limit, before });
      const latest = await inbox.directory.latestMessage(entry);
      const summary = toOrgConversation(entry, latest);
      return {
        body: {
          conversation: {
            id: entry.record.sid,
            patient_name: summary.patient_name,
            phone: phoneOf(entry) ?? null,
            created_at: entry.record.dateCreated,
            last_activity: new Date(entry.lastActivityMs || Date.parse(entry.record.dateUpdated)).toISOString(),
            source: summary.source,
            status: summary.status,
            priority: summary.priority,
            total_messages: summary.message_count,
            sentiment: summary.sentiment,
          },
          messages: history.messages.map((message) => toOrgMessage(message, summary.patient_name)),
          has_more: history.hasMore,
        },
      };
    },

    getOrgStats: async (request) => {
      const stats = await inboxStats(inboxFor(request));
      return {
        body: {
          total_conversations: stats.total,
          unread_conversations: stats.unread,
          active_conversations: stats.active,
          conversations_today: stats.today,
          avg_response_time: stats.avgResponseMinutes,
          response_time_samples: stats.responseSamples,
          by_source: { sms: stats.byChannel.SMS, whatsapp: stats.byChannel.WhatsApp, email: stats.byChannel.Email, instagram: 0, phone: 0 },
        },
      };
    },

    searchOrgMessages: async (request) => {
      const inbox = inboxFor(request);
      const { q, phone, date_from, date_to } = request.query as { q: string; phone?: string; date_from?: string; date_to?: string };
      const entries = new Map((await inbox.directory.all()).map((entry) => [entry.record.sid, entry]));
      const fromMs = date_from ? Date.parse(date_from) : -Infinity;
      const toMs = date_to ? Date.parse(date_to) + (/^\d{4}-\d{2}-\d{2}$/.test(date_to) ? 86_400_000 - 1 : 0) : Infinity;
      const index = deps.searchIndex(inbox.tenant.id);
      const hits = await index.search(q, (hit) => {
        const entry = entries.get(hit.conversationSid);
        return Boolean(entry) && hit.timeMs >= fromMs && hit.timeMs <= toMs && (!phone || phoneOf(entry!) === phone);
      });
      return {
        body: {
          results: hits.slice(0, 100).map((hit) => {
            const entry = entries.get(hit.conversationSid)!;
            const view = toKnownView(inbox, entry);
            return {
              conversation_id: hit.conversationSid,
              message_id: hit.messageSid,
              content: hit.body,
              patient_name: view.friendlyName ?? phoneOf(entry) ?? hit.conversationSid,
              phone: phoneOf(entry) ?? null,
              source: sourceOf(entry.attributes.channel),
              author: hit.author,
              timestamp: new Date(hit.timeMs).toISOString(),
              score: hit.score,
            };
          }),
          total_count: hits.length,
          index: { documents: index.stats.documents, built_at: index.stats.builtAt ?? null },
        },
      };
    },

    updateOrgConversation: async (request) => {
      const inbox = inboxFor(request);
      const entry = await updateConversationAttributes(inbox, request.params.conversationSid, request.body);
      return { body: toOrgConversation(entry, await inbox.directory.latestMessage(entry)) };
    },
  };
}
