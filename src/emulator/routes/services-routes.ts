import type { Router } from "@koa/router";
import type { EmulatorDeps, EmulatorState } from "../http/emulator-state.js";
import { pageV1, readPage } from "../http/paginate.js";
import { CONVERSATIONS_HOST } from "../json/hosts.js";
import { serviceJson, webhookConfigJson } from "../json/service-json.js";
import { invalidParameter } from "../twilio-error.js";
import { respond } from "./route-kit.js";

const EVENTS = new Set([
  "onConversationAdded", "onConversationUpdated", "onConversationRemoved",
  "onConversationStateUpdated", "onMessageAdded", "onMessageUpdated", "onMessageRemoved",
  "onParticipantAdded", "onParticipantUpdated", "onParticipantRemoved", "onDeliveryUpdated",
  "onConversationAdd", "onConversationUpdate", "onConversationRemove", "onMessageAdd",
  "onMessageUpdate", "onMessageRemove", "onParticipantAdd", "onParticipantUpdate",
  "onParticipantRemove", "onUserAdded", "onUserUpdated", "onUserUpdate",
]);

/** Services and their webhook configuration. */
export function servicesRoutes(router: Router<EmulatorState>, deps: EmulatorDeps): void {
  const { store } = deps;

  router.get("/v1/Services", (ctx) => {
    const services = [...store.services.values()].filter((s) => s.accountSid === ctx.state.account.sid);
    respond(ctx, 200, pageV1(services, readPage(ctx.state.query, 100), {
      url: `${CONVERSATIONS_HOST}/v1/Services`, key: "services", toJson: serviceJson,
    }));
  });

  router.post("/v1/Services", (ctx) => {
    const friendlyName = ctx.state.form.get("FriendlyName");
    if (!friendlyName) throw invalidParameter("Missing required parameter FriendlyName in the post body");
    respond(ctx, 201, serviceJson(store.createService(ctx.state.account.sid, friendlyName)));
  });

  router.get("/v1/Services/:Sid", (ctx) => {
    respond(ctx, 200, serviceJson(store.service(ctx.state.account.sid, ctx.params.Sid!, ctx.path)));
  });

  router.delete("/v1/Services/:Sid", (ctx) => {
    store.deleteService(store.service(ctx.state.account.sid, ctx.params.Sid!, ctx.path));
    respond(ctx, 204);
  });

  router.get("/v1/Services/:ChatServiceSid/Configuration/Webhooks", (ctx) => {
    const service = store.service(ctx.state.account.sid, ctx.params.ChatServiceSid!, ctx.path);
    respond(ctx, 200, webhookConfigJson(service));
  });

  router.post("/v1/Services/:ChatServiceSid/Configuration/Webhooks", (ctx) => {
    const service = store.service(ctx.state.account.sid, ctx.params.ChatServiceSid!, ctx.path);
    const form = ctx.state.form;
    const method = form.get("Method")?.toUpperCase();
    if (method !== undefined && method !== "GET" && method !== "POST") {
      throw invalidParameter(`Invalid Method: ${form.get("Method")}`);
    }
    const filters = form.all("Filters");
    const unknown = filters.find((filter) => !EVENTS.has(filter));
    if (unknown) throw invalidParameter(`Invalid Filters: ${unknown}`);
    const hooks = service.webhooks;
    if (form.has("PreWebhookUrl")) hooks.preWebhookUrl = form.get("PreWebhookUrl") || null;
    if (form.has("PostWebhookUrl")) hooks.postWebhookUrl = form.get("PostWebhookUrl") || null;
    if (form.has("Filters")) hooks.filters = filters;
    if (method) hooks.method = method;
    service.dateUpdated = new Date();
    respond(ctx, 200, webhookConfigJson(service));
  });
}
