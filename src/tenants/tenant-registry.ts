import type { TenantInbox } from "../inbox/tenant-inbox.js";

/** The tenants this deployment serves, by id. */
export class TenantRegistry {
  private readonly byId: Map<string, TenantInbox>;

  constructor(inboxes: TenantInbox[]) {
    this.byId = new Map(inboxes.map((inbox) => [inbox.tenant.id, inbox]));
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): TenantInbox {
    const inbox = this.byId.get(id);
    if (!inbox) throw new Error(`tenant ${id} is not served`);
    return inbox;
  }

  all(): TenantInbox[] {
    return [...this.byId.values()];
  }
}
