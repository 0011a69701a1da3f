import { AppError, isAppError } from "../../errors.js";
import { addAddressParticipant } from "../../inbox/add-address-participant.js";
import { createConversation } from "../../inbox/create-conversation.js";
import { deleteConversation } from "../../inbox/delete-conversation.js";
import { deleteConversations } from "../../inbox/delete-conversations.js";
import { deleteMessage } from "../../inbox/delete-message.js";
import { findConversationsByPhone } from "../../inbox/find-conversations-by-phone.js";
import { getConversation } from "../../inbox/get-conversation.js";
import { listConversations } from "../../inbox/list-conversations.js";
import { listMessages } from "../../inbox/list-messages.js";
import { listParticipants } from "../../inbox/list-participants.js";
import { listServices } from "../../inbox/list-services.js";
import { removeParticipant } from "../../inbox/manage-participants.js";
import { sendMessage } from "../../inbox/send-message.js";
import type { TenantInbox } from "../../inbox/tenant-inbox.js";
import type { TenantRegistry } from "../../tenants/tenant-registry.js";
import { inTenant, type OperationHandler, type OperationRequest, type OperationResult } from "../operation-router.js";
import { accountNotFound, selectNamedTenant } from "../tenant-selection.js";
import { conversationJson, messageJson, pageMeta, participantJson, serviceJson } from "./php-compat-format.js";

/** What every request of this surface carries, in its body or its query. */
interface AccountInput {
  account_id: string | number;
  conversation_service_sid?: string;
}

/** The PHP backend's success envelope. */
const ok = (data: unknown): OperationResult => ({ body: { success: true, data } });

/** Twilio's 404 said as the PHP backend said it ("Message not found"), Twilio's code kept. */
async function naming404<T>(message: string, field: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isAppError(error) && error.code === "not_found")
      throw new AppError("not_found", message, { field, upstream: error.options.upstream, cause: error });
    // The shared use cases name the chat API's fields; this surface calls the cursor `page_token`.
    if (isAppError(error) && error.options.field === "pageToken")
      throw new AppError(error.code, error.message.replace("pageToken", "page_token"), { ...error.options, field: "page_token" });
    throw error;
  }
}

/**
 * Seed 004: the PHP backend's endpoints over the same use cases as the chat API. `account_id` (a tenant id or
 * alias) picks the tenant: unknown or not granted by the token, one 404 "Account not found" (what the PHP backend
 * answered an unknown account, so its frontends handle it); `conversation_service_sid`, when given, must
 * be the tenant's own service (404 otherwise). Errors come out as `{ success: false, data }` (x-error-envelope).
 */
export function phpCompatHandlers(tenants: TenantRegistry): Record<string, OperationHandler> {
  const inboxFor = (request: OperationRequest): TenantInbox => {
    // Writes carry the account in their JSON body, reads in their query string.
    const input: AccountInput = request.body ?? request.query;
    const inbox = selectNamedTenant(tenants, request.principal, String(input.account_id), accountNotFound);
    const serviceSid = input.conversation_service_sid;
    if (serviceSid && serviceSid !== inbox.tenant.conversationsServiceSid)
      throw new AppError("not_found", "Conversation service not found", { field: "conversation_service_sid" });
    return inTenant(request, inbox);
  };
  const scopeOf = (inbox: TenantInbox) => ({ accountSid: inbox.tenant.accountSid, serviceSid: inbox.tenant.conversationsServiceSid });

  return {
    phpCreateConversation: async (request) => {
      const inbox = inboxFor(request);
      const created = await createConversation(inbox, { friendlyName: request.body.friendly_name || undefined });
      return ok(conversationJson(created));
    },
    phpListConversations: async (request) => {
      const { limit, page } = request.query;
      const found = await listConversations(inboxFor(request), { limit, offset: page * limit, filter: "all" });
      return ok({
        conversations: found.items.map((view) => conversationJson(view)),
        meta: pageMeta(request.ctx, "conversations", {
          page,
          pageSize: limit,
          next: found.hasMore ? { page: page + 1 } : undefined,
          previous: page > 0 ? { page: page - 1 } : undefined,
        }),
      });
    },
    phpFindConversationByPhone: async (request) => {
      const { phone_number: phone, limit } = request.query;
      const matches = await findConversationsByPhone(inboxFor(request), phone, limit);
      return ok({
        found: matches.length,
        conversations: matches.map(({ entry, participants }) => ({
          ...conversationJson(entry.record, entry.publicAttributes),
          participants: participants.map((p) => ({
            sid: p.sid,
            address: p.messagingBinding?.address ?? phone,
            proxy_address: p.messagingBinding?.proxyAddress ?? null,
          })),
        })),
      });
    },
    phpGetConversation: async (request) => {
      const { conversation_sid: sid } = request.query;
      const view = await naming404("Conversation not found", "conversation_sid", getConversation(inboxFor(request), sid));
      return ok(conversationJson(view));
    },
    phpAddParticipant: async (request) => {
      const inbox = inboxFor(request);
      const { conversation_sid: sid, address, proxy_address: proxyAddress } = request.body;
      const added = await naming404("Conversation not found", "conversation_sid", addAddressParticipant(inbox, sid, { address, proxyAddress }));
      return ok(participantJson(scopeOf(inbox), added.participant));
    },
    phpListParticipants: async (request) => {
      const inbox = inboxFor(request);
      const sid = request.query.conversation_sid;
      const participants = await naming404("Conversation not found", "conversation_sid", listParticipants(inbox, sid));
      return ok({
        participants: participants.map((participant) => participantJson(scopeOf(inbox), participant)),
        meta: pageMeta(request.ctx, "participants", { page: 0, pageSize: participants.length }),
      });
    },
    phpSendMessage: async (request) => {
      const inbox = inboxFor(request);
      const { conversation_sid: sid, body, author } = request.body;
      const message = await naming404(
        "Conversation not found",
        "conversation_sid",
        sendMessage(inbox, sid, { body, author: author || undefined }, request.principal.userId),
      );
      return ok(messageJson(scopeOf(inbox), message));
    },
    phpListMessages: async (request) => {
      const inbox = inboxFor(request);
      const { conversation_sid: sid, limit, order, page, page_token: pageToken } = request.query;
      const found = await naming404("Conversation not found", "conversation_sid", listMessages(inbox, sid, { limit, order, pageToken }));
      return ok({
        messages: found.items.map((message) => messageJson(scopeOf(inbox), message)),
        // Twilio pages messages by token, forwards only: no previous page to offer.
        meta: pageMeta(request.ctx, "messages", {
          page,
          pageSize: limit,
          first: { page_token: null },
          next: found.nextPageToken ? { page: page + 1, page_token: found.nextPageToken } : undefined,
        }),
      });
    },
    phpListServices: async (request) => {
      const services = await listServices(inboxFor(request));
      return ok({
        services: services.map(serviceJson),
        meta: pageMeta(request.ctx, "services", { page: 0, pageSize: services.length }),
      });
    },
    phpRemoveParticipant: async (request) => {
      const inbox = inboxFor(request);
      const { conversation_sid: sid, participant_sid: participantSid } = request.body;
      await naming404("Participant not found", "participant_sid", removeParticipant(inbox, sid, participantSid));
      return ok({ deleted: true, participant_sid: participantSid });
    },
    phpDeleteMessage: async (request) => {
      const inbox = inboxFor(request);
      const { conversation_sid: sid, message_sid: messageSid } = request.body;
      await naming404("Message not found", "message_sid", deleteMessage(inbox, sid, messageSid));
      return ok({ deleted: true, message_sid: messageSid });
    },
    phpDeleteConversation: async (request) => {
      const inbox = inboxFor(request);
      const sids = (request.body.conversation_sid as string).split(",").map((sid) => sid.trim());
      if (sids.length === 1) {
        await naming404("Conversation not found", "conversation_sid", deleteConversation(inbox, sids[0]!));
        return ok({ deleted: true, conversation_sid: sids[0] });
      }
      const result = await deleteConversations(inbox, sids);
      return ok({
        deleted: result.deleted.length,
        conversation_sids: result.deleted,
        failed: result.failed.map(({ sid, error }) => ({
          sid,
          error: error.code === "not_found" ? "Conversation not found" : error.expose ? error.message : `HTTP ${error.status}`,
          code: error.options.upstream?.twilioCode ?? error.status,
          status: error.status,
        })),
      });
    },
  };
}
