import type { Router } from "@koa/router";
import type { OpContext } from "../model/op-context.js";
import type { Conversation, Service } from "../model/types.js";
import { scopePrefix } from "../json/hosts.js";
import type { EmulatorContext, EmulatorDeps, EmulatorState } from "../http/emulator-state.js";
import { parseDate } from "../format-date.js";

/** The service a request acts on and the URL prefix its responses use. */
export interface Scope {
  service: Service;
  prefix: string;
}

type Handler = (ctx: EmulatorContext, scope: Scope) => void | Promise<void>;

/**
 * Registers a Conversations route twice: service-scoped (`/v1/Services/{ChatServiceSid}…`) and
 * top-level (`/v1…`, acting on the account's default service).
 */
export function twin(
  router: Router<EmulatorState>,
  deps: EmulatorDeps,
  method: "get" | "post" | "delete",
  path: string,
  handler: Handler,
): void {
  router[method](`/v1/Services/:ChatServiceSid${path}`, async (ctx) => {
    const service = deps.store.service(ctx.state.account.sid, ctx.params.ChatServiceSid!, ctx.path);
    await handler(ctx, { service, prefix: scopePrefix(service.sid) });
  });
  router[method](`/v1${path}`, async (ctx) => {
    const service = deps.store.service(
      ctx.state.account.sid,
      ctx.state.account.defaultServiceSid,
      ctx.path,
    );
    await handler(ctx, { service, prefix: scopePrefix(null) });
  });
}

/** Operation context for a REST call: events are kept only with `X-Twilio-Webhook-Enabled: true`. */
export function restOp(ctx: EmulatorContext, deps: EmulatorDeps): OpContext {
  const enabled = ctx.get("x-twilio-webhook-enabled").toLowerCase() === "true";
  return {
    store: deps.store,
    limits: deps.limits,
    source: "API",
    sink: (event) => {
      if (enabled) ctx.state.events.push(event);
    },
    laterSink: (event) => ctx.state.events.push(event),
  };
}

export function conversationParam(ctx: EmulatorContext, deps: EmulatorDeps, scope: Scope) {
  return deps.store.conversation(scope.service, ctx.params.ConversationSid!, ctx.path);
}

/** Reads a date parameter (DateCreated, DateUpdated). */
export function dateParam(ctx: EmulatorContext, name: string): Date | undefined {
  return parseDate(ctx.state.form.get(name));
}

export function respond(ctx: EmulatorContext, status: number, body?: unknown): void {
  ctx.status = status;
  if (body !== undefined) ctx.body = body;
}

export type { Conversation };
