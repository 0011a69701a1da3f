import { newSid } from "../sid.js";
import { TwilioError, invalidParameter } from "../twilio-error.js";
import type { Store } from "./store.js";
import type { Content, ContentApproval } from "./types.js";

/**
 * The content types a Conversations message can carry; others are refused with 50542 "Unsupported Content Template
 * Type" (https://www.twilio.com/docs/api/errors/50542).
 */
export const CONVERSATIONS_CONTENT_TYPES = new Set([
  "twilio/text",
  "twilio/media",
  "twilio/location",
  "twilio/quick-reply",
  "twilio/call-to-action",
  "twilio/list-picker",
  "twilio/card",
]);

/** The types the spec's ContentCreateRequest knows (twilio_content_v1.json, `types`). */
const KNOWN_TYPES = new Set([
  ...CONVERSATIONS_CONTENT_TYPES,
  "twilio/catalog",
  "twilio/carousel",
  "twilio/flows",
  "twilio/schedule",
  "whatsapp/card",
  "whatsapp/authentication",
  "whatsapp/flows",
]);

/** Content variable values are at most 256 characters: 50541 (https://www.twilio.com/docs/api/errors/50541). */
const MAX_VARIABLE_CHARS = 256;

type Json = Record<string, unknown>;

/** `POST /v1/Content` (JSON body, as ContentCreateRequest in the spec: friendly_name, variables, language, types). */
export function createContent(store: Store, accountSid: string, body: Json): Content {
  const unknown = Object.keys(body).filter((key) => !["friendly_name", "variables", "language", "types"].includes(key));
  if (unknown.length > 0) throw invalidParameter(`Unknown parameter ${unknown[0]}`);
  if (typeof body.language !== "string" || body.language === "") throw invalidParameter("language is required");
  if (!body.types || typeof body.types !== "object" || Array.isArray(body.types) || Object.keys(body.types).length === 0)
    throw invalidParameter("types is required");
  for (const [type, value] of Object.entries(body.types as Json)) {
    if (!KNOWN_TYPES.has(type)) throw invalidParameter(`Unknown content type ${type}`);
    if (!value || typeof value !== "object") throw invalidParameter(`types.${type} must be an object`);
  }
  const text = (body.types as Json)["twilio/text"] as Json | undefined;
  if (text && typeof text.body !== "string") throw invalidParameter("types.twilio/text.body is required");
  const variables = (body.variables ?? {}) as Record<string, unknown>;
  if (typeof variables !== "object" || Object.values(variables).some((value) => typeof value !== "string"))
    throw invalidParameter("variables must map names to strings");
  const now = new Date();
  const content: Content = {
    sid: newSid("HX"),
    accountSid,
    friendlyName: typeof body.friendly_name === "string" ? body.friendly_name : "",
    language: body.language,
    variables: variables as Record<string, string>,
    types: body.types as Content["types"],
    approval: null,
    dateCreated: now,
    dateUpdated: now,
  };
  store.contents.set(content.sid, content);
  return content;
}

export function findContent(store: Store, accountSid: string, sid: string): Content {
  const content = store.contents.get(sid);
  if (!content || content.accountSid !== accountSid) throw new TwilioError(404, 20404, `The requested resource /v1/Content/${sid} was not found`);
  return content;
}

/** `POST /v1/Content/{Sid}/ApprovalRequests/whatsapp` (JSON `{ name, category }`): submitted for WhatsApp's review. */
export function requestApproval(content: Content, body: Json): ContentApproval {
  if (typeof body.name !== "string" || !/^[a-z0-9_]{1,512}$/.test(body.name))
    throw invalidParameter("name is required: lowercase letters, digits and underscores");
  if (typeof body.category !== "string" || body.category === "") throw invalidParameter("category is required");
  content.approval = {
    name: body.name,
    category: body.category,
    contentType: Object.keys(content.types)[0] ?? "",
    status: "received",
    rejectionReason: "",
    allowCategoryChange: true,
  };
  content.dateUpdated = new Date();
  return content.approval;
}

/** WhatsApp's (or Twilio's) verdict, moved by the emulator's control endpoint. */
export function setApprovalStatus(content: Content, status: string, rejectionReason = ""): void {
  content.approval ??= { name: "", category: "", contentType: Object.keys(content.types)[0] ?? "", status: "unsubmitted", rejectionReason: "", allowCategoryChange: true };
  content.approval.status = status;
  content.approval.rejectionReason = status === "rejected" ? rejectionReason : "";
  content.dateUpdated = new Date();
}

/**
 * What a conversation message built from `content` says: the text of its first Conversations type, with `{{name}}`
 * placeholders filled from ContentVariables (else the template's default values).
 */
export function renderContent(content: Content, contentVariables: string | undefined): string {
  const type = Object.keys(content.types).find((key) => CONVERSATIONS_CONTENT_TYPES.has(key));
  if (!type) throw new TwilioError(400, 50542, "Unsupported Content Template Type");
  let values: Record<string, unknown> = {};
  if (contentVariables !== undefined) {
    try {
      values = JSON.parse(contentVariables) as Record<string, unknown>;
    } catch {
      throw invalidParameter("ContentVariables must be a JSON object");
    }
    if (!values || typeof values !== "object" || Array.isArray(values)) throw invalidParameter("ContentVariables must be a JSON object");
  }
  for (const value of Object.values(values)) {
    if (String(value).length > MAX_VARIABLE_CHARS) throw new TwilioError(400, 50541, "Content variable value is too long");
  }
  const spec = content.types[type]!;
  const text = typeof spec.body === "string" ? spec.body : typeof spec.title === "string" ? spec.title : "";
  return text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_, name: string) => String(values[name] ?? content.variables[name] ?? ""));
}
