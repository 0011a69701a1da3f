import { createHash, timingSafeEqual } from "node:crypto";
import { AppError } from "../errors.js";
import type { Accounts } from "../accounts/accounts-context.js";
import type { TenantRegistry } from "../tenants/tenant-registry.js";

/** How long the tenants' verify-token settings are trusted before they are read again (an anonymous flood costs one read a minute). */
const SETTINGS_TTL_MS = 60_000;

const digest = (value: string) => createHash("sha256").update(value).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/**
 * Meta's webhook verification handshake (GET with `hub.mode=subscribe`, `hub.verify_token`, `hub.challenge`): the
 * challenge is echoed when the token is the verify token of a tenant's settings (`webhookConfig.verifyTokenEnv`,
 * the gateway environment variable holding it); `tenant` in the query narrows the search to one tenant.
 */
export class MetaVerification {
  private tokens: { readAtMs: number; byTenant: Map<string, string> } | undefined;
  private reading: Promise<Map<string, string>> | undefined;

  constructor(
    private readonly accounts: Accounts,
    private readonly tenants: TenantRegistry,
    private readonly secretReference: (envName: string) => string | undefined,
  ) {}

  async verify(query: { "hub.mode": string; "hub.verify_token": string; "hub.challenge": string; tenant?: string }): Promise<string> {
    if (query["hub.mode"] !== "subscribe") throw new AppError("validation_failed", "hub.mode must be subscribe", { field: "hub.mode" });
    const byTenant = await this.verifyTokens();
    const candidates = query.tenant ? [byTenant.get(query.tenant)] : [...byTenant.values()];
    // Every candidate is compared (no early exit): the time taken says nothing about which tenant matched.
    const matched = candidates.reduce((found, token) => (token !== undefined && sameSecret(token, query["hub.verify_token"])) || found, false);
    if (!matched) throw new AppError("forbidden", "the verify token does not match", { field: "hub.verify_token" });
    return query["hub.challenge"];
  }

  /** Each tenant's verify token (tenants created at sign-up whose settings name one), read at most once a minute. */
  private async verifyTokens(): Promise<Map<string, string>> {
    if (this.tokens && Date.now() - this.tokens.readAtMs < SETTINGS_TTL_MS) return this.tokens.byTenant;
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(): Promise<Map<string, string>> {
    const byTenant = new Map<string, string>();
    if (this.accounts.enabled) {
      const context = await this.accounts.context();
      for (const inbox of this.tenants.all()) {
        if (!context.tenants.isDynamic(inbox.tenant.id)) continue;
        const record = await context.tenants.read(inbox.tenant.id);
        const envName = record?.settings.webhookVerifyTokenEnv;
        const token = envName && record?.settings.webhookEnabled !== false ? this.secretReference(envName) : undefined;
        if (token) byTenant.set(inbox.tenant.id, token);
      }
    }
    this.tokens = { readAtMs: Date.now(), byTenant };
    return byTenant;
  }
}
