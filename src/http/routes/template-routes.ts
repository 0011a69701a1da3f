import { createTemplate, deleteTemplate, requestTemplateApproval } from "../../templates/manage-templates.js";
import type { TemplateCatalog } from "../../templates/template-catalog.js";
import type { TenantRegistry } from "../../tenants/tenant-registry.js";
import type { OperationHandler, OperationRequest } from "../operation-router.js";
import { selectTenantId } from "../tenant-selection.js";

/** Chat API templates, base `/api/v1/chat/templates`: thin handlers over src/templates/. */
export function templateHandlers(tenants: TenantRegistry, catalog: TemplateCatalog): Record<string, OperationHandler> {
  const inboxFor = (request: OperationRequest) =>
    tenants.get(selectTenantId(request.principal, request.headers["x-tenant-id"], (id) => tenants.has(id)));
  return {
    listTemplates: async (request) => ({ body: await catalog.list(inboxFor(request)) }),
    createTemplate: async (request) => ({ status: 201, body: await createTemplate(inboxFor(request), catalog, request.body) }),
    getTemplate: async (request) => ({ body: await catalog.get(inboxFor(request), request.params.contentSid) }),
    deleteTemplate: async (request) => {
      await deleteTemplate(inboxFor(request), catalog, request.params.contentSid);
      return { status: 204 };
    },
    requestTemplateApproval: async (request) => ({
      status: 201,
      body: await requestTemplateApproval(inboxFor(request), catalog, request.params.contentSid, request.body),
    }),
  };
}
