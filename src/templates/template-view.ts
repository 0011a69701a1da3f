import type { ContentRecord } from "../twilio/content-gateway.js";
import { ownName } from "./template-ownership.js";

/** A template as the chat API shows it: the tenant's own friendly name, its placeholders and its WhatsApp status. */
export interface TemplateView {
  sid: string;
  friendlyName: string;
  language: string;
  variables: Record<string, string>;
  types: Record<string, unknown>;
  placeholders: string[];
  whatsapp: { status: string; name: string | null; category: string | null; rejectionReason: string | null } | null;
  dateCreated: string;
  dateUpdated: string;
}

/** `{{name}}` placeholders anywhere in the template's types, in first-seen order. */
export function placeholdersOf(types: unknown): string[] {
  const found = new Set<string>();
  const walk = (node: unknown) => {
    if (typeof node === "string") for (const match of node.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) found.add(match[1]!);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") Object.values(node).forEach(walk);
  };
  walk(types);
  return [...found];
}

/** The view of `record` for `tenantId`, or undefined when the template is another tenant's. */
export function toTemplateView(tenantId: string, record: ContentRecord): TemplateView | undefined {
  const friendlyName = ownName(tenantId, record.friendlyName);
  if (friendlyName === undefined) return undefined;
  return {
    sid: record.sid,
    friendlyName,
    language: record.language,
    variables: record.variables,
    types: record.types,
    placeholders: placeholdersOf(record.types),
    whatsapp: record.whatsapp,
    dateCreated: record.dateCreated,
    dateUpdated: record.dateUpdated,
  };
}
