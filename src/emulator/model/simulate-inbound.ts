import { newSid } from "../sid.js";
import { createConversation } from "./conversation-ops.js";
import { addMessage } from "./message-ops.js";
import type { OpContext } from "./op-context.js";
import { addParticipant, findBindingHolder } from "./participant-ops.js";
import type { MediaItem, Service } from "./types.js";
import { channelOf } from "./validate-address.js";

export interface InboundInput {
  from: string;
  to: string;
  body: string;
  mediaUrls?: string[];
}

export interface InboundResult {
  conversationSid: string;
  messageSid: string;
  participantSid: string;
  created: boolean;
}

function mediaFor(url: string): MediaItem {
  const filename = url.split("/").pop() || "media";
  const extension = filename.split(".").pop()?.toLowerCase();
  const type = extension === "png" ? "image/png" : extension === "pdf" ? "application/pdf" : "image/jpeg";
  return { sid: newSid("ME"), content_type: type, filename, size: 0, category: "media" };
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
  const media = input.mediaUrls?.length ? input.mediaUrls.map(mediaFor) : undefined;
  const message = addMessage(channelOp, conversation, {
    author: input.from,
    ...(input.body !== "" || !media ? { body: input.body } : {}),
    ...(media ? { media } : {}),
  });
  return { conversationSid: conversation.sid, messageSid: message.sid, participantSid: participant.sid, created };
}
