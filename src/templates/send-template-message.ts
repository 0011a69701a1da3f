import { AppError } from "../errors.js";
import { summariseSentMessage } from "../inbox/apply-message-to-summary.js";
import type { ConversationEntry } from "../inbox/conversation-directory.js";
import type { Channel, MessageRecord } from "../inbox/inbox-types.js";
import { messagesGenerationKey } from "../inbox/list-messages.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import type { TemplateCatalog } from "./template-catalog.js";
import type { TemplateView } from "./template-view.js";

/**
 * The types a Conversations message can carry; a template of any other type would fail with Twilio's 50542
 * "Unsupported Content Template Type" (https://www.twilio.com/docs/api/errors/50542).
 */
const CONVERSATIONS_TYPES = new Set(["twilio/text", "twilio/media", "twilio/location", "twilio/quick-reply", "twilio/call-to-action", "twilio/list-picker", "twilio/card"]);
/** Twilio's 50541: a content variable value is at most 256 characters (https://www.twilio.com/docs/api/errors/50541). */
const MAX_VARIABLE_CHARS = 256;

/**
 * Checks a template send before anything reaches Twilio: the template is the tenant's, of a type Conversations
 * delivers, its variables are exactly its placeholders (each given, or defaulted by the template), and on WhatsApp it
 * is approved (409 `template_not_approved` otherwise; the approval is re-read after the catalog's short cache).
 */
export async function checkTemplateSend(
  inbox: TenantInbox,
  catalog: TemplateCatalog,
  channel: Channel,
  contentSid: string,
  contentVariables: Record<string, string> = {},
): Promise<TemplateView> {
  const template = await catalog.get(inbox, contentSid);
  const types = Object.keys(template.types);
  if (!types.some((type) => CONVERSATIONS_TYPES.has(type)))
    throw new AppError("validation_failed", `Conversations cannot deliver ${types.join(", ")} templates (Twilio error 50542)`, {
      field: "contentSid",
    });
  for (const [name, value] of Object.entries(contentVariables)) {
    if (!template.placeholders.includes(name))
      throw new AppError("validation_failed", `the template has no placeholder {{${name}}} (it has ${template.placeholders.map((p) => `{{${p}}}`).join(", ") || "none"})`, {
        field: `contentVariables/${name}`,
      });
    if (value.length > MAX_VARIABLE_CHARS)
      throw new AppError("validation_failed", `a content variable is at most ${MAX_VARIABLE_CHARS} characters (Twilio error 50541)`, { field: `contentVariables/${name}` });
  }
  const missing = template.placeholders.find((name) => contentVariables[name] === undefined && template.variables[name] === undefined);
  if (missing) throw new AppError("validation_failed", `the template needs a value for {{${missing}}}`, { field: `contentVariables/${missing}` });
  if (channel === "WhatsApp" && template.whatsapp?.status !== "approved")
    throw new AppError(
      "template_not_approved",
      `WhatsApp has not approved this template (status ${template.whatsapp?.status ?? "unsubmitted"}${template.whatsapp?.rejectionReason ? `: ${template.whatsapp.rejectionReason}` : ""})`,
      { field: "contentSid" },
    );
  return template;
}

/**
 * POST …/messages with `{ contentSid, contentVariables }`: the checked template is sent as the conversation message's
 * `ContentSid` (Twilio renders it for each channel); it needs no open WhatsApp window.
 */
export async function sendTemplateMessage(
  inbox: TenantInbox,
  catalog: TemplateCatalog,
  conversation: ConversationEntry,
  channel: Channel,
  input: { contentSid: string; contentVariables?: Record<string, string>; author?: string; idempotencyKey?: string },
  userId: string,
): Promise<MessageRecord> {
  await checkTemplateSend(inbox, catalog, channel, input.contentSid, input.contentVariables);
  const conversationSid = conversation.record.sid;
  const message = await inbox.gateway.createMessage(conversationSid, {
    author: input.author ?? userId,
    contentSid: input.contentSid,
    ...(input.contentVariables ? { contentVariables: JSON.stringify(input.contentVariables) } : {}),
    attributes: JSON.stringify({
      channel,
      status: "queued",
      direction: "outbound",
      sentBy: userId,
      contentSid: input.contentSid,
      ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
    }),
  });
  inbox.cache.bumpGeneration(messagesGenerationKey(inbox, conversationSid));
  await summariseSentMessage(inbox, message);
  return message;
}
