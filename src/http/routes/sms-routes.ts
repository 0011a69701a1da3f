import type { Config } from "../../config.js";
import { recordInboundSms } from "../../inbox/record-inbound-sms.js";
import { getStoredSms, listStoredSms, markStoredSmsProcessed } from "../../inbox/stored-sms-queries.js";
import type { TenantRegistry } from "../../tenants/tenant-registry.js";
import { messagingResponse } from "../../twilio/twiml.js";
import type { WebhookDedupe } from "../../webhooks/webhook-dedupe.js";
import { inTenant, type OperationHandler, type OperationRequest } from "../operation-router.js";
import { selectTenantId } from "../tenant-selection.js";

/** Twilio sends up to 10 media items as MediaUrl0…MediaUrl9 / MediaContentType0…. */
function mediaOf(fields: Record<string, string>) {
  const count = Math.min(10, Number(fields.NumMedia ?? 0) || 0);
  return Array.from({ length: count }, (_, i) => ({ url: fields[`MediaUrl${i}`] ?? "", contentType: fields[`MediaContentType${i}`] })).filter(
    (item) => item.url,
  );
}

/** Seed 001, base `/api/twilio`: the inbound SMS webhook and the stored-SMS views over conversation messages. */
export function smsHandlers(deps: {
  tenants: TenantRegistry;
  dedupe: WebhookDedupe;
  config: Pick<Config, "twilioMode" | "smsAcknowledgement">;
}): Record<string, OperationHandler> {
  const { tenants } = deps;
  const inboxFor = (request: OperationRequest) =>
    inTenant(request, tenants.get(selectTenantId(request.principal, request.headers["x-tenant-id"], (id) => tenants.has(id))));
  const twiml = { type: "text/xml", body: messagingResponse(deps.config.smsAcknowledgement) };

  return {
    receiveInboundSms: async (request) => {
      const inbox = request.webhookTenant!;
      const fields = request.body as Record<string, string>;
      await deps.dedupe.once([`${inbox.tenant.id}:inbound-sms:${fields.MessageSid}`], async () => {
        await recordInboundSms(inbox, {
          messageSid: fields.MessageSid!,
          from: fields.From!,
          to: fields.To!,
          body: fields.Body ?? "",
          media: mediaOf(fields),
        });
      });
      return twiml;
    },
    listStoredSms: async (request) => {
      const { direction, processed, limit, phoneNumber } = request.query;
      const messages = await listStoredSms(inboxFor(request), { direction, processed, limit, phoneNumber });
      return { body: { messages, count: messages.length } };
    },
    getStoredSms: async (request) => ({ body: await getStoredSms(inboxFor(request), request.params.id) }),
    markStoredSmsProcessed: async (request) => ({
      body: await markStoredSmsProcessed(inboxFor(request), request.params.id, request.body ?? {}),
    }),
    getTwilioStatus: async (request) => {
      const inbox = inboxFor(request);
      const { tenant } = inbox;
      let balance: { balance: string; currency: string } | null = null;
      let reachable = true;
      try {
        // The platform's balance is no business of a tenant created at sign-up: it only learns Twilio answers.
        if (tenant.sharedAccount) await inbox.gateway.checkReachable();
        else {
          const fetched = await inbox.gateway.fetchBalance();
          balance = { balance: fetched.balance, currency: fetched.currency };
        }
      } catch {
        reachable = false;
      }
      // Identifiers only: auth tokens, API secrets and SendGrid keys are never shown.
      return {
        body: {
          configured: true,
          mode: deps.config.twilioMode,
          tenant: tenant.id,
          accountSid: tenant.accountSid,
          conversationsServiceSid: tenant.conversationsServiceSid,
          phoneNumber: tenant.phoneNumber ?? null,
          whatsappNumber: tenant.whatsappNumber ?? null,
          credentials: tenant.apiKey ? "api-key" : "auth-token",
          email: { configured: Boolean(tenant.sendgrid), fromEmail: tenant.sendgrid?.fromEmail ?? null },
          reachable,
          balance,
        },
      };
    },
  };
}
