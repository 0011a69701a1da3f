import { AppError } from "../errors.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import { toTemplateView, type TemplateView } from "./template-view.js";

interface Cached<T> {
  value: T;
  expiresAt: number;
}

/**
 * The tenants' templates, read from Twilio and kept for `ttlMs`: an approval moved on Twilio's side (approved,
 * paused, disabled by WhatsApp) is seen within that time, on every instance, without a restart. A write through the
 * gateway drops the tenant's entries at once.
 */
export class TemplateCatalog {
  private readonly lists = new Map<string, Cached<TemplateView[]>>();
  private readonly templates = new Map<string, Cached<TemplateView>>();

  constructor(private readonly ttlMs: number, private readonly maxEntries = 5000) {}

  async list(inbox: TenantInbox): Promise<TemplateView[]> {
    const tenantId = inbox.tenant.id;
    const hit = this.fresh(this.lists.get(tenantId));
    if (hit) return hit;
    const records = await inbox.gateway.content.listWithApprovals();
    const views = records.map((record) => toTemplateView(tenantId, record)).filter((view): view is TemplateView => view !== undefined);
    this.remember(this.lists, tenantId, views);
    return views;
  }

  /** The tenant's template, or 404 (another tenant's template is not found either). */
  async get(inbox: TenantInbox, sid: string): Promise<TemplateView> {
    const key = `${inbox.tenant.id}|${sid}`;
    const hit = this.fresh(this.templates.get(key));
    if (hit) return hit;
    const view = toTemplateView(inbox.tenant.id, await inbox.gateway.content.fetch(sid));
    if (!view) throw new AppError("not_found", "no such template in this tenant", { field: "contentSid" });
    this.remember(this.templates, key, view);
    return view;
  }

  forget(tenantId: string, sid?: string): void {
    this.lists.delete(tenantId);
    if (sid) this.templates.delete(`${tenantId}|${sid}`);
  }

  private fresh<T>(entry: Cached<T> | undefined): T | undefined {
    return entry && entry.expiresAt > Date.now() ? entry.value : undefined;
  }

  private remember<T>(map: Map<string, Cached<T>>, key: string, value: T): void {
    if (this.ttlMs <= 0) return;
    if (map.size >= this.maxEntries) map.delete(map.keys().next().value!);
    map.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }
}
