/** A post-event webhook waiting to be delivered to the service's PostWebhookUrl. */
export interface WebhookEvent {
  accountSid: string;
  serviceSid: string;
  eventType: WebhookEventType;
  /** Form parameters, without RetryCount (the dispatcher adds it per attempt). */
  params: Record<string, string>;
}

export type WebhookEventType =
  | "onConversationAdded"
  | "onConversationUpdated"
  | "onConversationRemoved"
  | "onConversationStateUpdated"
  | "onMessageAdded"
  | "onMessageUpdated"
  | "onMessageRemoved"
  | "onParticipantAdded"
  | "onParticipantUpdated"
  | "onParticipantRemoved"
  | "onDeliveryUpdated";

/** Where a change came from, as Twilio reports it in `Source`. */
export type EventSource = "API" | "SMS" | "WHATSAPP" | "SDK";

/** Receives the events an operation produced; routes drop them unless webhooks are enabled. */
export type EventSink = (event: WebhookEvent) => void;
