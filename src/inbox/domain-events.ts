import { EventEmitter } from "node:events";
import type { ConversationEntry } from "./conversation-directory.js";
import type { ConversationView, MessageRecord } from "./inbox-types.js";

/** Message delivery states, in the order they advance; `failed`/`undelivered` end a message's journey. */
export type DeliveryStatus = "queued" | "sent" | "delivered" | "read" | "failed" | "undelivered";

/**
 * The one list of domain events. Webhooks (and REST writes, where Twilio reports nothing) publish them; only the
 * realtime broadcaster knows rooms and payload shapes.
 */
export interface DomainEventMap {
  /** A customer's message arrived (SMS, WhatsApp, Email). */
  "message.received": { tenantId: string; conversationSid: string; message: MessageRecord };
  /** A message by a gateway user (agent) was accepted by Twilio. */
  "message.sent": { tenantId: string; conversationSid: string; message: MessageRecord };
  /**
   * The conversation's attributes, state or name changed. `entry` is the conversation as of that change and
   * `conversation` its view (see `conversationUpdate`): a listener builds its payload from these alone, never from a
   * later cache read, so what it sends is a state Twilio held (not an unread count of one time beside a preview of
   * another).
   */
  "conversation.updated": { tenantId: string; conversationSid: string; entry: ConversationEntry; conversation: ConversationView };
  "conversation.removed": { tenantId: string; conversationSid: string };
  /** A message was deleted in Twilio (by this gateway or another app). */
  "message.removed": { tenantId: string; conversationSid: string; messageSid: string };
  /** A user started or stopped typing in a conversation (relayed between every realtime surface). */
  "typing.changed": { tenantId: string; conversationSid: string; userId: string; typing: boolean; originSocketId: string };
  /** Twilio or SendGrid reported progress of a message's delivery. */
  "delivery.receipt": {
    tenantId: string;
    conversationSid: string;
    messageSid: string;
    status: DeliveryStatus | "opened" | "clicked";
    channel: "SMS" | "WhatsApp" | "Email";
    errorCode?: number;
    reason?: string;
  };
}

export type DomainEventName = keyof DomainEventMap;

/** A typed, synchronous in-process event bus. */
export class DomainEvents {
  private readonly emitter = new EventEmitter({ captureRejections: true });

  constructor() {
    this.emitter.setMaxListeners(50);
  }

  on<K extends DomainEventName>(name: K, listener: (event: DomainEventMap[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }

  publish<K extends DomainEventName>(name: K, event: DomainEventMap[K]): void {
    this.emitter.emit(name, event);
  }
}
