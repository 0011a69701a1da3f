import { AppError } from "../../errors.js";
import type { Config } from "../../config.js";
import { mintDevelopmentToken } from "../../dev/development-token.js";
import type { EmulatorMode } from "../../dev/emulator-mode.js";
import { listParticipants } from "../../inbox/list-participants.js";
import type { TenantRegistry } from "../../tenants/tenant-registry.js";
import { assertLocalPageRequest } from "../local-page-request.js";
import type { OperationHandler, OperationRequest } from "../operation-router.js";
import { selectTenantId } from "../tenant-selection.js";

/** How long a token from `POST /api/v1/emulator/session` lasts; the page asks for a fresh one before then. */
export const EMULATOR_SESSION_TTL_SECONDS = 60 * 60;

/**
 * `/api/v1/emulator/*`: what emulator mode offers a client (the inbox page): a development sign-in for a page opened
 * on this machine, and a simulated customer message. Every one answers 404 on a gateway that talks to Twilio.
 */
export function emulatorHandlers(tenants: TenantRegistry, jwtSettings: Config["jwt"], mode: EmulatorMode | undefined): Record<string, OperationHandler> {
  const active = (): EmulatorMode => {
    if (!mode) throw new AppError("not_found", "not in emulator mode: this gateway talks to Twilio");
    return mode;
  };
  const inboxFor = (request: OperationRequest) =>
    tenants.get(selectTenantId(request.principal, request.headers["x-tenant-id"], (id) => tenants.has(id)));
  return {
    getEmulatorMode: () => {
      active();
      return { body: { mode: "emulator", developmentSignIn: jwtSettings.algorithm === "HS256" } };
    },
    createEmulatorSession: ({ ctx }) => {
      const { agentId } = active();
      assertLocalPageRequest(ctx);
      const served = tenants.all().map(({ tenant }) => ({ id: tenant.id, name: tenant.name ?? tenant.id }));
      const tenantIds = served.map((tenant) => tenant.id);
      const token = mintDevelopmentToken(jwtSettings, { userId: agentId, tenants: tenantIds, ttlSeconds: EMULATOR_SESSION_TTL_SECONDS });
      if (!token) throw new AppError("not_implemented", "JWT_PUBLIC_KEY is set (RS256): sign in with a token minted by your private key");
      const expiresAt = new Date(Date.now() + EMULATOR_SESSION_TTL_SECONDS * 1000).toISOString();
      return { status: 201, body: { token, expiresAt, userId: agentId, tenantIds, tenants: served }, headers: { "Cache-Control": "no-store" } };
    },
    simulateInboundMessage: async (request) => {
      const { emulator } = active();
      const inbox = inboxFor(request);
      const { body, conversationSid, from } = request.body as { body: string; conversationSid?: string; from?: string };
      let route: { from: string; to: string };
      if (conversationSid) {
        const contact = (await listParticipants(inbox, conversationSid)).find((p) => p.messagingBinding?.proxyAddress);
        if (!contact) throw new AppError("conflict", "the conversation has no SMS or WhatsApp customer to write from", { field: "/conversationSid" });
        route = { from: contact.messagingBinding!.address, to: contact.messagingBinding!.proxyAddress! };
      } else {
        const whatsapp = from!.startsWith("whatsapp:");
        const to = whatsapp ? inbox.tenant.whatsappNumber : inbox.tenant.phoneNumber;
        if (!to) throw new AppError("conflict", `the tenant has no ${whatsapp ? "WhatsApp" : "SMS"} number to write to`, { field: "/from" });
        route = { from: from!, to };
      }
      const result = await emulator.simulateInboundMessage({
        accountSid: inbox.tenant.accountSid,
        serviceSid: inbox.tenant.conversationsServiceSid,
        ...route,
        body,
      });
      return { status: 202, body: { conversationSid: result.conversationSid, messageSid: result.messageSid, created: result.created } };
    },
  };
}
