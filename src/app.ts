import { randomUUID } from "node:crypto";
import cors from "@koa/cors";
import Koa from "koa";
import bodyParser from "koa-bodyparser";
import type compress from "koa-compress";
import type { Logger } from "pino";
import { InboxCache } from "./cache/inbox-cache.js";
import { ResponseCache } from "./cache/response-cache.js";
import type { Config } from "./config.js";
import { AppError } from "./errors.js";
import { createTokenVerifier, type Principal, type TokenVerifier } from "./http/access-token.js";
import { errorHandler } from "./http/error-handler.js";
import { BROTLI_DYNAMIC_OPTIONS, COMPRESSION_THRESHOLD_BYTES, GZIP_OPTIONS } from "./http/content-encoding.js";
import { compressUnencoded } from "./http/compress-unencoded.js";
import { parseFlatForm } from "./http/flat-form.js";
import { securityHeaders } from "./http/security-headers.js";
import { loadContract, type Contract } from "./http/openapi-contract.js";
import { createOperationRouter } from "./http/operation-router.js";
import { chatHandlers } from "./http/routes/chat-routes.js";
import { orgInboxHandlers } from "./http/routes/org-inbox-routes.js";
import { businessHandlers } from "./http/routes/business-routes.js";
import { createAddressPolicy } from "./media/address-policy.js";
import { createRemoteMediaFetcher, type RemoteMediaFetchDeps } from "./media/remote-media-fetch.js";
import { businessContactHandlers } from "./http/routes/business-contacts-routes.js";
import { createContactBooks } from "./contacts/contact-book.js";
import { ImportJobs } from "./contacts/import-jobs.js";
import { isUserWrite, WritePacer } from "./contacts/write-pacer.js";
import { MetaVerification } from "./business/meta-verification.js";
import { startMessageCounters } from "./analytics/message-counters.js";
import { createBusinessMessageIndexes } from "./business/business-message-indexes.js";
import { smsHandlers } from "./http/routes/sms-routes.js";
import { RateLimits } from "./http/rate-limits.js";
import { addLiveGauges, createMetrics, recordUpstreamCall, requestRecorder, type Metrics } from "./metrics.js";
import { MessageIndexBudget } from "./inbox/message-index-budget.js";
import { feedMessageIndexes } from "./inbox/message-index-facts.js";
import { createSearchIndexes } from "./inbox/search-indexes.js";
import { createAuditLog, type AuditLog } from "./logger.js";
import { docsHandlers } from "./http/routes/docs-routes.js";
import { emulatorHandlers } from "./http/routes/emulator-routes.js";
import { inboxPageHandlers } from "./http/routes/inbox-page-routes.js";
import type { EmulatorMode } from "./dev/emulator-mode.js";
import { healthHandlers } from "./http/routes/health-routes.js";
import { createOperatorApp } from "./http/operator-app.js";
import { createReadinessCheck } from "./http/readiness.js";
import { phpCompatHandlers } from "./http/routes/php-compat-routes.js";
import { templateHandlers } from "./http/routes/template-routes.js";
import { TemplateCatalog } from "./templates/template-catalog.js";
import { DomainEvents } from "./inbox/domain-events.js";
import { createTenantInbox } from "./inbox/tenant-inbox.js";
import { InMemoryRecentActivity } from "./inbox/recent-activity.js";
import type { TenantConfig } from "./tenants/tenant-config.js";
import { TenantRegistry } from "./tenants/tenant-registry.js";
import { createTenantGateway, createTenantGateways, createTwilioClient } from "./twilio/tenant-gateways.js";
import { AccountsGateway } from "./twilio/accounts-gateway.js";
import { Accounts } from "./accounts/accounts-context.js";
import { LoginThrottle } from "./accounts/login-throttle.js";
import { createPrincipalCheck, createSessionCheck } from "./accounts/session-check.js";
import { accountHandlers } from "./http/routes/account-routes.js";
import { inMemoryKeyedLock } from "./inbox/keyed-lock.js";
import type { TenantInbox } from "./inbox/tenant-inbox.js";
import { CONVERSATION_WEBHOOK_FILTERS, CONVERSATION_WEBHOOK_PATH } from "./webhooks/register-webhooks.js";
import { MediaServiceClient } from "./twilio/media-service-client.js";
import type { UpstreamCallEvent } from "./twilio/upstream-request-client.js";
import { conversationWebhookHandler } from "./webhooks/conversation-webhook.js";
import { messagingStatusHandler } from "./webhooks/messaging-status-webhook.js";
import { twilioSignatureAuthenticator } from "./webhooks/twilio-signature-authenticator.js";
import { InMemoryWebhookDedupe } from "./webhooks/webhook-dedupe.js";
import type { ScaleOutDependencies } from "./scale-out/scale-out.js";
import { createEmailSender } from "./sendgrid/email-sender.js";
import { sendgridEventHandler } from "./webhooks/sendgrid-event-webhook.js";
import { sendgridSignatureAuthenticator } from "./webhooks/sendgrid-signature-authenticator.js";

export interface AppDependencies {
  logger: Logger;
  /** Overrides config.tenants (emulator mode provisions its tenant at boot). */
  tenants?: readonly TenantConfig[];
  /** Overrides config.twilioApiBaseUrl. */
  twilioApiBaseUrl?: string;
  /** Overrides config.sendgridApiBaseUrl. */
  sendgridApiBaseUrl?: string;
  /** Overrides config.publicBaseUrl (emulator mode and tests learn it once listening). */
  publicBaseUrl?: () => string | undefined;
  onUpstreamCall?: (tenantId: string, event: UpstreamCallEvent) => void;
  /** Shared limits when scaled out; default: in memory, from config. */
  rateLimits?: RateLimits;
  /** Where audit lines go (tests collect them); default: AUDIT_LOG_FILE or standard output. */
  audit?: AuditLog;
  /** With REDIS_URL (src/scale-out/): locks, webhook dedupe, rate limits and cache invalidation shared by every instance. */
  scaleOut?: ScaleOutDependencies;
  /** Emulator mode (main.ts, without Twilio credentials): the development sign-in and simulated customer messages. */
  emulatorMode?: EmulatorMode;
  /** The contact imports' pacing per tenant (benchmarks and tests count or speed it); default: CONTACT_IMPORT_WRITES_PER_SECOND. */
  contactImportPacer?: (tenantId: string) => WritePacer;
  /** The business API's media fetch: tests answer DNS and trust their own CA (default: the system's). */
  mediaFetch?: RemoteMediaFetchDeps;
  /** Where the built inbox page is (default: dist/web/, written by `npm run build`). */
  webBundleDir?: string;
}

export interface SwitchboardApp {
  koa: Koa;
  callback: ReturnType<Koa["callback"]>;
  /** The operators' endpoints (/metrics, detailed /readyz): main.ts serves them on METRICS_PORT, never on the public port. */
  operatorCallback: ReturnType<Koa["callback"]>;
  contract: Contract;
  tenants: TenantRegistry;
  cache: InboxCache;
  events: DomainEvents;
  verifyToken: TokenVerifier;
  /** Sign-up, sign-in, users and settings; main.ts starts it (directory service, tenant discovery) before serving. */
  accounts: Accounts;
  /**
   * After `verifyToken`, for connections that can wait for it (sockets): ends revoked sessions of this gateway's
   * tokens, applies the user's current role and serves tenants created at sign-up on another instance.
   */
  checkPrincipal: (principal: Principal) => Promise<Principal>;
  metrics: Metrics;
  /** Kept current by the Socket.IO layer, read by the metrics. */
  realtimeStats: { sockets: number };
  /** For the Socket.IO layer (REALTIME_CONVERSATION_UPDATE_MS). */
  conversationUpdateIntervalMs: number;
  /** For the Socket.IO layer (REALTIME_FEED_BATCH_MS). */
  feedBatchMs: number;
  /** The limits REST uses, for the Socket.IO layer's per-user event limit (shared through Redis when scaled out). */
  rateLimits: RateLimits;
  /** The audit trail: REST answers holding messages (the router) and the live feeds sockets open (the realtime layer). */
  audit: AuditLog;
}

/** The label of the platform account's directory and tenant calls in metrics and upstream-call counts. */
export const ACCOUNTS_UPSTREAM_LABEL = "@accounts";

/** The largest contact CSV an import reads (a 20,000-row export is about 2 MB). */
const CONTACT_IMPORT_MAX_BYTES = 10 * 1024 * 1024;

/** One pacer per tenant (Twilio's limit is per service), made on first use. */
function paced(make: (tenantId: string) => WritePacer, override?: (tenantId: string) => WritePacer): (tenantId: string) => WritePacer {
  if (override) return override;
  const pacers = new Map<string, WritePacer>();
  return (tenantId) => {
    let pacer = pacers.get(tenantId);
    if (!pacer) pacers.set(tenantId, (pacer = make(tenantId)));
    return pacer;
  };
}

/** How long a processed webhook is remembered for deduplication (Twilio retries within minutes). */
const WEBHOOK_DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;

/** Dynamic answers (errors, docs, uncached JSON): brotli at koa-compress's quality 4, gzip; not deflate or zstd. */
const compressionOptions = { threshold: COMPRESSION_THRESHOLD_BYTES, br: BROTLI_DYNAMIC_OPTIONS, gzip: GZIP_OPTIONS, deflate: false, zstd: false } as compress.CompressOptions;

/** Wires the layers; never listens (main.ts and the tests do). */
export function createApp(config: Config, deps: AppDependencies): SwitchboardApp {
  const tenantConfigs = deps.tenants ?? config.tenants;
  const contract = loadContract();
  const cache = new InboxCache(config.cache);
  const metrics = createMetrics();
  const importPacers = paced(() => new WritePacer(config.contactImportWritesPerSecond), deps.contactImportPacer);
  const onUpstreamCall = (tenantId: string, event: UpstreamCallEvent) => {
    recordUpstreamCall(metrics, tenantId, event);
    // Twilio refused a User write of the tenant's service: its contact imports start no row until it allows again.
    if (event.status === 429 && isUserWrite(event)) importPacers(tenantId).holdFor(event.retryAfterMs ?? 1000);
    deps.onUpstreamCall?.(tenantId, event);
  };
  const twilioSettings = { upstream: config.upstream, twilioApiBaseUrl: deps.twilioApiBaseUrl ?? config.twilioApiBaseUrl };
  const gateways = createTenantGateways(twilioSettings, tenantConfigs, onUpstreamCall);
  const recentActivity = deps.scaleOut?.recentActivity(config.conversationIndexLimit) ?? new InMemoryRecentActivity(config.conversationIndexLimit);
  // Builds a tenant's inbox; given the one serving it now (new settings of a tenant created at sign-up), keeps its
  // gateway, conversation directory and lock.
  const buildInbox = (tenant: TenantConfig, previous?: TenantInbox): TenantInbox => {
    const emailSender = tenant.sendgrid
      ? createEmailSender({
          apiKey: tenant.sendgrid.apiKey,
          baseUrl: deps.sendgridApiBaseUrl ?? config.sendgridApiBaseUrl,
          timeoutMs: config.upstream.timeoutMs,
        })
      : undefined;
    if (previous) return { ...previous, tenant, emailSender };
    const gateway =
      gateways.get(tenant.id) ??
      createTenantGateway({ upstream: config.upstream, twilioApiBaseUrl: deps.twilioApiBaseUrl ?? config.twilioApiBaseUrl }, tenant, onUpstreamCall);
    return createTenantInbox(
      tenant,
      gateway,
      cache,
      {
        indexLimit: config.conversationIndexLimit,
        concurrency: config.upstream.concurrencyPerTenant,
        conversationLock: deps.scaleOut?.conversationLock(tenant.id),
        recentActivity,
        media: new MediaServiceClient(tenant, {
          baseUrl: deps.twilioApiBaseUrl ?? config.twilioApiBaseUrl,
          timeoutMs: config.upstream.timeoutMs,
          onCall: (event) => onUpstreamCall(tenant.id, event),
        }),
      },
      emailSender,
    );
  };
  const tenants = new TenantRegistry(tenantConfigs.map((tenant) => buildInbox(tenant)));
  const events = new DomainEvents();
  const localDedupe = deps.scaleOut ? undefined : new InMemoryWebhookDedupe({ maxKeys: config.webhookDedupeMaxKeys, ttlMs: WEBHOOK_DEDUPE_TTL_MS });
  const dedupe = deps.scaleOut?.dedupe ?? localDedupe!;
  const verifyToken = createTokenVerifier(config.jwt, config.accounts.sessionTokenSecret);
  // Sign-up, sign-in, users, settings: kept in the platform tenant's Twilio account (src/accounts/, src/tenants/).
  const platform = tenantConfigs.find((tenant) => tenant.id === config.accounts.platformTenantId);
  const accounts = new Accounts({
    settings: config.accounts,
    production: config.environment === "production",
    platform,
    gateway: platform
      ? new AccountsGateway(createTwilioClient(twilioSettings, platform, (event) => onUpstreamCall(ACCOUNTS_UPSTREAM_LABEL, event)).client, platform.accountSid)
      : undefined,
    registry: tenants,
    cache,
    lock: deps.scaleOut?.conversationLock(ACCOUNTS_UPSTREAM_LABEL) ?? inMemoryKeyedLock(),
    throttle: deps.scaleOut?.loginThrottle ?? LoginThrottle.inMemory(config.accounts.login),
    buildInbox,
    onTenantCreated: async (inbox) => {
      const base = deps.publicBaseUrl?.() ?? config.publicBaseUrl;
      if (base) await inbox.gateway.configurePostEventWebhook(`${base}${CONVERSATION_WEBHOOK_PATH}`, CONVERSATION_WEBHOOK_FILTERS);
    },
    logger: deps.logger,
  });
  const checkPrincipal = createSessionCheck(accounts, tenants);
  const checkPrincipalNow = createPrincipalCheck(accounts, tenants);
  // One bound over every tenant's message indexes (search, business API): the least recently used tenant's go first.
  const indexBudget = new MessageIndexBudget(config.messageIndexesMaxMessages);
  const searchIndexes = createSearchIndexes(tenants, {
    maxMessages: config.searchIndexMaxMessages,
    concurrency: config.upstream.concurrencyPerTenant,
  }, indexBudget);
  const searchIndex = (tenantId: string) => searchIndexes.get(tenantId);
  deps.scaleOut?.cacheBus.attach(cache);
  // The base of the URL Twilio calls, for signature checks (unset: the request's own, see src/webhooks/webhook-url.ts).
  const publicBaseUrl = () => deps.publicBaseUrl?.() ?? config.publicBaseUrl;
  const limit = String(config.bodyLimitBytes);
  // Twilio's form keys contain dots (`MessagingBinding.Address`): keep them flat, as Twilio signed them. co-body
  // takes the form parser as `qs` (which koa-bodyparser's types omit): Node's URLSearchParams, not the qs package.
  const parserOptions = { enableTypes: ["json", "form"], jsonLimit: limit, formLimit: limit, strict: true, qs: { parse: parseFlatForm } };
  const pathPrefixRewrites = { "/twilio": config.phpCompatBasePath };
  // Tenants created at sign-up live in the platform tenant's account, which is checked already: one call, not one each.
  const readiness = createReadinessCheck(tenants, { skip: (tenantId) => accounts.isDynamicTenant(tenantId) });
  const rateLimits = deps.rateLimits ?? deps.scaleOut?.rateLimits ?? RateLimits.inMemory(config.rateLimits);
  const audit = deps.audit ?? createAuditLog(config.auditLogFile);
  const templates = new TemplateCatalog(config.templateCacheTtlMs);
  // The business API's cross-conversation message list (src/business/), bounded like the search index.
  const contactBook = createContactBooks(deps.scaleOut?.cacheBus);
  // The analytics counters, kept in Twilio (conversation attributes) as messages and receipts arrive.
  startMessageCounters(tenants, events, deps.logger);
  const businessMessages = createBusinessMessageIndexes(tenants, {
    maxMessages: config.searchIndexMaxMessages,
    concurrency: config.upstream.concurrencyPerTenant,
  }, indexBudget);
  // Both message indexes hear every instance's webhooks (the cache bus carries them when scaled out).
  feedMessageIndexes(events, [searchIndexes, businessMessages], deps.scaleOut?.cacheBus);
  const sms = smsHandlers({ tenants, dedupe, config });
  const metaVerification = new MetaVerification(accounts, tenants, config.accounts.secretReference);
  const router = createOperationRouter(
    contract,
    {
      ...healthHandlers(readiness),
      ...docsHandlers(contract, pathPrefixRewrites),
      ...inboxPageHandlers(deps.webBundleDir),
      ...emulatorHandlers(tenants, config.jwt, deps.emulatorMode),
      ...chatHandlers(tenants, new ResponseCache({ maxBytes: Math.max(1024 * 1024, Math.floor(config.cache.maxBytes / 8)), ttlMs: config.cache.ttlMs }), {
        uploadIdleTimeoutMs: config.mediaUploadIdleTimeoutMs,
        templates,
      }),
      ...templateHandlers(tenants, templates),
      ...phpCompatHandlers(tenants),
      receiveConversationWebhook: conversationWebhookHandler({ events, dedupe, metrics }),
      receiveSmsStatus: messagingStatusHandler("SMS", { events, dedupe }),
      receiveWhatsappStatus: messagingStatusHandler("WhatsApp", { events, dedupe }),
      receiveEmailEvents: sendgridEventHandler({ events, dedupe }),
      ...sms,
      // The business API's webhook: the tenant's signed Twilio inbound, handled as the inbound SMS webhook is.
      receiveBusinessWebhook: sms.receiveInboundSms!,
      verifyBusinessWebhook: async (request) => ({ body: await metaVerification.verify(request.query as never), type: "text/plain" }),
      ...accountHandlers({ accounts, tenants, verifyToken, checkPrincipal }),
      ...orgInboxHandlers({ tenants, searchIndex }),
      ...businessHandlers({
        tenants,
        accounts,
        messageIndex: (tenantId) => businessMessages.get(tenantId),
        templates,
        mediaFetcher: createRemoteMediaFetcher({ ...config.mediaFetch, policy: createAddressPolicy(config.mediaFetch.allowedPrivateAddresses) }, deps.mediaFetch),
        contactOf: (inbox) => async (phone) => contactBook(inbox).findByPhone(phone),
      }),
      ...businessContactHandlers({
        tenants,
        contactBook,
        imports: new ImportJobs(importPacers, deps.scaleOut?.importJobs),
        uploads: { maxBytes: CONTACT_IMPORT_MAX_BYTES, maxRows: config.contactImportMaxRows, idleTimeoutMs: config.mediaUploadIdleTimeoutMs },
      }),
    },
    {
      verifyToken,
      webhookAuthenticators: {
        twilioSignature: twilioSignatureAuthenticator(tenants, publicBaseUrl),
        sendgridSignature: sendgridSignatureAuthenticator(tenants),
      },
      pathPrefixRewrites,
      rateLimits,
      bodyParser: bodyParser(parserOptions),
      audit,
      checkPrincipal: checkPrincipalNow,
    },
  );

  const realtimeStats = { sockets: 0 };
  addLiveGauges(metrics, {
    cache: () => cache.stats(),
    sockets: () => realtimeStats.sockets,
    circuits: () => Object.fromEntries(tenants.all().map((inbox) => [inbox.tenant.id, inbox.gateway.circuitState()])),
    ...(localDedupe ? { dedupeKeys: () => localDedupe.size } : {}),
    searchIndexMessages: () => searchIndexes.documents(),
  });

  const koa = new Koa({ proxy: config.trustProxy });
  const recordRequest = requestRecorder(metrics);
  koa.use(async (ctx, next) => {
    ctx.state.requestId = randomUUID();
    ctx.set("X-Request-Id", ctx.state.requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const route = typeof ctx._matchedRoute === "string" ? ctx._matchedRoute : "unmatched";
      recordRequest(ctx.method, route, ctx.status, seconds);
      // One structured line per request; no headers or bodies (tokens and customer data stay out of logs).
      deps.logger.info({ requestId: ctx.state.requestId, method: ctx.method, route, status: ctx.status, ms: Math.round(seconds * 10000) / 10 }, "request");
    }
  });
  koa.use(securityHeaders());
  // brotli or gzip by Accept-Encoding for what the handlers did not compress already (cached pages come compressed,
  // the inbox page's hashed assets gzipped at boot: both carry Content-Encoding, which koa-compress leaves alone).
  koa.use(compressUnencoded(compressionOptions));
  koa.use(errorHandler(deps.logger, { detailedErrors: config.environment !== "production" }));
  if (config.corsOrigins.length > 0) {
    const allowed = new Set(config.corsOrigins);
    koa.use(
      cors({
        origin: (ctx) => (allowed.has("*") ? "*" : allowed.has(ctx.get("origin")) ? ctx.get("origin") : ""),
        allowHeaders: ["Authorization", "Content-Type", "X-Tenant-Id", "Idempotency-Key"],
        exposeHeaders: ["Link", "Retry-After", "X-Request-Id"],
        maxAge: 600,
      }),
    );
  }
  koa.use(router.routes());
  koa.use((ctx) => {
    throw new AppError("not_found", `no route for ${ctx.method} ${ctx.path}`);
  });
  return {
    koa,
    callback: koa.callback(),
    operatorCallback: createOperatorApp({ metrics, readiness, logger: deps.logger }).callback(),
    contract,
    tenants,
    cache,
    events,
    verifyToken,
    accounts,
    checkPrincipal,
    metrics,
    realtimeStats,
    conversationUpdateIntervalMs: config.conversationUpdateIntervalMs,
    feedBatchMs: config.feedBatchMs,
    rateLimits,
    audit,
  };
}
