import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "./http/create-app.js";
import type { EmulatorDeps } from "./http/emulator-state.js";
import { FaultPlan, type FaultPlanInput } from "./http/fault-plan.js";
import { RateLimiter } from "./http/rate-limiter.js";
import { RequestLog, type Exchange } from "./http/request-log.js";
import { applyDelivery } from "./model/delivery.js";
import type { OpContext } from "./model/op-context.js";
import { simulateInbound, type InboundMedia, type InboundResult } from "./model/simulate-inbound.js";
import { Store } from "./model/store.js";
import { newSid } from "./sid.js";
import { findContent, setApprovalStatus } from "./model/content-ops.js";
import type { ReceiptStatus } from "./model/types.js";
import { channelOf } from "./model/validate-address.js";
import {
  applyMessageStatus,
  checkStatusCallback,
  messageStatusParams,
  postStatusCallback,
  statusCallbackOf,
  type MessageCallbackStatus,
} from "./routes/api-2010-status-callback.js";
import { SendGridEmulator } from "./sendgrid/sendgrid-emulator.js";
import { TwilioError, invalidParameter } from "./twilio-error.js";
import { WebhookDispatcher } from "./webhooks/webhook-dispatcher.js";
import type { WebhookEvent } from "./webhooks/webhook-event.js";
import { WebhookLog, type WebhookDelivery } from "./webhooks/webhook-log.js";

export interface EmulatorOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** Enforce Twilio's 30/s conversation write and create limits (default true). */
  rateLimits?: boolean;
  /** Retries after a failed webhook delivery (default 2). */
  webhookRetries?: number;
  /** Webhook request timeout (default 5000, like Twilio's). */
  webhookTimeoutMs?: number;
}

/** A stateful stand-in for Twilio Conversations v1 + Api 2010 Messages, firing signed webhooks. */
export class TwilioEmulator {
  readonly requests = new RequestLog();
  readonly webhooks = new WebhookLog();
  /** SendGrid v3 Mail Send + Signed Event Webhook, served on the same base URL. */
  readonly sendgrid: SendGridEmulator;
  private readonly store = new Store();
  private readonly faults = new FaultPlan();
  private readonly limits: RateLimiter;
  private readonly dispatcher: WebhookDispatcher;
  private readonly listeners = new Set<(exchange: Exchange) => void>();
  private server: Server | undefined;
  private url = "";

  private constructor(options: EmulatorOptions) {
    this.limits = new RateLimiter(options.rateLimits ?? true);
    this.dispatcher = new WebhookDispatcher(this.store, this.webhooks, {
      retries: options.webhookRetries ?? 2,
      timeoutMs: options.webhookTimeoutMs ?? 5000,
    });
    this.sendgrid = new SendGridEmulator({ timeoutMs: options.webhookTimeoutMs ?? 5000 });
  }

  /** Starts an emulator listening on `host:port`. */
  static async start(options: EmulatorOptions = {}): Promise<TwilioEmulator> {
    const emulator = new TwilioEmulator(options);
    const deps: EmulatorDeps = {
      store: emulator.store,
      limits: emulator.limits,
      dispatcher: emulator.dispatcher,
      faults: emulator.faults,
      requests: emulator.requests,
      emitExchange: (exchange) => emulator.listeners.forEach((listener) => listener(exchange)),
    };
    const app = createApp(deps, emulator);
    const server = createServer(app.callback());
    const host = options.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    emulator.server = server;
    const { port } = server.address() as AddressInfo;
    emulator.url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    return emulator;
  }

  /** "http://127.0.0.1:PORT": point the SDK's conversations/api hosts here. */
  get baseUrl(): string {
    return this.url;
  }

  createAccount(input: { friendlyName?: string; authToken?: string; balance?: string } = {}): {
    accountSid: string;
    authToken: string;
    defaultServiceSid: string;
  } {
    const account = this.store.createAccount(input);
    return { accountSid: account.sid, authToken: account.authToken, defaultServiceSid: account.defaultServiceSid };
  }

  createService(accountSid: string, friendlyName: string): { serviceSid: string } {
    this.account(accountSid);
    return { serviceSid: this.store.createService(accountSid, friendlyName).sid };
  }

  /** A Standard API key of the account, as `POST …/Keys.json` creates it: its SID and secret authenticate as the account. */
  createApiKey(accountSid: string, friendlyName?: string): { sid: string; secret: string } {
    const key = this.store.createApiKey(this.account(accountSid).sid, friendlyName);
    return { sid: key.sid, secret: key.secret };
  }

  configureWebhooks(
    accountSid: string,
    serviceSid: string,
    config: { postWebhookUrl: string; filters?: string[]; method?: "POST" },
  ): void {
    const service = this.store.service(accountSid, serviceSid, serviceSid);
    service.webhooks.postWebhookUrl = config.postWebhookUrl;
    service.webhooks.filters = config.filters ?? [
      "onConversationAdded", "onConversationUpdated", "onConversationRemoved",
      "onConversationStateUpdated", "onMessageAdded", "onMessageUpdated", "onMessageRemoved",
      "onParticipantAdded", "onParticipantUpdated", "onParticipantRemoved", "onDeliveryUpdated",
    ];
    service.webhooks.method = config.method ?? "POST";
  }

  /** An inbound SMS/WhatsApp message; fires onConversationAdded/onParticipantAdded as needed, then onMessageAdded. */
  async simulateInboundMessage(input: {
    accountSid: string;
    serviceSid?: string;
    from: string;
    to: string;
    body: string;
    /** Files the customer sent (each an MCS Media resource, downloadable like Twilio's). */
    media?: InboundMedia[];
    mediaUrls?: string[];
    /** When the customer sent it (default now). */
    dateCreated?: Date;
  }): Promise<InboundResult> {
    const account = this.account(input.accountSid);
    const service = this.store.service(account.sid, input.serviceSid ?? account.defaultServiceSid, "Service");
    return this.withEvents((op) => simulateInbound(op, service, input));
  }

  /**
   * Moves the receipts of every non-chat recipient to `status`; fires onDeliveryUpdated. Returns
   * the receipts, each with the SM sid of its channel message (`channelMessageSid`).
   */
  async simulateDelivery(input: {
    accountSid: string;
    conversationSid: string;
    messageSid: string;
    status: ReceiptStatus;
    errorCode?: number;
  }): Promise<Array<{ deliveryReceiptSid: string; participantSid: string; channelMessageSid: string }>> {
    this.account(input.accountSid);
    const conversation = this.store.conversations.get(input.conversationSid);
    if (!conversation || conversation.accountSid !== input.accountSid) {
      throw new TwilioError(404, 20404, `Conversation ${input.conversationSid} not found`);
    }
    const message = this.store.message(conversation, input.messageSid, input.messageSid);
    const recipient = this.store.participants.get(message.recipientSids[0] ?? "");
    const address = recipient?.messagingBinding?.address ?? "";
    const receipts = this.withEvents((op) => applyDelivery(op, message, input.status, input.errorCode ?? 0), address && channelOf(address) === "whatsapp" ? "WHATSAPP" : "SMS");
    return receipts.map((r) => ({ deliveryReceiptSid: r.sid, participantSid: r.participantSid, channelMessageSid: r.channelMessageSid }));
  }

  /**
   * Posts a messaging status callback for an Api 2010 message: to the StatusCallback it was created
   * with, or to `url` (then `from`/`to` describe a message the emulator did not create, e.g. the
   * channel message of a Conversations delivery receipt). Updates a stored message's status.
   */
  async simulateMessageStatus(input: {
    accountSid: string;
    messageSid: string;
    status: MessageCallbackStatus;
    errorCode?: number;
    url?: string;
    from?: string;
    to?: string;
    messagingServiceSid?: string;
  }): Promise<WebhookDelivery> {
    const account = this.account(input.accountSid);
    const stored = this.store.apiMessages.get(input.messageSid);
    const message = stored?.accountSid === account.sid ? stored : undefined;
    if (!message && !input.url) throw new TwilioError(404, 20404, `Message ${input.messageSid} not found`);
    if (!/^(SM|MM)[0-9a-f]{32}$/.test(input.messageSid)) throw invalidParameter(`Invalid MessageSid: ${input.messageSid}`);
    const url = input.url ?? (message && statusCallbackOf(message));
    if (!url) throw invalidParameter(`Message ${input.messageSid} has no StatusCallback; pass url`);
    checkStatusCallback(url);
    const to = input.to ?? message?.to;
    const from = input.from ?? message?.from ?? null;
    if (!to || (!message && !from)) throw invalidParameter("from and to are required for a message the emulator did not create");
    if (message) applyMessageStatus(message, input.status, input.errorCode);
    const params = messageStatusParams({
      accountSid: account.sid,
      messageSid: input.messageSid,
      status: input.status,
      ...(input.errorCode !== undefined ? { errorCode: input.errorCode } : {}),
      from,
      to,
      messagingServiceSid: input.messagingServiceSid ?? message?.messagingServiceSid ?? null,
    });
    const target = { url, authToken: account.authToken, timeoutMs: this.dispatcher.options.timeoutMs };
    return postStatusCallback(target, params, this.webhooks);
  }

  /**
   * WhatsApp's verdict on a Content template (on Twilio it comes from Meta): `approved`, `rejected` (with a reason),
   * or a later `paused` / `disabled`.
   */
  setContentApproval(input: { accountSid: string; contentSid: string; status: string; rejectionReason?: string }): void {
    const account = this.account(input.accountSid);
    setApprovalStatus(findContent(this.store, account.sid, input.contentSid), input.status, input.rejectionReason);
  }

  /**
   * Stores a file of an inbound messaging message (MMS / WhatsApp to a number whose webhook is the gateway's): the
   * `MediaUrl` to put in the webhook (`https://api.twilio.com/2010-04-01/Accounts/{AC}/Messages/{MM}/Media/{ME}`).
   */
  storeMessagingMedia(input: { accountSid: string; messageSid: string; contentType: string; bytes: Buffer }): { mediaSid: string; mediaUrl: string } {
    const account = this.account(input.accountSid);
    const sid = newSid("ME");
    this.store.messagingMedia.set(sid, { sid, accountSid: account.sid, messageSid: input.messageSid, contentType: input.contentType, bytes: input.bytes });
    return { mediaSid: sid, mediaUrl: `https://api.twilio.com/2010-04-01/Accounts/${account.sid}/Messages/${input.messageSid}/Media/${sid}` };
  }

  /** Latency for every REST call and scripted failures for the next matching ones. */
  setFaultPlan(plan: FaultPlanInput): void {
    this.faults.set(plan);
  }

  /** Called with every REST exchange (for spec-fidelity checks); returns an unsubscribe. */
  onExchange(listener: (exchange: Exchange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when no webhook delivery is queued or in flight. */
  whenIdle(): Promise<void> {
    return this.dispatcher.whenIdle();
  }

  async stop(): Promise<void> {
    await this.whenIdle();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private account(accountSid: string) {
    const account = this.store.accounts.get(accountSid);
    if (!account) throw new TwilioError(404, 20404, `Account ${accountSid} not found`);
    return account;
  }

  /** Runs a simulation with webhooks always on and no rate limits. */
  private withEvents<T>(run: (op: OpContext) => T, source: OpContext["source"] = "SMS"): T {
    const events: WebhookEvent[] = [];
    const op: OpContext = {
      store: this.store,
      limits: new RateLimiter(false),
      source,
      sink: (event) => events.push(event),
    };
    const result = run(op);
    this.dispatcher.enqueue(events);
    return result;
  }
}

export type { Exchange } from "./http/request-log.js";
export type { WebhookDelivery } from "./webhooks/webhook-log.js";
export type { RequestLog } from "./http/request-log.js";
export type { WebhookLog } from "./webhooks/webhook-log.js";
