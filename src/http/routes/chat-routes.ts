import type { Context } from "koa";
import { AppError } from "../../errors.js";
import { createConversation } from "../../inbox/create-conversation.js";
import { getConversation } from "../../inbox/get-conversation.js";
import { inboxTotals } from "../../inbox/inbox-totals.js";
import { listConversations } from "../../inbox/list-conversations.js";
import { listMessages, messagesPageKey } from "../../inbox/list-messages.js";
import { addParticipant, removeParticipant } from "../../inbox/manage-participants.js";
import { sendEmail } from "../../inbox/send-email.js";
import { sendMessage } from "../../inbox/send-message.js";
import { mediaResponseHeaders } from "../../media/media-response-headers.js";
import { openMessageMedia } from "../../media/open-message-media.js";
import { sendMediaMessage } from "../../media/send-media-message.js";
import type { TemplateCatalog } from "../../templates/template-catalog.js";
import { toView } from "../../inbox/conversation-views.js";
import { updateConversationAttributes } from "../../inbox/update-conversation-attributes.js";
import type { ResponseCache } from "../../cache/response-cache.js";
import type { TenantRegistry } from "../../tenants/tenant-registry.js";
import { findConversationByIdempotencyKey, findMessageByIdempotencyKey } from "../../inbox/find-by-idempotency-key.js";
import { IdempotencyStore } from "../idempotency.js";
import { answerBuilt, answerFromCache } from "../cached-answer.js";
import { inTenant, type OperationHandler, type OperationRequest, type OperationResult } from "../operation-router.js";
import { selectTenantId } from "../tenant-selection.js";

/** `Link: <same path?…changed query>; rel="next"` */
function nextLink(ctx: Context, changes: Record<string, string | number>): Record<string, string> {
  const query = new URLSearchParams(ctx.querystring);
  for (const [key, value] of Object.entries(changes)) query.set(key, String(value));
  return { Link: `<${ctx.path}?${query.toString()}>; rel="next"` };
}

/** Seed 000 chat API: thin handlers — validated input → one use case → response. */
export function chatHandlers(
  tenants: TenantRegistry,
  responses: ResponseCache,
  options: { uploadIdleTimeoutMs: number; templates?: TemplateCatalog } = { uploadIdleTimeoutMs: 30_000 },
): Record<string, OperationHandler> {
  const inboxFor = (request: OperationRequest) =>
    inTenant(request, tenants.get(selectTenantId(request.principal, request.headers["x-tenant-id"], (id) => tenants.has(id))));
  const idempotency = new IdempotencyStore();
  /** Runs a create/send once per Idempotency-Key (scoped per tenant, user and operation). */
  const once = (
    request: OperationRequest,
    operation: string,
    work: (key: string | undefined) => Promise<OperationResult>,
    recover: (key: string) => Promise<OperationResult | undefined>,
  ) => {
    const key = request.headers["idempotency-key"] as string | undefined;
    const scope = [inboxFor(request).tenant.id, request.principal.userId, operation, request.params.sid ?? ""].join("|");
    return idempotency.run(scope, key, request.body, () => work(key), () => (key ? recover(key) : Promise.resolve(undefined)));
  };

  const recoverMessage = async (request: OperationRequest, key: string): Promise<OperationResult | undefined> => {
    const message = await findMessageByIdempotencyKey(inboxFor(request), request.params.sid, key);
    return message ? { status: 201, body: message } : undefined;
  };

  return {
    listConversations: (request) => {
      const inbox = inboxFor(request);
      const { limit, offset, filter, search } = request.query;
      // Served from the finished, serialised page while nothing of the tenant's changed in the cache (a warm inbox
      // list is read far more often than it changes). `recents` also depends on the clock: an hour bucket.
      const version = inbox.cache.tenantVersion(inbox.tenant.id);
      const clock = filter === "recents" ? Math.floor(Date.now() / 3_600_000) : 0;
      const key = [inbox.tenant.id, version, clock, limit, offset, filter, search ?? "", request.ctx.querystring].join("|");
      return answerFromCache(request, responses, key, inbox.tenant.id, async () => {
        const built = await listConversations(inbox, { limit, offset, filter, search });
        return { body: Buffer.from(JSON.stringify(built.items)), headers: built.hasMore ? nextLink(request.ctx, { offset: offset + limit }) : undefined };
      });
    },
    getConversation: async (request) => {
      // Built from the cache when warm (cheap), not kept serialised: a WhatsApp conversation's window closes by itself.
      const inbox = inboxFor(request);
      return answerBuilt(request, inbox.tenant.id, { body: Buffer.from(JSON.stringify(await getConversation(inbox, request.params.sid))) });
    },
    getChatStats: async (request) => ({ body: await inboxTotals(inboxFor(request)) }),
    createConversation: (request) =>
      once(
        request,
        "createConversation",
        async (idempotencyKey) => ({ status: 201, body: await createConversation(inboxFor(request), { ...request.body, idempotencyKey }) }),
        async (key) => {
          const inbox = inboxFor(request);
          const entry = await findConversationByIdempotencyKey(inbox, key);
          return entry ? { status: 201, body: await toView(inbox, entry) } : undefined;
        },
      ),
    listMessages: (request) => {
      const { limit, order, pageToken, afterIndex } = request.query;
      if (afterIndex !== undefined && (order === "desc" || pageToken !== undefined))
        throw new AppError("validation_failed", "afterIndex reads oldest first: it takes neither order=desc nor pageToken", { field: "afterIndex" });
      const inbox = inboxFor(request);
      const query = { limit, order: afterIndex !== undefined ? ("asc" as const) : (order ?? "desc"), pageToken, afterIndex };
      // Like the list: the serialised page is kept under the page's own cache key (it names the conversation's
      // messages generation, so a new or updated message misses it).
      const key = `${messagesPageKey(inbox, request.params.sid, query)}|${request.ctx.querystring}`;
      return answerFromCache(request, responses, key, inbox.tenant.id, async () => {
        const page = await listMessages(inbox, request.params.sid, query);
        const last = page.items.at(-1);
        const next = page.nextPageToken
          ? nextLink(request.ctx, { pageToken: page.nextPageToken })
          : page.hasMore && last
            ? nextLink(request.ctx, { afterIndex: last.index })
            : undefined;
        return { body: Buffer.from(JSON.stringify(page.items)), headers: next };
      });
    },
    getMessageMedia: async (request) => {
      const { sid, messageSid, mediaSid } = request.params;
      const opened = await openMessageMedia(inboxFor(request), sid, messageSid, mediaSid);
      return { body: opened.body, type: opened.contentType, headers: mediaResponseHeaders(opened) };
    },
    sendMessage: (request) =>
      once(
        request,
        "sendMessage",
        async (idempotencyKey) => ({
          status: 201,
          body: request.ctx.is("multipart/form-data")
            ? await sendMediaMessage(inboxFor(request), request.params.sid, request.ctx.req, {
                userId: request.principal.userId,
                idempotencyKey,
                idleTimeoutMs: options.uploadIdleTimeoutMs,
              })
            : await sendMessage(inboxFor(request), request.params.sid, { ...request.body, idempotencyKey }, request.principal.userId, options.templates),
        }),
        (key) => recoverMessage(request, key),
      ),
    sendEmail: (request) =>
      once(
        request,
        "sendEmail",
        async (idempotencyKey) => ({
          status: 201,
          body: await sendEmail(inboxFor(request), request.params.sid, { ...request.body, idempotencyKey }, request.principal.userId),
        }),
        (key) => recoverMessage(request, key),
      ),
    addParticipant: async (request) => ({
      status: 201,
      body: await addParticipant(inboxFor(request), request.params.sid, request.body),
    }),
    removeParticipant: async (request) => {
      await removeParticipant(inboxFor(request), request.params.sid, request.params.participantSid);
      return { body: { message: "Participant removed" } };
    },
    updateConversationAttributes: async (request) => {
      const inbox = inboxFor(request);
      return { body: await toView(inbox, await updateConversationAttributes(inbox, request.params.sid, request.body)) };
    },
  };
}
