import { AppError } from "../errors.js";
import type { TemplateView } from "../templates/template-view.js";

/** A template component in WhatsApp's shape (the business API's request and answer). */
export interface WhatsappComponent {
  type: "HEADER" | "BODY" | "FOOTER" | "BUTTONS";
  format?: "TEXT" | "IMAGE" | "VIDEO" | "DOCUMENT" | "LOCATION";
  text?: string;
  /** HEADER media: the file's public https URL (Twilio fetches it when sending). */
  url?: string;
  example?: { header_handle?: string[] };
  buttons?: Array<{ type: string; text: string; url?: string; phone_number?: string }>;
}

export interface WhatsappTemplateInput {
  name: string;
  category: "MARKETING" | "UTILITY" | "AUTHENTICATION";
  language: string;
  components: WhatsappComponent[];
}

type Types = Record<string, Record<string, unknown>>;

const refuse = (index: number, why: string) => new AppError("validation_failed", `components/${index}: ${why}`, { field: `components/${index}` });

/**
 * WhatsApp's template components → Content API types Conversations delivers:
 * - BODY alone → `twilio/text`; with a media HEADER → `twilio/media`;
 * - QUICK_REPLY buttons → `twilio/quick-reply`; URL / PHONE_NUMBER buttons → `twilio/call-to-action`;
 * - a FOOTER, or buttons beside a media header, or both kinds of buttons → `twilio/card` (title = body,
 *   subtitle = footer);
 * - a TEXT HEADER has no Content API field Conversations delivers: it becomes the body's first line, in bold.
 * Refused (400 naming the component and why): AUTHENTICATION templates, LOCATION headers, and OTP, COPY_CODE,
 * FLOW, CATALOG and MPM buttons (their Content types — whatsapp/authentication, twilio/flows, twilio/catalog — are
 * not delivered by Conversations: Twilio error 50542).
 */
export function toContentTypes(input: WhatsappTemplateInput): Types {
  if (input.category === "AUTHENTICATION")
    throw new AppError(
      "validation_failed",
      "category AUTHENTICATION: its Content type (whatsapp/authentication) is not delivered by Conversations (Twilio error 50542)",
      { field: "category" },
    );
  const bodies = input.components.map((c, i) => [c, i] as const).filter(([c]) => c.type === "BODY");
  if (bodies.length !== 1) throw new AppError("validation_failed", "components must hold exactly one BODY", { field: "components" });
  let body = bodies[0]![0].text ?? "";
  if (!body.trim()) throw refuse(bodies[0]![1], "BODY needs text");
  let media: string | undefined;
  let footer: string | undefined;
  const quickReplies: Array<{ title: string; id: string }> = [];
  const actions: Array<Record<string, string>> = [];
  const seen = new Set<string>();
  input.components.forEach((component, index) => {
    if (component.type !== "BODY" && seen.has(component.type)) throw refuse(index, `only one ${component.type} component`);
    seen.add(component.type);
    if (component.type === "HEADER") {
      const format = component.format ?? "TEXT";
      if (format === "LOCATION") throw refuse(index, "a LOCATION header has no Content type Conversations delivers beside a body (Twilio error 50542)");
      if (format === "TEXT") {
        if (!component.text?.trim()) throw refuse(index, "a TEXT header needs text");
        body = `*${component.text.trim()}*\n${body}`;
      } else {
        media = component.url ?? component.example?.header_handle?.[0];
        if (!media || !/^https:\/\//.test(media)) throw refuse(index, `a ${format} header needs the file's https URL (url)`);
      }
    } else if (component.type === "FOOTER") {
      if (!component.text?.trim()) throw refuse(index, "a FOOTER needs text");
      footer = component.text.trim();
    } else if (component.type === "BUTTONS") {
      for (const [b, button] of (component.buttons ?? []).entries()) {
        if (button.type === "QUICK_REPLY") quickReplies.push({ title: button.text, id: `reply_${b + 1}` });
        else if (button.type === "URL" && button.url) actions.push({ type: "URL", title: button.text, url: button.url });
        else if (button.type === "PHONE_NUMBER" && button.phone_number) actions.push({ type: "PHONE_NUMBER", title: button.text, phone: button.phone_number });
        else
          throw refuse(
            index,
            `buttons/${b}: ${button.type} buttons ${button.type === "URL" || button.type === "PHONE_NUMBER" ? "need url or phone_number" : "have no Content type Conversations delivers (Twilio error 50542)"}`,
          );
      }
      if (quickReplies.length + actions.length === 0) throw refuse(index, "BUTTONS needs at least one button");
    }
  });
  const needsCard = footer !== undefined || (media !== undefined && quickReplies.length + actions.length > 0) || (quickReplies.length > 0 && actions.length > 0);
  if (needsCard)
    return {
      "twilio/card": {
        title: body,
        ...(footer ? { subtitle: footer } : {}),
        ...(media ? { media: [media] } : {}),
        ...(quickReplies.length + actions.length > 0 ? { actions: [...quickReplies.map((q) => ({ type: "QUICK_REPLY", ...q })), ...actions] } : {}),
      },
    };
  if (quickReplies.length > 0) return { "twilio/quick-reply": { body, actions: quickReplies } };
  if (actions.length > 0) return { "twilio/call-to-action": { body, actions } };
  if (media) return { "twilio/media": { body, media: [media] } };
  return { "twilio/text": { body } };
}

/** WhatsApp's approval status in the business API's words (NOT_SUBMITTED before any request). */
export function approvalStatus(view: TemplateView): string {
  const status = view.whatsapp?.status?.toLowerCase();
  if (!status || status === "unsubmitted") return "NOT_SUBMITTED";
  return status === "received" ? "PENDING" : status.toUpperCase();
}

/** A tenant template in WhatsApp's shape, read back from its Content types. */
export function toWhatsappTemplate(view: TemplateView) {
  const [type, content] = (Object.entries(view.types)[0] ?? ["twilio/text", {}]) as [string, Record<string, any>];
  const components: WhatsappComponent[] = [];
  const media = (content.media as string[] | undefined)?.[0];
  if (media) components.push({ type: "HEADER", format: /\.(mp4|3gp)(\?|$)/i.test(media) ? "VIDEO" : /\.(pdf|docx?)(\?|$)/i.test(media) ? "DOCUMENT" : "IMAGE", url: media });
  components.push({ type: "BODY", text: String(type === "twilio/card" ? (content.title ?? "") : (content.body ?? "")) });
  if (content.subtitle) components.push({ type: "FOOTER", text: String(content.subtitle) });
  const actions = (content.actions as Array<Record<string, string>> | undefined) ?? [];
  if (actions.length > 0)
    components.push({
      type: "BUTTONS",
      buttons: actions.map((action) =>
        type === "twilio/quick-reply" || action.type === "QUICK_REPLY"
          ? { type: "QUICK_REPLY", text: action.title! }
          : action.type === "PHONE_NUMBER"
            ? { type: "PHONE_NUMBER", text: action.title!, phone_number: action.phone! }
            : { type: "URL", text: action.title!, url: action.url! },
      ),
    });
  return {
    id: view.sid,
    name: view.whatsapp?.name ?? view.friendlyName,
    category: view.whatsapp?.category ?? null,
    language: view.language,
    status: approvalStatus(view),
    rejectionReason: view.whatsapp?.rejectionReason ?? null,
    components,
    contentType: type,
    placeholders: view.placeholders,
    createdAt: view.dateCreated,
    updatedAt: view.dateUpdated,
  };
}
