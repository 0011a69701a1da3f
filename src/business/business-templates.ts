import { isAppError } from "../errors.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import { createTemplate, requestTemplateApproval } from "../templates/manage-templates.js";
import type { TemplateCatalog } from "../templates/template-catalog.js";
import { toContentTypes, toWhatsappTemplate, type WhatsappTemplateInput } from "./whatsapp-template-shape.js";

/** GET /api/templates — the tenant's templates in WhatsApp's shape. */
export async function listBusinessTemplates(inbox: TenantInbox, catalog: TemplateCatalog) {
  return (await catalog.list(inbox)).map(toWhatsappTemplate);
}

/**
 * POST /api/templates — translated to Content API types (refused with 400 when Conversations could not deliver it),
 * created for the tenant and submitted to WhatsApp for approval under `name` and `category`. When the submission
 * fails upstream the template still stands (NOT_SUBMITTED): it can be submitted again with the chat API.
 */
export async function createBusinessTemplate(inbox: TenantInbox, catalog: TemplateCatalog, input: WhatsappTemplateInput) {
  const types = toContentTypes(input);
  const created = await createTemplate(inbox, catalog, { friendlyName: input.name, language: input.language, types });
  try {
    await requestTemplateApproval(inbox, catalog, created.sid, { name: input.name, category: input.category });
  } catch (error) {
    if (!isAppError(error) || error.status < 500) throw error;
  }
  return toWhatsappTemplate(await catalog.get(inbox, created.sid));
}
