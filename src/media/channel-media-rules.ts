import { AppError } from "../errors.js";
import type { Channel } from "../inbox/inbox-types.js";

const MB = 1024 * 1024;

/**
 * What each channel accepts in one message, checked before anything is uploaded to Twilio.
 * - WhatsApp: 16 MB per message, 5 MB for images; images JPG/JPEG/PNG/WEBP, audio OGG/AMR/3GP/AAC/MPEG, documents
 *   PDF/DOC/DOCX/PPTX/XLSX, video MP4, contacts vCard ("Guidance on WhatsApp Media Messages",
 *   https://www.twilio.com/docs/whatsapp/guidance-whatsapp-media-messages). One file per message: a Conversations
 *   message takes one `MediaSid` (Conversation Message resource, https://www.twilio.com/docs/conversations/api/conversation-message-resource).
 * - SMS (MMS): up to 10 files, 5 MB in total ("Media subresource", https://www.twilio.com/docs/api/rest/media); sent
 *   as one conversation message per file, the text with the first.
 * - Email: SendGrid's `attachments`, base64 in the JSON body, whose whole size must stay under 30 MB (SendGrid's Mail
 *   Send limit, https://github.com/sendgrid/sendgrid-php/issues/491): 22 MB of files leave room for base64's 4/3 and
 *   the rest of the mail. At most 10 files is the gateway's own bound.
 */
export interface ChannelMediaRules {
  maxFiles: number;
  maxTotalBytes: number;
  /** Largest single file of a content type. */
  maxFileBytes(contentType: string): number;
  /** Undefined: any type. */
  contentTypes?: ReadonlySet<string>;
}

const WHATSAPP_TYPES = new Set([
  "image/jpeg",
  "image/png",
  "image/webp",
  "audio/ogg",
  "audio/amr",
  "audio/3gpp",
  "audio/aac",
  "audio/mpeg",
  "video/mp4",
  "application/pdf",
  "application/msword",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "text/vcard",
]);

export const MEDIA_RULES: Record<Channel, ChannelMediaRules> = {
  WhatsApp: {
    maxFiles: 1,
    maxTotalBytes: 16 * MB,
    maxFileBytes: (type) => (type.startsWith("image/") ? 5 * MB : 16 * MB),
    contentTypes: WHATSAPP_TYPES,
  },
  SMS: {
    maxFiles: 10,
    maxTotalBytes: 5 * MB,
    maxFileBytes: () => 5 * MB,
  },
  Email: {
    maxFiles: 10,
    maxTotalBytes: 22 * MB,
    maxFileBytes: () => 22 * MB,
  },
};

/** What the streaming parser accepts before the channel is known: the loosest of the channels' rules. */
export const UPLOAD_BOUNDS = {
  maxFiles: Math.max(...Object.values(MEDIA_RULES).map((rules) => rules.maxFiles)),
  maxFileBytes: Math.max(...Object.values(MEDIA_RULES).map((rules) => Math.max(rules.maxFileBytes("image/"), rules.maxFileBytes("application/")))),
  maxTotalBytes: Math.max(...Object.values(MEDIA_RULES).map((rules) => rules.maxTotalBytes)),
};

/**
 * Checks files already read against the channel: how many, of which types, how large each and together
 * (400, 415, 413, each naming `file`).
 */
export function assertUploadFits(channel: Channel, rules: ChannelMediaRules, files: ReadonlyArray<{ contentType: string; size: number }>): void {
  if (files.length > rules.maxFiles)
    throw new AppError("validation_failed", `${channel} takes at most ${rules.maxFiles} file${rules.maxFiles === 1 ? "" : "s"} in one message`, { field: "file" });
  let total = 0;
  for (const file of files) {
    assertContentType(channel, rules, file.contentType);
    const max = rules.maxFileBytes(file.contentType);
    if (file.size > max) throw new AppError("payload_too_large", `${channel} takes files of ${file.contentType} up to ${max} bytes`, { field: "file" });
    total += file.size;
  }
  if (total > rules.maxTotalBytes)
    throw new AppError("payload_too_large", `${channel} takes up to ${rules.maxTotalBytes} bytes of files in one message`, { field: "file" });
}

export function rulesFor(channel: Channel): ChannelMediaRules {
  return MEDIA_RULES[channel];
}

/** 415 unless the channel takes this content type. */
function assertContentType(channel: Channel, rules: ChannelMediaRules, contentType: string): void {
  if (rules.contentTypes && !rules.contentTypes.has(contentType))
    throw new AppError("unsupported_media_type", `${channel} does not accept ${contentType || "files without a content type"}`, { field: "file" });
}

/**
 * The first bytes of common formats: a file declared as one of these must start like it (a renamed executable
 * declared as image/png is refused, not sent to a customer).
 */
const SIGNATURES: Record<string, (head: Buffer) => boolean> = {
  "image/jpeg": (head) => head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff,
  "image/png": (head) => head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  "image/webp": (head) => head.subarray(0, 4).toString("latin1") === "RIFF" && head.subarray(8, 12).toString("latin1") === "WEBP",
  "application/pdf": (head) => head.subarray(0, 5).toString("latin1") === "%PDF-",
};

/** 415 (naming `field`) unless `head`, a file's first bytes, starts as its declared type must. */
export function assertContentMatches(contentType: string, head: Buffer, field = "file"): void {
  const matches = SIGNATURES[contentType];
  if (matches && !matches(head)) throw new AppError("unsupported_media_type", `the file's content is not ${contentType}`, { field });
}
