import { AppError } from "../errors.js";
import { createConversation } from "../inbox/create-conversation.js";
import type { ConversationEntry } from "../inbox/conversation-directory.js";
import { findConversationsByPhone } from "../inbox/find-conversations-by-phone.js";
import type { Channel, MessageRecord } from "../inbox/inbox-types.js";
import { sendMessage } from "../inbox/send-message.js";
import { rulesFor } from "../media/channel-media-rules.js";
import type { RemoteMediaFetcher, RemoteMediaRequirements } from "../media/remote-media-fetch.js";
import { sendUploadedMedia } from "../media/send-media-message.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import type { TemplateCatalog } from "../templates/template-catalog.js";
import { checkTemplateSend } from "../templates/send-template-message.js";
import { statusOf } from "./business-conversation.js";

export interface BusinessSendInput {
  to: string;
  type: "text" | "image" | "video" | "audio" | "document" | "template";
  content: { text?: string; mediaUrl?: string; caption?: string; contentSid?: string; variables?: Record<string, string> };
  /** `sms` forces SMS; default: WhatsApp when the tenant has a WhatsApp sender, else SMS. */
  channel?: "whatsapp" | "sms";
}

/** How many of a number's conversations are looked at to find its open one (Twilio's address index). */
const PHONE_CONVERSATIONS_SCANNED = 20;

/**
 * The channel a send to a number uses: the one asked for, else WhatsApp when the tenant has a WhatsApp sender, else
 * SMS; refused (409, as on every surface) while the tenant's settings name no sender for it.
 */
export function channelFor(inbox: TenantInbox, asked: BusinessSendInput["channel"]): Channel {
  const channel: Channel = asked === "sms" ? "SMS" : asked === "whatsapp" ? "WhatsApp" : inbox.tenant.whatsappNumber ? "WhatsApp" : "SMS";
  if (channel === "WhatsApp" && !inbox.tenant.whatsappNumber)
    throw new AppError("conflict", "this tenant has no WhatsApp sender yet: name one in its settings (whatsappConfig.number), or send with channel sms", { field: "channel" });
  if (channel === "SMS" && !inbox.tenant.phoneNumber)
    throw new AppError("conflict", "this tenant has no SMS sender yet: name one in its settings (smsConfig.phoneNumber)", { field: "channel" });
  return channel;
}

/**
 * The customer's conversation on `channel`: the most recently active one Twilio's address index lists that is not
 * ended (Twilio `closed`), else a new one with the customer as a participant. Serialised per number, so two sends
 * to a new number at once open one conversation, not two.
 */
export function openConversationFor(inbox: TenantInbox, phone: string, channel: Channel, canStart = true): Promise<ConversationEntry> {
  return inbox.conversationLock.acquire(`business-open:${channel}:${phone}`, async () => {
    const found = (await findConversationsByPhone(inbox, phone, PHONE_CONVERSATIONS_SCANNED))
      .map((match) => match.entry)
      .filter((entry) => entry.record.state !== "closed" && (entry.attributes.channel ?? "SMS") === channel)
      .sort((a, b) => Number(statusOf(a) === "CLOSED") - Number(statusOf(b) === "CLOSED") || b.lastActivityMs - a.lastActivityMs);
    if (found[0]) return found[0];
    if (!canStart)
      // Checked here, before anything is created: a conversation opened for a send that is refused would stay behind.
      throw new AppError("whatsapp_window_closed", "WhatsApp allows free-form messages only within 24 hours of the customer's last message: send an approved template", {
        field: "type",
      });
    const view = await createConversation(inbox, { friendlyName: phone, participants: [{ phoneNumber: phone }], attributes: { channel } });
    return inbox.directory.get(view.sid);
  });
}

/** The message types sent as a file fetched from `content.mediaUrl`. */
const MEDIA_TYPES = new Set<BusinessSendInput["type"]>(["image", "video", "audio", "document"]);

/**
 * POST /api/messages — text, a template, or a file by URL to a number, in the customer's open conversation (opened
 * when there is none). A file is fetched (src/media/remote-media-fetch.ts) and checked before any conversation is
 * opened for it, then sent as the chat API sends an upload.
 */
export async function sendBusinessMessage(
  inbox: TenantInbox,
  input: BusinessSendInput,
  userId: string,
  templates: TemplateCatalog,
  mediaFetcher: RemoteMediaFetcher,
): Promise<{ message: MessageRecord; conversation: ConversationEntry }> {
  if (input.type === "text" && !input.content.text?.trim()) throw new AppError("validation_failed", "content.text is required for a text message", { field: "content/text" });
  if (input.type === "template" && !input.content.contentSid)
    throw new AppError("validation_failed", "content.contentSid (a template of this tenant) is required for a template message", { field: "content/contentSid" });
  if (MEDIA_TYPES.has(input.type)) {
    if (!input.content.mediaUrl) throw new AppError("validation_failed", `content.mediaUrl is required for ${input.type === "image" ? "an" : "a"} ${input.type} message`, { field: "content/mediaUrl" });
    // The URL's own checks before anything else: a refused URL costs no call to Twilio or to its host.
    const url = mediaFetcher.check(input.content.mediaUrl);
    const channel = channelFor(inbox, input.channel);
    // A file is free-form: on WhatsApp the customer's conversation must exist already (found, never created, before
    // the URL is fetched); elsewhere one is opened only once the file is fetched and checked.
    const existing = channel === "WhatsApp" ? await openConversationFor(inbox, input.to, channel, false) : undefined;
    const upload = await mediaFetcher.fetch(url, mediaRequirements(channel, input.type as MediaType), {
      tenantId: inbox.tenant.id,
      caption: input.content.caption,
    });
    try {
      const conversation = existing ?? (await openConversationFor(inbox, input.to, channel));
      return { message: await sendUploadedMedia(inbox, conversation.record.sid, upload, { userId }), conversation };
    } finally {
      await upload.cleanup();
    }
  }
  const channel = channelFor(inbox, input.channel);
  // A template is checked before a conversation is opened for it (nothing is created for a send that will fail).
  if (input.type === "template") await checkTemplateSend(inbox, templates, channel, input.content.contentSid!, input.content.variables);
  // A new WhatsApp conversation has no customer service window: only a template may start it.
  const conversation = await openConversationFor(inbox, input.to, channel, !(channel === "WhatsApp" && input.type === "text"));
  const message = await sendMessage(
    inbox,
    conversation.record.sid,
    input.type === "text"
      ? { body: input.content.text }
      : { contentSid: input.content.contentSid, ...(input.content.variables ? { contentVariables: input.content.variables } : {}) },
    userId,
    templates,
  );
  return { message, conversation };
}

type MediaType = "image" | "video" | "audio" | "document";

/**
 * What a fetched file must be: a type the channel takes (the chat API's rules, channel-media-rules.ts) that is what
 * the message says it is (an image is image/*; a document is none of image, video, audio), within the channel's size
 * for that type.
 */
function mediaRequirements(channel: Channel, type: MediaType): RemoteMediaRequirements {
  const rules = rulesFor(channel);
  return {
    accept(contentType) {
      const kind = contentType.split("/")[0]!;
      const matches = type === "document" ? !["image", "video", "audio"].includes(kind) : kind === type;
      if (!matches) throw new AppError("unsupported_media_type", `content.mediaUrl serves ${contentType}, not ${type === "image" ? "an" : "a"} ${type}`, { field: "content/mediaUrl" });
      if (rules.contentTypes && !rules.contentTypes.has(contentType))
        throw new AppError("unsupported_media_type", `${channel} does not accept ${contentType}`, { field: "content/mediaUrl" });
    },
    maxBytes: (contentType) => Math.min(rules.maxFileBytes(contentType), rules.maxTotalBytes),
  };
}
