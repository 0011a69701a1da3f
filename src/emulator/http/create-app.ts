import Router from "@koa/router";
import Koa, { type Middleware } from "koa";
import bodyParser from "koa-bodyparser";
import { api2010Routes } from "../routes/api-2010-routes.js";
import { controlRoutes } from "../routes/control-routes.js";
import { conversationWithParticipantsRoutes } from "../routes/conversation-with-participants-routes.js";
import { conversationsRoutes } from "../routes/conversations-routes.js";
import { messagesRoutes } from "../routes/messages-routes.js";
import { mcsRoutes, mediaDirectRoutes } from "../routes/mcs-routes.js";
import { contentRoutes } from "../routes/content-routes.js";
import { participantConversationsRoutes } from "../routes/participant-conversations-routes.js";
import { participantsRoutes } from "../routes/participants-routes.js";
import { receiptsRoutes } from "../routes/receipts-routes.js";
import { servicesRoutes } from "../routes/services-routes.js";
import { usersRoutes } from "../routes/users-routes.js";
import { messageStatusControlRoutes } from "../routes/api-2010-status-control-routes.js";
import { sendGridApi } from "../sendgrid/sendgrid-api.js";
import { sendGridControlRoutes } from "../sendgrid/sendgrid-control-routes.js";
import type { TwilioEmulator } from "../twilio-emulator.js";
import { applyFaults } from "./apply-faults.js";
import { authenticate } from "./authenticate.js";
import type { EmulatorDeps, EmulatorState } from "./emulator-state.js";
import { fireWebhooks } from "./fire-webhooks.js";
import { handleErrors } from "./handle-errors.js";
import { Params } from "./params.js";
import { recordExchange } from "./record-exchange.js";

const CONTROL_PREFIX = "/__emulator";
const MCS_UPLOAD = /^\/v1\/Services\/[^/]+\/Media$/;

/** Runs `middleware` only for Twilio API paths (not the control endpoints). */
function twilioOnly(middleware: Middleware<EmulatorState>): Middleware<EmulatorState> {
  return (ctx, next) => (ctx.path.startsWith(CONTROL_PREFIX) ? next() : middleware(ctx, next));
}

/**
 * The emulator's Koa app: SendGrid's /v3 (own body parsing and errors), Twilio routes (logged,
 * faulted, authenticated) + control routes.
 */
export function createApp(deps: EmulatorDeps, emulator: TwilioEmulator): Koa<EmulatorState> {
  const app = new Koa<EmulatorState>();
  app.use(sendGridApi(emulator.sendgrid) as Middleware<EmulatorState>);
  // Twilio takes flat forms (`Filters=a&Filters=b`, `MessagingBinding.Address=…`): parsed once, into Params.
  // (co-body takes the form parser as `qs`, which koa-bodyparser's types omit.)
  const parseBody = bodyParser({ enableTypes: ["form", "json"], formLimit: "1mb", jsonLimit: "1mb", qs: { parse: Params.parse } } as bodyParser.Options);
  // An MCS upload is the file itself (whatever its type): its route reads the stream.
  app.use((ctx, next) => (ctx.method === "POST" && MCS_UPLOAD.test(ctx.path) ? next() : parseBody(ctx, next)));

  const control = new Router<EmulatorState>();
  controlRoutes(control, emulator);
  sendGridControlRoutes(control, emulator.sendgrid);
  messageStatusControlRoutes(control, emulator);
  app.use(handleErrors() as Middleware<EmulatorState>);
  app.use(control.routes() as Middleware<EmulatorState>);
  // MCS's direct links (media.us1.twilio.com) carry their own signature instead of credentials.
  const direct = new Router<EmulatorState>();
  mediaDirectRoutes(direct, deps);
  app.use(direct.routes() as Middleware<EmulatorState>);

  const api = new Router<EmulatorState>();
  for (const register of [
    servicesRoutes,
    usersRoutes,
    conversationsRoutes,
    conversationWithParticipantsRoutes,
    participantsRoutes,
    messagesRoutes,
    receiptsRoutes,
    participantConversationsRoutes,
    api2010Routes,
    mcsRoutes,
    contentRoutes,
  ]) {
    register(api, deps);
  }
  app.use(twilioOnly(recordExchange(deps) as Middleware<EmulatorState>));
  app.use(twilioOnly(handleErrors() as Middleware<EmulatorState>));
  app.use(twilioOnly(applyFaults(deps.faults) as Middleware<EmulatorState>));
  app.use(twilioOnly(authenticate(deps.store) as Middleware<EmulatorState>));
  app.use(twilioOnly(fireWebhooks(deps.dispatcher) as Middleware<EmulatorState>));
  app.use(twilioOnly(api.routes() as Middleware<EmulatorState>));
  return app;
}
