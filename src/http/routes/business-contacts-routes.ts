import { validateContact } from "../../contacts/contact.js";
import type { ContactBook } from "../../contacts/contact-book.js";
import { contactsCsv } from "../../contacts/contacts-csv.js";
import { listContacts } from "../../contacts/list-contacts.js";
import type { ImportJobs } from "../../contacts/import-jobs.js";
import { readCsvUpload } from "../../contacts/read-csv-upload.js";
import type { TenantInbox } from "../../inbox/tenant-inbox.js";
import type { TenantRegistry } from "../../tenants/tenant-registry.js";
import { inTenant, type OperationHandler, type OperationRequest } from "../operation-router.js";
import { selectTenantId } from "../tenant-selection.js";

const ok = (data: unknown, status = 200) => ({ status, body: { success: true, data } });

/** The business API's contacts (base `/api/contacts`): thin mappings onto src/contacts/. */
export function businessContactHandlers(deps: {
  tenants: TenantRegistry;
  contactBook: (inbox: TenantInbox) => ContactBook;
  imports: ImportJobs;
  uploads: { maxBytes: number; maxRows: number; idleTimeoutMs: number };
}): Record<string, OperationHandler> {
  const { tenants } = deps;
  const inboxFor = (request: OperationRequest) =>
    inTenant(request, tenants.get(selectTenantId(request.principal, request.headers["x-tenant-id"], (id) => tenants.has(id))));
  const bookFor = (request: OperationRequest) => deps.contactBook(inboxFor(request));
  return {
    importContacts: async (request) => {
      const inbox = inboxFor(request);
      const records = await readCsvUpload(request.ctx.req, deps.uploads);
      const job = await deps.imports.start(inbox.tenant.id, deps.contactBook(inbox), records);
      return ok(job, 202);
    },
    getContactImport: async (request) => ok(await deps.imports.get(inboxFor(request).tenant.id, request.params.jobId)),
    getContactImportRejected: async (request) => ({
      body: await deps.imports.rejectedCsv(inboxFor(request).tenant.id, request.params.jobId),
      type: "text/csv; charset=utf-8",
      headers: { "Content-Disposition": 'attachment; filename="rejected-rows.csv"', "Cache-Control": "no-store" },
    }),
    listContacts: async (request) => ok(await listContacts(bookFor(request), request.query as { page: number; limit: number; search?: string })),
    createContact: async (request) => ok(await bookFor(request).create(validateContact(request.body)), 201),
    getContact: async (request) => ok(await bookFor(request).get(request.params.id)),
    updateContact: async (request) => {
      const book = bookFor(request);
      const current = await book.get(request.params.id);
      const checked = validateContact({ ...current, ...request.body, phoneNumber: current.phoneNumber });
      return ok(await book.update(current.id, { ...(request.body.name !== undefined ? { name: checked.name } : {}), ...(request.body.email !== undefined ? { email: checked.email } : {}), ...(request.body.tags !== undefined ? { tags: checked.tags } : {}) }));
    },
    deleteContact: async (request) => {
      await bookFor(request).remove(request.params.id);
      return ok({ deleted: true });
    },
    exportContacts: async (request) => {
      const contacts = await bookFor(request).all();
      return {
        body: contactsCsv(contacts),
        type: "text/csv; charset=utf-8",
        headers: { "Content-Disposition": 'attachment; filename="contacts.csv"', "Cache-Control": "no-store" },
      };
    },
  };
}
