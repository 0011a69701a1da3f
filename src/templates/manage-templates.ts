import type { TenantInbox } from "../inbox/tenant-inbox.js";
import type { TemplateApproval } from "../twilio/content-gateway.js";
import type { TemplateCatalog } from "./template-catalog.js";
import { ownedName } from "./template-ownership.js";
import { toTemplateView, type TemplateView } from "./template-view.js";

export interface CreateTemplateInput {
  friendlyName: string;
  language: string;
  variables?: Record<string, string>;
  /** Content API types (`twilio/text`, `twilio/media`, …), as Twilio names them. */
  types: Record<string, unknown>;
}

/** POST /templates: a Content API template named for the tenant (template-ownership.ts). */
export async function createTemplate(inbox: TenantInbox, catalog: TemplateCatalog, input: CreateTemplateInput): Promise<TemplateView> {
  const record = await inbox.gateway.content.create({ ...input, friendlyName: ownedName(inbox.tenant.id, input.friendlyName) });
  catalog.forget(inbox.tenant.id);
  return toTemplateView(inbox.tenant.id, record)!;
}

/** DELETE /templates/{contentSid}: only the tenant's own (404 otherwise, and nothing is deleted). */
export async function deleteTemplate(inbox: TenantInbox, catalog: TemplateCatalog, sid: string): Promise<void> {
  await catalog.get(inbox, sid);
  await inbox.gateway.content.remove(sid);
  catalog.forget(inbox.tenant.id, sid);
}

/** POST /templates/{contentSid}/approval: submits the tenant's template to WhatsApp (`{ name, category }`). */
export async function requestTemplateApproval(
  inbox: TenantInbox,
  catalog: TemplateCatalog,
  sid: string,
  input: { name: string; category: string },
): Promise<TemplateApproval> {
  await catalog.get(inbox, sid);
  const approval = await inbox.gateway.content.requestWhatsappApproval(sid, input);
  catalog.forget(inbox.tenant.id, sid);
  return approval;
}
