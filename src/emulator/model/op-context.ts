import type { RateLimiter } from "../http/rate-limiter.js";
import type { EventSink, EventSource } from "../webhooks/webhook-event.js";
import type { Store } from "./store.js";

/** What every state-changing operation needs: the state, the rate limits and where events go. */
export interface OpContext {
  store: Store;
  limits: RateLimiter;
  sink: EventSink;
  source: EventSource;
  /**
   * Where events go that Twilio fires later on its own (a delivery failing), whether or not the request asked for
   * webhooks with X-Twilio-Webhook-Enabled; `sink` when absent.
   */
  laterSink?: EventSink;
}
