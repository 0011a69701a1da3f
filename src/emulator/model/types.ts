/** In-memory records of the emulator. Field names follow the Twilio resources they back. */

export type ConversationState = "active" | "inactive" | "closed";
export type ReceiptStatus = "sent" | "delivered" | "read" | "failed" | "undelivered";

export interface Account {
  sid: string;
  friendlyName: string;
  authToken: string;
  balance: string;
  defaultServiceSid: string;
}

/** A Standard API key: authenticates as its account (Basic auth `SK…:secret`), but may not manage keys. */
export interface ApiKey {
  sid: string;
  accountSid: string;
  friendlyName: string | null;
  secret: string;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface WebhookConfig {
  preWebhookUrl: string | null;
  postWebhookUrl: string | null;
  filters: string[];
  method: "GET" | "POST";
}

export interface Service {
  sid: string;
  accountSid: string;
  friendlyName: string;
  dateCreated: Date;
  dateUpdated: Date;
  webhooks: WebhookConfig;
  /** The service's default user role (`role_sid` of its Users when none is given). */
  userRoleSid: string;
}

/** A Conversations User: identity unique within its service (case-sensitive, as on Twilio). */
export interface User {
  sid: string;
  accountSid: string;
  serviceSid: string;
  identity: string;
  friendlyName: string | null;
  attributes: string;
  roleSid: string;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface Timers {
  dateInactive: Date | null;
  dateClosed: Date | null;
}

export interface Conversation {
  sid: string;
  accountSid: string;
  serviceSid: string;
  messagingServiceSid: string | null;
  friendlyName: string | null;
  uniqueName: string | null;
  attributes: string;
  state: ConversationState;
  timers: Timers;
  dateCreated: Date;
  dateUpdated: Date;
  /** Next message index; never reused after a delete. */
  nextIndex: number;
  createdBy: string | null;
}

export interface MessagingBinding {
  type: "sms" | "whatsapp";
  address: string | null;
  proxyAddress: string | null;
  projectedAddress: string | null;
}

export interface Participant {
  sid: string;
  accountSid: string;
  serviceSid: string;
  conversationSid: string;
  identity: string | null;
  attributes: string;
  messagingBinding: MessagingBinding | null;
  roleSid: string | null;
  dateCreated: Date;
  dateUpdated: Date;
  lastReadMessageIndex: number | null;
  lastReadTimestamp: string | null;
}

export interface MediaItem {
  sid: string;
  content_type: string;
  filename: string | null;
  size: number;
  category: "media";
}

/**
 * A Media resource of the Media Content Service (MCS): the file itself, and the message it was attached to
 * (https://www.twilio.com/docs/conversations/api/media-resource).
 */
export interface StoredMedia {
  sid: string;
  accountSid: string;
  serviceSid: string;
  contentType: string;
  filename: string | null;
  author: string;
  bytes: Buffer;
  conversationSid: string | null;
  messageSid: string | null;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface Message {
  sid: string;
  accountSid: string;
  serviceSid: string;
  conversationSid: string;
  index: number;
  author: string;
  body: string | null;
  media: MediaItem[] | null;
  attributes: string;
  participantSid: string | null;
  contentSid: string | null;
  dateCreated: Date;
  dateUpdated: Date;
  /** Participants (non-chat, not the author) the message is delivered to. */
  recipientSids: string[];
}

export interface Receipt {
  sid: string;
  accountSid: string;
  serviceSid: string;
  conversationSid: string;
  messageSid: string;
  participantSid: string;
  channelMessageSid: string;
  status: ReceiptStatus;
  errorCode: number;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface ApiMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  body: string;
  status: string;
  direction: "inbound" | "outbound-api";
  messagingServiceSid: string | null;
  numMedia: number;
  errorCode: number | null;
  errorMessage: string | null;
  dateCreated: Date;
  dateUpdated: Date;
  dateSent: Date | null;
}

/** WhatsApp's verdict on a Content template (the `whatsapp` approval request). */
export interface ContentApproval {
  name: string;
  category: string;
  contentType: string;
  /** unsubmitted → received/pending → approved | rejected; later paused or disabled (moved on Twilio's side). */
  status: string;
  rejectionReason: string;
  allowCategoryChange: boolean;
}

/** A Content API template (https://www.twilio.com/docs/content/content-api-resources). */
export interface Content {
  sid: string;
  accountSid: string;
  friendlyName: string;
  language: string;
  variables: Record<string, string>;
  types: Record<string, Record<string, unknown>>;
  approval: ContentApproval | null;
  dateCreated: Date;
  dateUpdated: Date;
}

/** A file of a Programmable Messaging message (Api 2010 Media): what an inbound MMS/WhatsApp webhook's MediaUrl names. */
export interface MessagingMedia {
  sid: string;
  accountSid: string;
  messageSid: string;
  contentType: string;
  bytes: Buffer;
}
