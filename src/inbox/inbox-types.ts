/** The domain's records: what Twilio stores, in the gateway's camelCase with ISO 8601 dates. No SDK objects. */

export type ConversationState = "active" | "inactive" | "closed";
export type Channel = "SMS" | "WhatsApp" | "Email";

export interface ConversationRecord {
  sid: string;
  accountSid: string;
  chatServiceSid: string;
  friendlyName: string | null;
  uniqueName: string | null;
  /** JSON string, as Twilio stores it. */
  attributes: string;
  state: ConversationState;
  dateCreated: string;
  dateUpdated: string;
}

export interface MessagingBinding {
  type: "sms" | "whatsapp" | string;
  address: string;
  proxyAddress: string | null;
}

export interface ParticipantRecord {
  sid: string;
  conversationSid: string;
  identity: string | null;
  attributes: string;
  messagingBinding: MessagingBinding | null;
  dateCreated: string;
  dateUpdated: string;
}

export interface DeliverySummary {
  total: number;
  sent: string;
  delivered: string;
  read: string;
  failed: string;
  undelivered: string;
}

/** A file attached to a message (Twilio's Media resource), with the gateway's download URL. */
export interface MessageMedia {
  sid: string;
  contentType: string;
  filename: string | null;
  size: number;
  /** The chat API's download path: GET streams the file for users of the owning tenant. */
  url: string;
}

export interface MessageRecord {
  sid: string;
  conversationSid: string;
  index: number;
  author: string | null;
  body: string | null;
  /** JSON string: { channel, status, ... }. */
  attributes: string;
  participantSid: string | null;
  delivery: DeliverySummary | null;
  dateCreated: string;
  dateUpdated: string;
  /** Present when the message carries files. */
  media?: MessageMedia[];
  /** The Content API template it was sent from (HX…), when it was. */
  contentSid?: string;
}

/** A conversation as the API returns it: the record plus what the inbox list shows beside it. */
export interface ConversationView extends ConversationRecord {
  participants?: ParticipantRecord[];
  latestMessage?: MessageRecord;
  /** WhatsApp conversations only: whether free-form messages may be sent, and until when. */
  whatsappWindow?: { open: boolean; expiresAt: string | null };
}

/** How to reach a new participant: exactly one of these. */
export type ParticipantTarget =
  | { kind: "user"; userId: string }
  | { kind: "phone"; phoneNumber: string }
  | { kind: "email"; email: string };

/** A participant ready for Twilio: a chat identity or a messaging binding. */
export interface ParticipantSpec {
  identity?: string;
  binding?: { address: string; proxyAddress: string };
  attributes?: string;
}

/** A page of records and, when Twilio has more, the token of the next page. */
export interface RecordPage<T> {
  items: T[];
  nextPageToken?: string;
}

export interface ServiceRecord {
  sid: string;
  accountSid: string;
  friendlyName: string | null;
  dateCreated: string;
  dateUpdated: string;
}

/** A conversation a participant address (or identity) takes part in, as ParticipantConversations reports it. */
export interface ParticipantConversationRecord {
  conversationSid: string;
  conversationState: ConversationState;
  participantSid: string;
  messagingBinding: MessagingBinding | null;
}

export interface AccountBalance {
  accountSid: string;
  balance: string;
  currency: string;
}
