import type { Logger } from "pino";
import type { Config } from "../config.js";
import { AppError } from "../errors.js";
import type { KeyedLock } from "../inbox/keyed-lock.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import { DynamicTenants } from "../tenants/dynamic-tenants.js";
import type { TenantConfig } from "../tenants/tenant-config.js";
import type { TenantRegistry } from "../tenants/tenant-registry.js";
import type { AccountsGateway } from "../twilio/accounts-gateway.js";
import type { InboxCache } from "../cache/inbox-cache.js";
import type { LoginThrottle } from "./login-throttle.js";
import { SessionTokens } from "./session-tokens.js";
import { UserDirectory } from "./user-directory.js";

/** The directory service's FriendlyName: found by it at boot when ACCOUNTS_DIRECTORY_SERVICE_SID is not set. */
export const DIRECTORY_SERVICE_NAME = "switchboard-directory";

/** Everything the account use cases act on, once the directory service is known. */
export interface AccountsContext {
  users: UserDirectory;
  tenants: DynamicTenants;
  registry: TenantRegistry;
  tokens: SessionTokens;
  throttle: LoginThrottle;
  settings: Config["accounts"];
  /** Outside production, error answers of the accounts API carry a detail (`error`). */
  production: boolean;
}

export interface AccountsOptions {
  settings: Config["accounts"];
  production: boolean;
  /** The platform tenant's config; undefined: accounts are off here (their endpoints answer 501). */
  platform?: TenantConfig;
  gateway?: AccountsGateway;
  registry: TenantRegistry;
  cache: InboxCache;
  lock: KeyedLock;
  throttle: LoginThrottle;
  buildInbox: (tenant: TenantConfig, previous?: TenantInbox) => TenantInbox;
  onTenantCreated?: (inbox: TenantInbox) => Promise<void>;
  logger: Logger;
}

/**
 * Sign-up, sign-in, users and tenant settings. Started once (`start`: the directory service is found or created, the
 * tenants created at sign-up are discovered); a use case arriving first starts it itself.
 */
export class Accounts {
  private ready?: Promise<AccountsContext>;
  private dynamic?: DynamicTenants;
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: AccountsOptions) {}

  get enabled(): boolean {
    return Boolean(this.options.platform && this.options.gateway && this.options.settings.sessionTokenSecret);
  }

  /** Finds the directory, discovers the tenants, then re-discovers every TENANT_DISCOVERY_INTERVAL_MS. */
  async start(): Promise<void> {
    if (!this.enabled) return;
    const context = await this.context();
    const interval = this.options.settings.tenantDiscoveryIntervalMs;
    if (interval > 0 && !this.timer) {
      this.timer = setInterval(() => {
        context.tenants.discover().catch((error) => this.options.logger.warn({ err: error }, "tenant discovery failed"));
      }, interval);
      this.timer.unref();
    }
  }

  /** Whether `tenantId` was created at sign-up (known once the context started). */
  isDynamicTenant(tenantId: string): boolean {
    return this.dynamic?.isDynamic(tenantId) ?? false;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The context, starting it on first use; 501 where accounts are off. */
  context(): Promise<AccountsContext> {
    if (!this.enabled) return Promise.reject(new AppError("not_implemented", "sign-in is not configured on this deployment"));
    this.ready ??= this.init().catch((error) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async init(): Promise<AccountsContext> {
    const { settings, platform, registry, cache, lock, throttle, logger } = this.options;
    const gateway = this.options.gateway!;
    const directoryServiceSid = settings.directoryServiceSid ?? (await findOrCreateDirectory(gateway));
    const tenants = new DynamicTenants({
      gateway,
      platform: platform!,
      directoryServiceSid,
      registry,
      buildInbox: this.options.buildInbox,
      onCreated: this.options.onTenantCreated,
      secretReference: settings.secretReference,
      lock,
      logger,
    });
    this.dynamic = tenants;
    await tenants.discover();
    return {
      users: new UserDirectory(gateway, directoryServiceSid, cache, lock, settings.sessionCheckCacheMs),
      tenants,
      registry,
      tokens: new SessionTokens({
        secret: settings.sessionTokenSecret!,
        accessTokenTtlSeconds: settings.accessTokenTtlSeconds,
        refreshTokenTtlSeconds: settings.refreshTokenTtlSeconds,
      }),
      throttle,
      settings,
      production: this.options.production,
    };
  }
}

/**
 * The directory service, by name. Two instances booting at once may both create one: each then keeps the oldest and
 * deletes its own if that is not it (set ACCOUNTS_DIRECTORY_SERVICE_SID to skip all of this).
 */
async function findOrCreateDirectory(gateway: AccountsGateway): Promise<string> {
  const oldest = async () =>
    (await gateway.listServices())
      .filter((service) => service.friendlyName === DIRECTORY_SERVICE_NAME)
      .sort((a, b) => a.dateCreated.localeCompare(b.dateCreated) || a.sid.localeCompare(b.sid))[0]?.sid;
  const existing = await oldest();
  if (existing) return existing;
  const created = await gateway.createService(DIRECTORY_SERVICE_NAME);
  const chosen = (await oldest()) ?? created;
  if (chosen !== created) await gateway.deleteService(created).catch(() => undefined);
  return chosen;
}
