import type { Accounts } from "../../accounts/accounts-context.js";
import { toBusinessMessage } from "../../business/business-message.js";
import type { BusinessMessageIndex } from "../../business/business-message-index.js";
import {
  getBusinessConversation,
  listBusinessConversations,
  updateBusinessConversation,
  type ContactLookup,
} from "../../business/business-conversations.js";
import { sendBusinessMessage } from "../../business/send-business-message.js";
import { createBusinessTemplate, listBusinessTemplates } from "../../business/business-templates.js";
import { cachedOverviews } from "../../analytics/analytics-overview.js";
import type { TenantInbox } from "../../inbox/tenant-inbox.js";
import type { RemoteMediaFetcher } from "../../media/remote-media-fetch.js";
import type { TemplateCatalog } from "../../templates/template-catalog.js";
import type { TenantRegistry } from "../../tenants/tenant-registry.js";
import { inTenant, type OperationHandler, type OperationRequest } from "../operation-router.js";
import { selectTenantId } from "../tenant-selection.js";

const ok = (data: unknown, status = 200) => ({ status, body: { success: true, data } });

/** How many recent messages GET /api/conversations/{id} carries. */
const RECENT_MESSAGES = 50;

/** The business API (base `/api`): messages and conversations, thin mappings onto src/business/ and the inbox. */
export function businessHandlers(deps: {
  tenants: TenantRegistry;
  accounts: Accounts;
  messageIndex: (tenantId: string) => BusinessMessageIndex;
  templates: TemplateCatalog;
  /** Fetches `content.mediaUrl` for media messages (src/media/remote-media-fetch.ts). */
  mediaFetcher: RemoteMediaFetcher;
  /** The tenant's contact of a phone number (src/contacts/), for names and tags on conversations. */
  contactOf?: (inbox: TenantInbox) => ContactLookup;
}): Record<string, OperationHandler> {
  const { tenants } = deps;
  const inboxFor = (request: OperationRequest) =>
    inTenant(request, tenants.get(selectTenantId(request.principal, request.headers["x-tenant-id"], (id) => tenants.has(id))));
  const contactsOf = (inbox: TenantInbox) => deps.contactOf?.(inbox);
  const overview = cachedOverviews();
  // A user of this gateway's directory in the tenant; where sign-in is off (external tokens), only the caller is known.
  const isTenantUser = (request: OperationRequest, tenantId: string) => async (userId: string) => {
    if (!deps.accounts.enabled) return userId === request.principal.userId;
    const users = await (await deps.accounts.context()).users.listByTenant(tenantId);
    return users.some((user) => user.id === userId);
  };

  return {
    listBusinessMessages: async (request) => {
      const inbox = inboxFor(request);
      const { page, limit, conversationId, direction, status } = request.query;
      const { messages, total } = await deps.messageIndex(inbox.tenant.id).list({ conversationId, direction, status }, page, limit);
      return ok({ messages, pagination: { page, limit, total, totalPages: Math.ceil(total / limit) } });
    },
    getBusinessMessage: async (request) => {
      const inbox = inboxFor(request);
      // The id names the conversation and the message: read from this tenant's service (another tenant's is a 404).
      const [conversationSid, messageSid] = (request.params.id as string).split("-") as [string, string];
      const [message, entry] = await Promise.all([inbox.gateway.fetchMessage(conversationSid, messageSid), inbox.directory.get(conversationSid)]);
      return ok(toBusinessMessage(message, inbox.tenant, entry));
    },
    sendBusinessMessage: async (request) => {
      const inbox = inboxFor(request);
      const { message, conversation } = await sendBusinessMessage(inbox, request.body, request.principal.userId, deps.templates, deps.mediaFetcher);
      deps.messageIndex(inbox.tenant.id).upsert(message);
      return ok(toBusinessMessage(message, inbox.tenant, inbox.directory.peek(conversation.record.sid) ?? conversation), 201);
    },
    getAnalyticsOverview: async (request) => ok(await overview(inboxFor(request), request.query.days)),
    listBusinessTemplates: async (request) => ok({ templates: await listBusinessTemplates(inboxFor(request), deps.templates) }),
    createBusinessTemplate: async (request) => ok(await createBusinessTemplate(inboxFor(request), deps.templates, request.body), 201),
    listBusinessConversations: async (request) => {
      const inbox = inboxFor(request);
      const { page, limit, status, search, assignedTo } = request.query;
      const assignee = assignedTo === "me" ? request.principal.userId : assignedTo;
      return ok(await listBusinessConversations(inbox, { page, limit, status, search, assignedTo: assignee }, contactsOf(inbox)));
    },
    getBusinessConversation: async (request) => {
      const inbox = inboxFor(request);
      return ok(await getBusinessConversation(inbox, request.params.id, RECENT_MESSAGES, contactsOf(inbox)));
    },
    updateBusinessConversation: async (request) => {
      const inbox = inboxFor(request);
      const updated = await updateBusinessConversation(inbox, request.params.id, request.body, isTenantUser(request, inbox.tenant.id), contactsOf(inbox));
      return ok(updated);
    },
  };
}
