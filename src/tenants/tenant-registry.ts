import type { TenantInbox } from "../inbox/tenant-inbox.js";

/** The tenants this deployment serves, by id. */
export class TenantRegistry {
  private readonly byId: Map<string, TenantInbox>;
  private readonly addedListeners = new Set<(inbox: TenantInbox) => void>();

  constructor(inboxes: TenantInbox[]) {
    this.byId = new Map(inboxes.map((inbox) => [inbox.tenant.id, inbox]));
  }

  /** Adds a tenant, or replaces the one with its id (a tenant created at sign-up, or its new settings). */
  upsert(inbox: TenantInbox): void {
    const added = !this.byId.has(inbox.tenant.id);
    this.byId.set(inbox.tenant.id, inbox);
    if (added) for (const listener of this.addedListeners) listener(inbox);
  }

  /** Calls `listener` with every tenant added from now on (not for replacements); returns the unsubscriber. */
  onAdded(listener: (inbox: TenantInbox) => void): () => void {
    this.addedListeners.add(listener);
    return () => this.addedListeners.delete(listener);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): TenantInbox {
    const inbox = this.byId.get(id);
    if (!inbox) throw new Error(`tenant ${id} is not served`);
    return inbox;
  }

  /** The tenant named by `idOrAlias` (its id, or one of its aliases). */
  findByIdOrAlias(idOrAlias: string): TenantInbox | undefined {
    return this.byId.get(idOrAlias) ?? this.all().find((inbox) => inbox.tenant.aliases?.includes(idOrAlias));
  }

  /**
   * The tenant a Twilio webhook belongs to: its account, and its Conversations Service when the webhook names one
   * (several tenants may share an account with different services).
   */
  findByTwilioAccount(accountSid: string, serviceSid?: string, toAddress?: string): TenantInbox | undefined {
    const candidates = this.all().filter((inbox) => inbox.tenant.accountSid === accountSid);
    if (serviceSid) return candidates.find((inbox) => inbox.tenant.conversationsServiceSid === serviceSid);
    // Messaging webhooks name no service: the number the message was sent to picks the tenant.
    const byNumber = toAddress
      ? candidates.find((inbox) => inbox.tenant.phoneNumber === toAddress || inbox.tenant.whatsappNumber === toAddress)
      : undefined;
    return byNumber ?? candidates[0];
  }

  all(): TenantInbox[] {
    return [...this.byId.values()];
  }
}
