import { createConversation } from "./conversation-ops.js";
import { createMedia, mediaItemOf } from "./media-ops.js";
import { addMessage } from "./message-ops.js";
import type { OpContext } from "./op-context.js";
import { addParticipant, findBindingHolder } from "./participant-ops.js";
import type { MediaItem, Service } from "./types.js";
import { channelOf } from "./validate-address.js";

export interface InboundInput {
  from: string;
  to: string;
  body: string;
  /** Files the customer sent: each becomes an MCS Media resource attached to the message. */
  media?: InboundMedia[];
  /** Older form: files named by URL (type from the extension, empty content). */
  mediaUrls?: string[];
  /** When the customer sent it (default now): an earlier time lets a test see WhatsApp's 24-hour window closed. */
  dateCreated?: Date;
}

export interface InboundMedia {
  contentType: string;
  filename?: string;
  /** The file; or `size` bytes of filler when absent. */
  bytes?: Buffer;
  size?: number;
}

export interface InboundResult {
  conversationSid: string;
  messageSid: string;
  participantSid: string;
  created: boolean;
}

function fromUrl(url: string): InboundMedia {
  const filename = url.split("/").pop() || "media";
  const extension = filename.split(".").pop()?.toLowerCase();
  const contentType = extension === "png" ? "image/png" : extension === "pdf" ? "application/pdf" : "image/jpeg";
  return { contentType, filename, size: 0 };
}

/**
 * An SMS/WhatsApp message arriving at `to` from `from`: routed to the conversation holding that
 * binding, or (like an Address Configuration with autocreation) to a new one.
 */
export function simulateInbound(op: OpContext, service: Service, input: InboundInput): InboundResult {
  const channelOp: OpContext = { ...op, source: channelOf(input.from) === "whatsapp" ? "WHATSAPP" : "SMS" };
  const holder = findBindingHolder(channelOp, service.sid, input.from, input.to);
  let created = false;
  let conversation = holder?.conversation;
  let participant = holder?.participant;
  if (!conversation || !participant) {
    created = true;
    conversation = createConversation(channelOp, service, {}, {
      "MessagingBinding.Address": input.from,
      "MessagingBinding.ProxyAddress": input.to,
      "MessagingBinding.AuthorAddress": input.from,
      MessageBody: input.body,
    });
    participant = addParticipant(channelOp, conversation, { address: input.from, proxyAddress: input.to });
  }
  const files = [...(input.media ?? []), ...(input.mediaUrls ?? []).map(fromUrl)];
  const stored = files.map((file) =>
    createMedia(op.store, service, {
      contentType: file.contentType,
      filename: file.filename ?? null,
      bytes: file.bytes ?? Buffer.alloc(file.size ?? 0, 0x61),
      author: input.from,
    }),
  );
  const media: MediaItem[] | undefined = stored.length ? stored.map(mediaItemOf) : undefined;
  const message = addMessage(channelOp, conversation, {
    author: input.from,
    ...(input.body !== "" || !media ? { body: input.body } : {}),
    ...(media ? { media } : {}),
    ...(input.dateCreated ? { dateCreated: input.dateCreated } : {}),
  });
  for (const item of stored) {
    item.messageSid = message.sid;
    item.conversationSid = conversation.sid;
  }
  return { conversationSid: conversation.sid, messageSid: message.sid, participantSid: participant.sid, created };
}
