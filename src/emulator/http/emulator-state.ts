import type { RouterContext } from "@koa/router";
import type { FaultPlan } from "./fault-plan.js";
import type { RateLimiter } from "./rate-limiter.js";
import type { Exchange, RequestLog } from "./request-log.js";
import type { Params } from "./params.js";
import type { Store } from "../model/store.js";
import type { Account } from "../model/types.js";
import type { WebhookDispatcher } from "../webhooks/webhook-dispatcher.js";
import type { WebhookEvent } from "../webhooks/webhook-event.js";

/** Per-request state set by the middleware chain. */
export interface EmulatorState {
  account: Account;
  /** The API key the request authenticated with; null with the account's auth token. */
  apiKeySid: string | null;
  form: Params;
  query: Params;
  /** Events produced by the request; fired after the response if webhooks are enabled. */
  events: WebhookEvent[];
}

export type EmulatorContext = RouterContext<EmulatorState>;

/** What the HTTP layer is built from; the TwilioEmulator owns these. */
export interface EmulatorDeps {
  store: Store;
  limits: RateLimiter;
  dispatcher: WebhookDispatcher;
  faults: FaultPlan;
  requests: RequestLog;
  emitExchange: (exchange: Exchange) => void;
}
