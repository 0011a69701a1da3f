import type { Context } from "koa";
import type {
  ConversationRecord,
  MessageRecord,
  MessagingBinding,
  ParticipantRecord,
  ServiceRecord,
} from "../../inbox/inbox-types.js";

/**
 * The PHP-compatible surface (seed 004) answers Twilio's own snake_case JSON, as that backend passed Twilio's
 * responses through. `url`s are the resources' Twilio URLs (service-scoped: every tenant has its own service).
 */
const SERVICES_URL = "https://conversations.twilio.com/v1/Services";

const conversationUrl = (serviceSid: string, sid: string) => `${SERVICES_URL}/${serviceSid}/Conversations/${sid}`;

/** A Conversation resource; `attributes` defaults to the record's (pass the public ones, without the summary). */
export function conversationJson(record: ConversationRecord, attributes = record.attributes) {
  return {
    sid: record.sid,
    account_sid: record.accountSid,
    chat_service_sid: record.chatServiceSid,
    friendly_name: record.friendlyName,
    unique_name: record.uniqueName,
    attributes,
    state: record.state,
    date_created: record.dateCreated,
    date_updated: record.dateUpdated,
    url: conversationUrl(record.chatServiceSid, record.sid),
  };
}

/** `messaging_binding` as Twilio writes it. */
export function bindingJson(binding: MessagingBinding | null) {
  return binding ? { type: binding.type, address: binding.address, proxy_address: binding.proxyAddress } : null;
}

/** A Participant resource; `scope` is the tenant's account and service, which the record does not carry. */
export function participantJson(scope: { accountSid: string; serviceSid: string }, participant: ParticipantRecord) {
  return {
    sid: participant.sid,
    account_sid: scope.accountSid,
    conversation_sid: participant.conversationSid,
    identity: participant.identity,
    attributes: participant.attributes,
    messaging_binding: bindingJson(participant.messagingBinding),
    role_sid: null,
    date_created: participant.dateCreated,
    date_updated: participant.dateUpdated,
    url: `${conversationUrl(scope.serviceSid, participant.conversationSid)}/Participants/${participant.sid}`,
  };
}

/** A conversation Message resource. */
export function messageJson(scope: { accountSid: string; serviceSid: string }, message: MessageRecord) {
  return {
    sid: message.sid,
    account_sid: scope.accountSid,
    conversation_sid: message.conversationSid,
    index: message.index,
    author: message.author,
    body: message.body,
    attributes: message.attributes,
    participant_sid: message.participantSid,
    delivery: message.delivery,
    date_created: message.dateCreated,
    date_updated: message.dateUpdated,
    url: `${conversationUrl(scope.serviceSid, message.conversationSid)}/Messages/${message.sid}`,
    // Twilio's `media` field names, with the gateway's download URL (no Twilio URL reaches the client).
    ...(message.media
      ? { media: message.media.map((item) => ({ sid: item.sid, content_type: item.contentType, filename: item.filename, size: item.size, url: item.url })) }
      : {}),
  };
}

/** A Conversations Service resource. */
export function serviceJson(service: ServiceRecord) {
  return {
    sid: service.sid,
    account_sid: service.accountSid,
    friendly_name: service.friendlyName,
    date_created: service.dateCreated,
    date_updated: service.dateUpdated,
    url: `${SERVICES_URL}/${service.sid}`,
  };
}

type QueryChanges = Record<string, string | number | null>;

/**
 * Twilio's page `meta`, with URLs of this endpoint: the path and query as requested, with `changes` applied
 * (`null` drops a parameter). `next`/`previous` are the changes that reach those pages; absent when there is none.
 */
export function pageMeta(
  ctx: Context,
  key: string,
  page: { page: number; pageSize: number; first?: QueryChanges; next?: QueryChanges; previous?: QueryChanges },
) {
  const url = (changes: QueryChanges) => {
    const query = new URLSearchParams(ctx.querystring);
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) query.delete(name);
      else query.set(name, String(value));
    }
    return `${ctx.path}?${query.toString()}`;
  };
  return {
    page: page.page,
    page_size: page.pageSize,
    first_page_url: url({ ...page.first, page: 0 }),
    previous_page_url: page.previous ? url(page.previous) : null,
    url: url({}),
    next_page_url: page.next ? url(page.next) : null,
    key,
  };
}
