import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import { sessionSecret } from "./accounts/session-tokens.js";
import { ConfigError } from "./config-error.js";
import { parseCidr } from "./media/address-policy.js";
import { normaliseWhatsappNumber, parseTenantsFile, type TenantConfig } from "./tenants/tenant-config.js";

export { ConfigError };

/** The development JWT secret; accepted only outside production, and announced when used. */
export const DEVELOPMENT_JWT_SECRET = "switchboard-development-secret-do-not-use-in-production";

/** Environment variables Switchboard reads: name → JSON schema (all values arrive as strings). */
const ENV_SCHEMA = {
  type: "object",
  properties: {
    NODE_ENV: { enum: ["development", "production", "test"], default: "development" },
    PORT: { type: "integer", minimum: 0, maximum: 65535, default: 3000 },
    HOST: { type: "string", minLength: 1, default: "0.0.0.0" },
    METRICS_PORT: { type: "integer", minimum: 0, maximum: 65535, default: 9464 },
    METRICS_HOST: { type: "string", minLength: 1, default: "127.0.0.1" },
    REQUEST_TIMEOUT_MS: { type: "integer", minimum: 100, maximum: 3600000, default: 30000 },
    HEADERS_TIMEOUT_MS: { type: "integer", minimum: 100, maximum: 3600000, default: 10000 },
    KEEP_ALIVE_TIMEOUT_MS: { type: "integer", minimum: 0, maximum: 3600000, default: 5000 },
    PUBLIC_BASE_URL: { type: "string", format: "uri", pattern: "^https?://" },
    LOG_LEVEL: { enum: ["fatal", "error", "warn", "info", "debug", "trace", "silent"], default: "info" },
    TWILIO_ACCOUNT_SID: { type: "string", pattern: "^AC[0-9a-fA-F]{32}$" },
    TWILIO_AUTH_TOKEN: { type: "string", minLength: 32 },
    TWILIO_API_KEY: { type: "string", pattern: "^SK[0-9a-fA-F]{32}$" },
    TWILIO_API_SECRET: { type: "string", minLength: 1 },
    TWILIO_CHAT_SERVICE_SID: { type: "string", pattern: "^IS[0-9a-fA-F]{32}$" },
    TWILIO_PHONE_NUMBER: { type: "string", pattern: "^\\+[1-9]\\d{1,14}$" },
    TWILIO_WHATSAPP_NUMBER: { type: "string", pattern: "^(whatsapp:)?\\+[1-9]\\d{1,14}$" },
    TWILIO_API_BASE_URL: { type: "string", format: "uri", pattern: "^https?://" },
    SENDGRID_API_KEY: { type: "string", minLength: 1 },
    SENDGRID_FROM_EMAIL: { type: "string", format: "email" },
    SENDGRID_FROM_NAME: { type: "string", minLength: 1 },
    SENDGRID_WEBHOOK_PUBLIC_KEY: { type: "string", minLength: 1 },
    SENDGRID_API_BASE_URL: { type: "string", format: "uri", pattern: "^https?://" },
    JWT_SECRET: { type: "string", minLength: 32 },
    JWT_PUBLIC_KEY: { type: "string", minLength: 1 },
    JWT_ISSUER: { type: "string", minLength: 1 },
    JWT_AUDIENCE: { type: "string", minLength: 1 },
    JWT_MAX_LIFETIME_SECONDS: { type: "integer", minimum: 0, default: 24 * 60 * 60 },
    TENANTS_FILE: { type: "string", minLength: 1 },
    REGISTRATION_ENABLED: { type: "boolean" },
    ACCOUNTS_PLATFORM_TENANT: { type: "string", pattern: "^[a-z0-9][a-z0-9_-]{0,62}$" },
    ACCOUNTS_DIRECTORY_SERVICE_SID: { type: "string", pattern: "^IS[0-9a-fA-F]{32}$" },
    SESSION_TOKEN_SECRET: { type: "string", minLength: 32 },
    ACCESS_TOKEN_TTL_SECONDS: { type: "integer", minimum: 60, maximum: 86400, default: 900 },
    REFRESH_TOKEN_TTL_SECONDS: { type: "integer", minimum: 300, maximum: 31536000, default: 30 * 24 * 60 * 60 },
    SESSION_CHECK_CACHE_MS: { type: "integer", minimum: 0, maximum: 300000, default: 5000 },
    PASSWORD_SCRYPT_COST: { type: "integer", minimum: 10, maximum: 20, default: 17 },
    INVITE_TTL_SECONDS: { type: "integer", minimum: 300, maximum: 2592000, default: 7 * 24 * 60 * 60 },
    LOGIN_MAX_FAILURES_PER_ACCOUNT: { type: "integer", minimum: 1, default: 10 },
    LOGIN_MAX_ATTEMPTS_PER_IP: { type: "integer", minimum: 1, default: 100 },
    LOGIN_WINDOW_SECONDS: { type: "integer", minimum: 1, default: 900 },
    TENANT_DISCOVERY_INTERVAL_MS: { type: "integer", minimum: 0, default: 60000 },
    DEFAULT_TENANT_ID: { type: "string", pattern: "^[a-z0-9][a-z0-9_-]{0,62}$", default: "default" },
    CACHE_MAX_ENTRIES: { type: "integer", minimum: 1, default: 50000 },
    CACHE_MAX_BYTES: { type: "integer", minimum: 1024, default: 128 * 1024 * 1024 },
    CACHE_TTL_MS: { type: "integer", minimum: 1, default: 10 * 60 * 1000 },
    CONVERSATION_INDEX_LIMIT: { type: "integer", minimum: 1, maximum: 100000, default: 5000 },
    UPSTREAM_TIMEOUT_MS: { type: "integer", minimum: 100, default: 10000 },
    UPSTREAM_MAX_RETRIES: { type: "integer", minimum: 0, maximum: 10, default: 3 },
    UPSTREAM_RETRY_BASE_MS: { type: "integer", minimum: 1, default: 200 },
    UPSTREAM_MAX_RETRY_DELAY_MS: { type: "integer", minimum: 1, default: 5000 },
    UPSTREAM_CONCURRENCY: { type: "integer", minimum: 1, maximum: 1000, default: 16 },
    UPSTREAM_MAX_IN_FLIGHT: { type: "integer", minimum: 1, maximum: 10000, default: 64 },
    UPSTREAM_CONVERSATION_WRITES_PER_SECOND: { type: "integer", minimum: 1, maximum: 30, default: 25 },
    UPSTREAM_BREAKER_RESET_MS: { type: "integer", minimum: 100, default: 5000 },
    UPSTREAM_BREAKER_MIN_CALLS: { type: "integer", minimum: 1, default: 20 },
    CORS_ORIGINS: { type: "string", pattern: "^(\\*|https?://[^,\\s]+(,https?://[^,\\s]+)*)$" },
    PHP_COMPAT_BASE_PATH: { type: "string", pattern: "^/[A-Za-z0-9/_-]*$", default: "/twilio" },
    SMS_ACKNOWLEDGEMENT: { type: "string", minLength: 1, maxLength: 1600 },
    TRUST_PROXY: { type: "boolean", default: false },
    RATE_LIMIT_PER_USER_PER_MINUTE: { type: "integer", minimum: 0, default: 1200 },
    RATE_LIMIT_PER_IP_PER_MINUTE: { type: "integer", minimum: 0, default: 3000 },
    RATE_LIMIT_SOCKET_EVENTS_PER_USER_PER_MINUTE: { type: "integer", minimum: 0, default: 600 },
    AUDIT_LOG_FILE: { type: "string", minLength: 1 },
    SEARCH_INDEX_MAX_MESSAGES: { type: "integer", minimum: 1, default: 200000 },
    MESSAGE_INDEXES_MAX_MESSAGES: { type: "integer", minimum: 1, default: 500000 },
    CONTACT_IMPORT_WRITES_PER_SECOND: { type: "number", exclusiveMinimum: 0, maximum: 10000, default: 25 },
    CONTACT_IMPORT_MAX_ROWS: { type: "integer", minimum: 1, maximum: 100000, default: 20000 },
    MEDIA_UPLOAD_IDLE_TIMEOUT_MS: { type: "integer", minimum: 100, default: 30000 },
    MEDIA_FETCH_CONNECT_TIMEOUT_MS: { type: "integer", minimum: 100, maximum: 60000, default: 5000 },
    MEDIA_FETCH_TIMEOUT_MS: { type: "integer", minimum: 100, maximum: 600000, default: 30000 },
    MEDIA_FETCH_ALLOWED_PORTS: { type: "string", pattern: "^\\d{1,5}(,\\d{1,5})*$" },
    MEDIA_FETCH_ALLOWED_PRIVATE_ADDRESSES: { type: "string", minLength: 1 },
    TEMPLATE_CACHE_TTL_MS: { type: "integer", minimum: 0, default: 60000 },
    WEBHOOK_DEDUPE_MAX_KEYS: { type: "integer", minimum: 1, default: 200000 },
    REALTIME_CONVERSATION_UPDATE_MS: { type: "integer", minimum: 0, maximum: 10000, default: 250 },
    REALTIME_FEED_BATCH_MS: { type: "integer", minimum: 0, maximum: 10000, default: 1000 },
    BODY_LIMIT_BYTES: { type: "integer", minimum: 1024, default: 1024 * 1024 },
    REDIS_URL: { type: "string", format: "uri", pattern: "^rediss?://" },
    EMULATOR_SEED: { type: "boolean", default: true },
    EMULATOR_LATENCY_MS: { type: "integer", minimum: 0, default: 0 },
  },
  additionalProperties: true,
} as const;

type EnvName = keyof typeof ENV_SCHEMA.properties;

/** How the gateway reaches Twilio: a real account, or the embedded emulator started by main.ts. */
export type TwilioMode = "twilio" | "emulator";

export interface Config {
  /** production refuses to start without credentials or with the development JWT secret. */
  readonly environment: "development" | "production" | "test";
  readonly port: number;
  readonly host: string;
  /** Where the operators' endpoints (/metrics, detailed /readyz) listen, apart from the public port; unset: not served. */
  readonly metricsListener?: { readonly port: number; readonly host: string };
  /** Public port: how long a client may take to send a whole request, its headers, and how long an idle keep-alive lasts. */
  readonly http: { readonly requestTimeoutMs: number; readonly headersTimeoutMs: number; readonly keepAliveTimeoutMs: number };
  /** The exact base URL Twilio calls (required in production); webhook signatures are checked against it, unset: against the request's own URL. */
  readonly publicBaseUrl?: string;
  readonly logLevel: string;
  readonly twilioMode: TwilioMode;
  /** Sends every Twilio request to this Twilio-compatible server instead of twilio.com. */
  readonly twilioApiBaseUrl?: string;
  /** Sends every SendGrid request to this SendGrid-compatible server (the emulator) instead of api.sendgrid.com. */
  readonly sendgridApiBaseUrl?: string;
  readonly defaultTenantId: string;
  /** Tenants from TWILIO_* and TENANTS_FILE; empty in emulator mode until main.ts provisions one. */
  readonly tenants: readonly TenantConfig[];
  readonly jwt: {
    readonly algorithm: "HS256" | "RS256";
    /** HS256 secret or RS256 public key (PEM). */
    readonly verificationKey: string;
    readonly usesDevelopmentSecret: boolean;
    readonly issuer?: string;
    readonly audience?: string;
    /** Tokens claiming to live longer (exp - iat, or exp - now) are refused; 0 or unset: no limit. */
    readonly maxLifetimeSeconds?: number;
  };
  /** Sign-up, sign-in, users and tenant settings (src/accounts/), all kept in the platform tenant's Twilio account. */
  readonly accounts: {
    /** The tenant whose Twilio account holds the user directory and the tenants created at sign-up. */
    readonly platformTenantId: string;
    /** The directory service; unset: found (or created) by name at boot. */
    readonly directoryServiceSid?: string;
    readonly registrationEnabled: boolean;
    /** HS256 key of the tokens this gateway issues; unset with JWT_PUBLIC_KEY and no SESSION_TOKEN_SECRET (no sign-in). */
    readonly sessionTokenSecret?: string;
    readonly accessTokenTtlSeconds: number;
    readonly refreshTokenTtlSeconds: number;
    /** How long a user's record (revocation, role) may be served from memory by the session check. */
    readonly sessionCheckCacheMs: number;
    /** scrypt cost, log2 N. */
    readonly passwordScryptCost: number;
    readonly inviteTtlSeconds: number;
    readonly login: { readonly failuresPerAccount: number; readonly attemptsPerIp: number; readonly windowSeconds: number };
    /** How often every instance re-reads the tenants created at sign-up (0: only at boot and on demand). */
    readonly tenantDiscoveryIntervalMs: number;
    /** A tenant secret stored by reference: the value of environment variable `name` (only `TENANT_…` names). */
    readonly secretReference: (name: string) => string | undefined;
  };
  readonly cache: { readonly maxEntries: number; readonly maxBytes: number; readonly ttlMs: number };
  /** Most conversations per tenant held in the inbox index. */
  readonly conversationIndexLimit: number;
  readonly upstream: {
    readonly timeoutMs: number;
    readonly maxRetries: number;
    readonly retryBaseMs: number;
    readonly maxRetryDelayMs: number;
    readonly concurrencyPerTenant: number;
    /** Most Twilio calls in flight per tenant. */
    readonly maxInFlight: number;
    /** Write pacing per conversation, below Twilio's 30/s. */
    readonly conversationWritesPerSecond: number;
    /** How long the circuit stays open before a trial call. */
    readonly breakerResetMs: number;
    /** Calls in the rolling 10 s window before the circuit may open. */
    readonly breakerVolumeThreshold: number;
  };
  readonly bodyLimitBytes: number;
  /** Text of the TwiML `<Message>` answering an inbound SMS webhook; no reply when unset. */
  readonly smsAcknowledgement?: string;
  /** Behind a load balancer: take the client IP from X-Forwarded-For (per-IP limits, logs). */
  readonly trustProxy: boolean;
  /** Requests per minute per user (per tenant) and per client IP, and Socket.IO client events per user; 0 turns a limit off. */
  readonly rateLimits: { readonly perUserPerMinute: number; readonly perIpPerMinute: number; readonly socketEventsPerUserPerMinute: number };
  /** Where audit lines go (standard output when unset). */
  readonly auditLogFile?: string;
  /** Most messages per tenant held in the search index. */
  readonly searchIndexMaxMessages: number;
  /** Messages held by every tenant's search and business message indexes together (least recently used dropped). */
  readonly messageIndexesMaxMessages: number;
  /** Contact imports write to Twilio at most this often per tenant (Twilio allows 30 creates/s per service: keep it under that against Twilio). */
  readonly contactImportWritesPerSecond: number;
  /** Most rows one contact import takes. */
  readonly contactImportMaxRows: number;
  /** A multipart upload that sends nothing for this long is answered 408. */
  readonly mediaUploadIdleTimeoutMs: number;
  /**
   * The business API's media by URL (src/media/remote-media-fetch.ts): connect (TCP + TLS) and whole-fetch timeouts,
   * ports besides 443, and private/reserved CIDRs it may reach anyway (empty by default; for tests and demos).
   */
  readonly mediaFetch: {
    readonly connectTimeoutMs: number;
    readonly timeoutMs: number;
    readonly allowedPorts: readonly number[];
    readonly allowedPrivateAddresses: readonly string[];
  };
  /** How long a template and its WhatsApp approval are reused before Twilio is asked again. */
  readonly templateCacheTtlMs: number;
  /** Most webhook keys remembered (for 24 h) to apply each delivery once, without Redis. */
  readonly webhookDedupeMaxKeys: number;
  /** Tenant-wide `conversation:updated`: at most one per conversation per this many ms (the newest state); 0: every one. */
  readonly conversationUpdateIntervalMs: number;
  /** The `batched` tenant feed (`conversations:updated`): at most one batch per tenant per this many ms; 0: each update alone. */
  readonly feedBatchMs: number;
  /** Browser origins allowed to call the API (`*` for any); empty: no CORS headers. */
  readonly corsOrigins: readonly string[];
  /** Where the PHP-compatible endpoints (seed 004, `/twilio/*.php` in openapi.yaml) are mounted; no trailing slash. */
  readonly phpCompatBasePath: string;
  /** Scale-out: the Redis every instance shares (socket emits, locks, webhook dedupe, rate limits, cache invalidation); unset: one instance, all in memory. */
  readonly redisUrl?: string;
  readonly emulator: { readonly seedDemoData: boolean; readonly latencyMs: number };
}


const ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: false });
addFormats.default(ajv);
const validateEnv = ajv.compile(ENV_SCHEMA);

function describe(error: ErrorObject): ConfigError {
  const variable = error.instancePath.replace(/^\//, "") || "environment";
  return new ConfigError(variable, `${error.message ?? "is invalid"}`);
}

/** Reads the environment once: validated, typed, frozen. Throws ConfigError naming the variable. */
export function loadConfig(
  env: Record<string, string | undefined>,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
): Config {
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(ENV_SCHEMA.properties) as EnvName[]) {
    const raw = env[name];
    if (raw !== undefined && raw !== "") values[name] = raw;
  }
  if (!validateEnv(values)) throw describe(validateEnv.errors![0]!);
  const v = values as Record<EnvName, never>;
  const str = (name: EnvName): string | undefined => v[name] as string | undefined;
  const num = (name: EnvName): number => v[name] as number;

  const environment = v.NODE_ENV as Config["environment"];
  const production = environment === "production";
  const tenants: TenantConfig[] = [];
  const defaultTenantId = str("DEFAULT_TENANT_ID")!;

  const accountSid = str("TWILIO_ACCOUNT_SID");
  if (accountSid) tenants.push(defaultTenantFromEnv(defaultTenantId, accountSid, str));
  else if (str("TWILIO_AUTH_TOKEN") || str("TWILIO_API_KEY"))
    throw new ConfigError("TWILIO_ACCOUNT_SID", "is required when Twilio credentials are set");

  const tenantsFile = str("TENANTS_FILE");
  if (tenantsFile) {
    let text: string;
    try {
      text = readFile(tenantsFile);
    } catch {
      throw new ConfigError("TENANTS_FILE", `cannot read ${tenantsFile}`);
    }
    for (const tenant of parseTenantsFile(text, env)) {
      if (tenants.some((existing) => existing.id === tenant.id))
        throw new ConfigError("TENANTS_FILE", `tenant id "${tenant.id}" is declared twice`);
      tenants.push(tenant);
    }
  }

  const twilioMode: TwilioMode = tenants.length > 0 ? "twilio" : "emulator";
  if (production && twilioMode === "emulator")
    throw new ConfigError("TWILIO_ACCOUNT_SID", "is required in production (no emulator in production)");

  const publicBaseUrl = parsePublicBaseUrl(str("PUBLIC_BASE_URL"));
  // Without it, Twilio's webhooks are not registered and their signatures would rest on the Host header.
  if (production && !publicBaseUrl)
    throw new ConfigError("PUBLIC_BASE_URL", "is required in production: Twilio's webhooks are registered at it and their signatures are checked against it");

  const publicKey = str("JWT_PUBLIC_KEY");
  const secret = str("JWT_SECRET");
  if (publicKey && secret) throw new ConfigError("JWT_SECRET", "set either JWT_SECRET or JWT_PUBLIC_KEY, not both");
  if (production && !publicKey && (!secret || secret === DEVELOPMENT_JWT_SECRET))
    throw new ConfigError("JWT_SECRET", "must be set to a secret of at least 32 characters in production");
  const usesDevelopmentSecret = !publicKey && (!secret || secret === DEVELOPMENT_JWT_SECRET);

  const maxLifetime = num("JWT_MAX_LIFETIME_SECONDS");
  if (maxLifetime > 0 && num("ACCESS_TOKEN_TTL_SECONDS") > maxLifetime)
    throw new ConfigError("ACCESS_TOKEN_TTL_SECONDS", "must not exceed JWT_MAX_LIFETIME_SECONDS (the gateway would refuse its own tokens)");
  // Secrets by reference are read from the environment the gateway started with, and only under TENANT_.
  const secretEnvironment = new Map(Object.entries(env).filter(([name, value]) => name.startsWith("TENANT_") && value));

  if (num("HEADERS_TIMEOUT_MS") > num("REQUEST_TIMEOUT_MS"))
    throw new ConfigError("HEADERS_TIMEOUT_MS", "must not exceed REQUEST_TIMEOUT_MS (the headers are part of the request)");

  return deepFreeze({
    environment,
    port: num("PORT"),
    host: str("HOST")!,
    metricsListener: num("METRICS_PORT") > 0 ? { port: num("METRICS_PORT"), host: str("METRICS_HOST")! } : undefined,
    http: {
      requestTimeoutMs: num("REQUEST_TIMEOUT_MS"),
      headersTimeoutMs: num("HEADERS_TIMEOUT_MS"),
      keepAliveTimeoutMs: num("KEEP_ALIVE_TIMEOUT_MS"),
    },
    publicBaseUrl,
    logLevel: str("LOG_LEVEL")!,
    twilioMode,
    twilioApiBaseUrl: str("TWILIO_API_BASE_URL")?.replace(/\/+$/, ""),
    sendgridApiBaseUrl: str("SENDGRID_API_BASE_URL")?.replace(/\/+$/, ""),
    defaultTenantId,
    tenants,
    jwt: {
      algorithm: publicKey ? "RS256" : "HS256",
      verificationKey: publicKey ? publicKey.replace(/\\n/g, "\n") : (secret ?? DEVELOPMENT_JWT_SECRET),
      usesDevelopmentSecret,
      issuer: str("JWT_ISSUER"),
      audience: str("JWT_AUDIENCE"),
      maxLifetimeSeconds: num("JWT_MAX_LIFETIME_SECONDS"),
    },
    accounts: {
      platformTenantId: str("ACCOUNTS_PLATFORM_TENANT") ?? defaultTenantId,
      directoryServiceSid: str("ACCOUNTS_DIRECTORY_SERVICE_SID"),
      registrationEnabled: (v.REGISTRATION_ENABLED as boolean | undefined) ?? twilioMode === "emulator",
      sessionTokenSecret: sessionSecret(str("SESSION_TOKEN_SECRET"), publicKey ? undefined : (secret ?? DEVELOPMENT_JWT_SECRET)),
      accessTokenTtlSeconds: num("ACCESS_TOKEN_TTL_SECONDS"),
      refreshTokenTtlSeconds: num("REFRESH_TOKEN_TTL_SECONDS"),
      sessionCheckCacheMs: num("SESSION_CHECK_CACHE_MS"),
      passwordScryptCost: num("PASSWORD_SCRYPT_COST"),
      inviteTtlSeconds: num("INVITE_TTL_SECONDS"),
      login: {
        failuresPerAccount: num("LOGIN_MAX_FAILURES_PER_ACCOUNT"),
        attemptsPerIp: num("LOGIN_MAX_ATTEMPTS_PER_IP"),
        windowSeconds: num("LOGIN_WINDOW_SECONDS"),
      },
      tenantDiscoveryIntervalMs: num("TENANT_DISCOVERY_INTERVAL_MS"),
      secretReference: (name: string) => secretEnvironment.get(name),
    },
    cache: { maxEntries: num("CACHE_MAX_ENTRIES"), maxBytes: num("CACHE_MAX_BYTES"), ttlMs: num("CACHE_TTL_MS") },
    conversationIndexLimit: num("CONVERSATION_INDEX_LIMIT"),
    upstream: {
      timeoutMs: num("UPSTREAM_TIMEOUT_MS"),
      maxRetries: num("UPSTREAM_MAX_RETRIES"),
      retryBaseMs: num("UPSTREAM_RETRY_BASE_MS"),
      maxRetryDelayMs: num("UPSTREAM_MAX_RETRY_DELAY_MS"),
      concurrencyPerTenant: num("UPSTREAM_CONCURRENCY"),
      maxInFlight: num("UPSTREAM_MAX_IN_FLIGHT"),
      conversationWritesPerSecond: num("UPSTREAM_CONVERSATION_WRITES_PER_SECOND"),
      breakerResetMs: num("UPSTREAM_BREAKER_RESET_MS"),
      breakerVolumeThreshold: num("UPSTREAM_BREAKER_MIN_CALLS"),
    },
    bodyLimitBytes: num("BODY_LIMIT_BYTES"),
    auditLogFile: str("AUDIT_LOG_FILE"),
    trustProxy: v.TRUST_PROXY as boolean,
    rateLimits: {
      perUserPerMinute: num("RATE_LIMIT_PER_USER_PER_MINUTE"),
      perIpPerMinute: num("RATE_LIMIT_PER_IP_PER_MINUTE"),
      socketEventsPerUserPerMinute: num("RATE_LIMIT_SOCKET_EVENTS_PER_USER_PER_MINUTE"),
    },
    smsAcknowledgement: str("SMS_ACKNOWLEDGEMENT"),
    searchIndexMaxMessages: num("SEARCH_INDEX_MAX_MESSAGES"),
    messageIndexesMaxMessages: num("MESSAGE_INDEXES_MAX_MESSAGES"),
    contactImportWritesPerSecond: num("CONTACT_IMPORT_WRITES_PER_SECOND"),
    contactImportMaxRows: num("CONTACT_IMPORT_MAX_ROWS"),
    mediaUploadIdleTimeoutMs: num("MEDIA_UPLOAD_IDLE_TIMEOUT_MS"),
    mediaFetch: {
      connectTimeoutMs: num("MEDIA_FETCH_CONNECT_TIMEOUT_MS"),
      timeoutMs: num("MEDIA_FETCH_TIMEOUT_MS"),
      allowedPorts: parseAllowedPorts(str("MEDIA_FETCH_ALLOWED_PORTS")),
      allowedPrivateAddresses: parseAllowedPrivateAddresses(str("MEDIA_FETCH_ALLOWED_PRIVATE_ADDRESSES")),
    },
    templateCacheTtlMs: num("TEMPLATE_CACHE_TTL_MS"),
    webhookDedupeMaxKeys: num("WEBHOOK_DEDUPE_MAX_KEYS"),
    conversationUpdateIntervalMs: num("REALTIME_CONVERSATION_UPDATE_MS"),
    feedBatchMs: num("REALTIME_FEED_BATCH_MS"),
    corsOrigins: str("CORS_ORIGINS")?.split(",") ?? [],
    phpCompatBasePath: str("PHP_COMPAT_BASE_PATH")!.replace(/\/+$/, ""),
    redisUrl: str("REDIS_URL"),
    emulator: { seedDemoData: v.EMULATOR_SEED as boolean, latencyMs: num("EMULATOR_LATENCY_MS") },
  });
}

/** The base every webhook path is appended to: an absolute http(s) URL, no query, fragment or credentials, no trailing slash. */
function parsePublicBaseUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const base = raw.replace(/\/+$/, "");
  if (!URL.canParse(base)) throw new ConfigError("PUBLIC_BASE_URL", "must be an absolute http(s) URL");
  const url = new URL(base);
  if (/[?#]/.test(base)) throw new ConfigError("PUBLIC_BASE_URL", "must not have a query or fragment (webhook paths are appended to it)");
  if (url.username || url.password) throw new ConfigError("PUBLIC_BASE_URL", "must not carry credentials");
  return base;
}

/** MEDIA_FETCH_ALLOWED_PORTS: ports 1–65535 a media URL may name besides 443. */
function parseAllowedPorts(raw: string | undefined): number[] {
  const ports = raw?.split(",").map(Number) ?? [];
  if (ports.some((port) => port < 1 || port > 65535)) throw new ConfigError("MEDIA_FETCH_ALLOWED_PORTS", "must be ports from 1 to 65535, comma-separated");
  return ports;
}

/** MEDIA_FETCH_ALLOWED_PRIVATE_ADDRESSES: addresses or CIDR blocks, comma-separated, checked here so a typo stops the boot. */
function parseAllowedPrivateAddresses(raw: string | undefined): string[] {
  const blocks = raw?.split(",").map((block) => block.trim()) ?? [];
  for (const block of blocks) {
    try {
      parseCidr(block);
    } catch {
      throw new ConfigError("MEDIA_FETCH_ALLOWED_PRIVATE_ADDRESSES", `${block} is not an address or CIDR block (e.g. 127.0.0.1/32, ::1/128)`);
    }
  }
  return blocks;
}

function defaultTenantFromEnv(
  id: string,
  accountSid: string,
  str: (name: EnvName) => string | undefined,
): TenantConfig {
  const authToken = str("TWILIO_AUTH_TOKEN");
  const apiKey = str("TWILIO_API_KEY");
  const apiSecret = str("TWILIO_API_SECRET");
  if (!authToken) throw new ConfigError("TWILIO_AUTH_TOKEN", "is required: webhook signatures are verified with it");
  if (Boolean(apiKey) !== Boolean(apiSecret))
    throw new ConfigError(apiKey ? "TWILIO_API_SECRET" : "TWILIO_API_KEY", "TWILIO_API_KEY and TWILIO_API_SECRET go together");
  const serviceSid = str("TWILIO_CHAT_SERVICE_SID");
  if (!serviceSid) throw new ConfigError("TWILIO_CHAT_SERVICE_SID", "is required with TWILIO_ACCOUNT_SID");
  const sendgridApiKey = str("SENDGRID_API_KEY");
  return {
    id,
    accountSid,
    authToken,
    apiKey: apiKey && apiSecret ? { sid: apiKey, secret: apiSecret } : undefined,
    conversationsServiceSid: serviceSid,
    phoneNumber: str("TWILIO_PHONE_NUMBER"),
    whatsappNumber: normaliseWhatsappNumber(str("TWILIO_WHATSAPP_NUMBER")),
    sendgrid: sendgridApiKey
      ? {
          apiKey: sendgridApiKey,
          fromEmail: str("SENDGRID_FROM_EMAIL"),
          fromName: str("SENDGRID_FROM_NAME"),
          webhookPublicKey: str("SENDGRID_WEBHOOK_PUBLIC_KEY"),
        }
      : undefined,
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
