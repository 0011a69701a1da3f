import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { AppError } from "../errors.js";
import type { KeyedLock } from "../inbox/keyed-lock.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import type { AccountsGateway } from "../twilio/accounts-gateway.js";
import type { TenantConfig } from "./tenant-config.js";
import type { TenantRegistry } from "./tenant-registry.js";
import {
  parseTenantRecord,
  TENANT_SERVICE_PREFIX,
  tenantRecordAttributes,
  tenantRecordIdentity,
  type TenantRecord,
  type TenantSettings,
} from "./tenant-settings.js";

export interface DynamicTenantsOptions {
  gateway: AccountsGateway;
  /** The platform tenant: its account (and credentials) serve every tenant created at sign-up. */
  platform: TenantConfig;
  directoryServiceSid: string;
  registry: TenantRegistry;
  /** Builds (or, given the one serving it now, rebuilds) the inbox of a tenant. */
  buildInbox: (tenant: TenantConfig, previous?: TenantInbox) => TenantInbox;
  /** Points a new tenant's post-event webhooks at the gateway (when its public URL is known). */
  onCreated?: (inbox: TenantInbox) => Promise<void>;
  secretReference: (name: string) => string | undefined;
  lock: KeyedLock;
  logger: Logger;
}

/** How long an id that names no tenant is remembered as such (a token for a tenant deleted elsewhere). */
const UNKNOWN_TTL_MS = 30_000;

/**
 * Tenants created at sign-up: Conversations Services of the platform account, each with a record (id, service,
 * settings) kept as a User of the directory service. Every instance finds them at boot and every
 * TENANT_DISCOVERY_INTERVAL_MS (`discover`), and on demand when a token names one it does not serve yet (`ensure`);
 * static tenants (TWILIO_*, TENANTS_FILE) are never touched.
 */
export class DynamicTenants {
  private readonly unknown = new Map<string, number>();
  private readonly dynamicIds = new Set<string>();

  constructor(private readonly options: DynamicTenantsOptions) {}

  isDynamic(id: string): boolean {
    return this.dynamicIds.has(id);
  }

  /** Reads every tenant record (one call per 100 services, then one per tenant) and serves what it finds. */
  async discover(): Promise<void> {
    const services = await this.options.gateway.listServices();
    const ids = services
      .filter((service) => service.friendlyName?.startsWith(TENANT_SERVICE_PREFIX))
      .map((service) => service.friendlyName!.slice(TENANT_SERVICE_PREFIX.length));
    for (let i = 0; i < ids.length; i += 8) {
      await Promise.all(ids.slice(i, i + 8).map((id) => this.load(id).catch((error) => this.options.logger.warn({ err: error, tenantId: id }, "tenant record unreadable"))));
    }
  }

  /** Serves `id` if it is a tenant created at sign-up that this instance does not serve yet (one call, then remembered). */
  async ensure(id: string): Promise<void> {
    if (this.options.registry.has(id)) return;
    const unknownSince = this.unknown.get(id);
    if (unknownSince !== undefined && Date.now() - unknownSince < UNKNOWN_TTL_MS) return;
    if (!/^t[0-9a-f]{16}$/.test(id)) return;
    if (!(await this.load(id))) {
      if (this.unknown.size > 10_000) this.unknown.clear();
      this.unknown.set(id, Date.now());
    }
  }

  /** Creates a tenant: its Conversations Service, then its record; nothing is left behind when either fails. */
  async create(settings: TenantSettings, id = newTenantId()): Promise<TenantInbox> {
    const { gateway } = this.options;
    const serviceSid = await gateway.createService(`${TENANT_SERVICE_PREFIX}${id}`);
    const record: TenantRecord = { id, serviceSid, settings, createdAt: new Date().toISOString() };
    try {
      await gateway.createUser(this.options.directoryServiceSid, tenantRecordIdentity(id), tenantRecordAttributes(record));
    } catch (error) {
      await gateway.deleteService(serviceSid).catch(() => undefined);
      throw error;
    }
    const inbox = this.serve(record);
    await this.options.onCreated?.(inbox);
    return inbox;
  }

  /** Removes a tenant's service and record (the undo of a sign-up whose owner could not be created). */
  async remove(id: string): Promise<void> {
    const record = await this.read(id);
    if (!record) return;
    await this.options.gateway.deleteService(record.serviceSid);
    await this.options.gateway.deleteUser(this.options.directoryServiceSid, tenantRecordIdentity(id));
    this.dynamicIds.delete(id);
  }

  async read(id: string): Promise<TenantRecord | undefined> {
    const user = await this.options.gateway.findUser(this.options.directoryServiceSid, tenantRecordIdentity(id));
    return user ? parseTenantRecord(user.attributes) : undefined;
  }

  /** Reads, changes and writes a tenant's settings (one writer at a time), then serves the new ones. */
  async updateSettings(id: string, change: (settings: TenantSettings) => TenantSettings): Promise<TenantRecord> {
    return this.options.lock.acquire(`tenant:${id}`, async () => {
      const current = await this.read(id);
      if (!current) throw new AppError("not_found", "no such tenant");
      const next = { ...current, settings: change(current.settings) };
      await this.options.gateway.updateUserAttributes(this.options.directoryServiceSid, tenantRecordIdentity(id), tenantRecordAttributes(next));
      this.serve(next);
      return next;
    });
  }

  private async load(id: string): Promise<boolean> {
    const record = await this.read(id);
    if (!record || record.id !== id) return false;
    this.serve(record);
    return true;
  }

  private serve(record: TenantRecord): TenantInbox {
    const { registry, buildInbox } = this.options;
    const existing = registry.has(record.id) ? registry.get(record.id) : undefined;
    // A static tenant with the same id wins: a record never replaces configuration.
    if (existing && !this.dynamicIds.has(record.id)) return existing;
    const inbox = buildInbox(this.tenantConfig(record), existing);
    registry.upsert(inbox);
    this.dynamicIds.add(record.id);
    this.unknown.delete(record.id);
    return inbox;
  }

  /** A record as the inbox sees a tenant: the platform account's credentials, the tenant's service and senders. */
  tenantConfig(record: TenantRecord): TenantConfig {
    const { platform, secretReference } = this.options;
    const s = record.settings;
    const sendgridKey = s.sendgridApiKeyEnv ? secretReference(s.sendgridApiKeyEnv) : undefined;
    return {
      id: record.id,
      name: s.name,
      accountSid: platform.accountSid,
      authToken: platform.authToken,
      apiKey: platform.apiKey,
      conversationsServiceSid: record.serviceSid,
      sharedAccount: true,
      phoneNumber: s.smsNumber,
      whatsappNumber: s.whatsappNumber,
      sendgrid: sendgridKey
        ? { apiKey: sendgridKey, fromEmail: s.emailFromAddress, fromName: s.emailFromName, webhookPublicKey: platform.sendgrid?.webhookPublicKey }
        : undefined,
    };
  }
}

/** `t` + 16 hex characters: valid wherever a tenant id is (TENANTS_FILE's pattern), and never guessable. */
export const newTenantId = (): string => `t${randomBytes(8).toString("hex")}`;
