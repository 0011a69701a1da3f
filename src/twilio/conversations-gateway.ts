import type twilio from "twilio";
import type {
  ConversationRecord,
  ConversationState,
  MessageRecord,
  ParticipantRecord,
  ParticipantSpec,
  RecordPage,
  AccountBalance,
  ParticipantConversationRecord,
  ServiceRecord,
} from "../inbox/inbox-types.js";
import { translateTwilioError } from "./twilio-error.js";
import { toBinding, toConversationRecord, toMessageRecord, toParticipantRecord, toServiceRecord } from "./record-mappers.js";
import { ContentGateway } from "./content-gateway.js";
import { ContactsGateway } from "./contacts-gateway.js";

type TwilioClient = ReturnType<typeof twilio>;

/** Before any Conversations Service existed (StartDate must be the start of a day, ISO 8601). */
const EVERY_CONVERSATION_SINCE = "2000-01-01T00:00:00Z";

export interface ConversationUpdate {
  friendlyName?: string;
  attributes?: string;
  state?: ConversationState;
}

/**
 * One tenant's Conversations Service, seen through the twilio SDK. Every method returns the domain's records
 * and throws AppError (Twilio's code kept). Writes ask Twilio to fire its webhooks, so realtime events come
 * from Twilio, never from the write path itself.
 */
export class ConversationsGateway {
  /** The account's Content API templates (same credentials). */
  readonly content: ContentGateway;
  /** The service's Users, where the business API keeps contacts (same credentials). */
  readonly contacts: ContactsGateway;

  constructor(
    private readonly client: TwilioClient,
    readonly serviceSid: string,
    readonly accountSid: string,
    /** The state of this tenant's circuit breaker (for metrics and readiness). */
    readonly circuitState: () => "closed" | "open" | "half-open" = () => "closed",
  ) {
    this.content = new ContentGateway(client);
    this.contacts = new ContactsGateway(client, serviceSid);
  }

  /**
   * The SDK's handle on the service, made once: it builds each resource list (conversations, users…) on first use
   * and keeps it, where a fresh handle per call built the list again on every call (seen in a CPU profile of the
   * webhook path: a read and a write per inbound message).
   */
  private serviceHandle: ReturnType<TwilioClient["conversations"]["v1"]["services"]> | undefined;

  private get service() {
    return (this.serviceHandle ??= this.client.conversations.v1.services(this.serviceSid));
  }

  /** Every conversation of the service, up to `limit`, in Twilio's order. */
  listConversations(limit: number): Promise<ConversationRecord[]> {
    return call(async () => {
      const list = await this.service.conversations.list({ pageSize: Math.min(100, limit), limit });
      return list.map(toConversationRecord);
    });
  }

  /**
   * The service's conversations newest first by creation date, one page (one call) at a time. Twilio lists oldest
   * first unless StartDate or EndDate is given, then "sorted by latest conversation creation date in descending
   * order": a StartDate before any conversation gets every one of them, newest first.
   */
  async *conversationPagesNewestFirst(pageSize: number): AsyncGenerator<ConversationRecord[]> {
    let page: { instances: Parameters<typeof toConversationRecord>[0][]; nextPage(): Promise<any> | undefined } | undefined = await call(() =>
      this.service.conversations.page({ pageSize: Math.min(100, pageSize), startDate: EVERY_CONVERSATION_SINCE }),
    );
    while (page) {
      yield page.instances.map(toConversationRecord);
      const next = page.nextPage();
      page = next ? await call(() => next) : undefined;
    }
  }

  fetchConversation(sid: string): Promise<ConversationRecord> {
    return call(async () => toConversationRecord(await this.service.conversations(sid).fetch()));
  }

  /** Creates the conversation and its participants in one request: Twilio creates all or nothing. */
  createConversation(input: {
    friendlyName?: string;
    attributes: string;
    participants: ParticipantSpec[];
  }): Promise<ConversationRecord> {
    return call(async () => {
      const created = await this.service.conversationWithParticipants.create({
        friendlyName: input.friendlyName,
        attributes: input.attributes,
        participant: input.participants.map(participantJson),
        xTwilioWebhookEnabled: "true",
      });
      return toConversationRecord(created);
    });
  }

  updateConversation(sid: string, update: ConversationUpdate): Promise<ConversationRecord> {
    return call(async () =>
      toConversationRecord(await this.service.conversations(sid).update({ ...update, xTwilioWebhookEnabled: "true" })),
    );
  }

  deleteConversation(sid: string): Promise<void> {
    return call(async () => {
      await this.service.conversations(sid).remove({ xTwilioWebhookEnabled: "true" });
    });
  }

  listParticipants(conversationSid: string): Promise<ParticipantRecord[]> {
    return call(async () => {
      const list = await this.service.conversations(conversationSid).participants.list({ pageSize: 100 });
      return list.map(toParticipantRecord);
    });
  }

  createParticipant(conversationSid: string, spec: ParticipantSpec): Promise<ParticipantRecord> {
    return call(async () => {
      const created = await this.service.conversations(conversationSid).participants.create({
        identity: spec.identity,
        "messagingBinding.address": spec.binding?.address,
        "messagingBinding.proxyAddress": spec.binding?.proxyAddress,
        attributes: spec.attributes,
        xTwilioWebhookEnabled: "true",
      });
      return toParticipantRecord(created);
    });
  }

  deleteParticipant(conversationSid: string, participantSid: string): Promise<void> {
    return call(async () => {
      await this.service.conversations(conversationSid).participants(participantSid).remove({ xTwilioWebhookEnabled: "true" });
    });
  }

  /** One page of messages: a single upstream call. */
  listMessages(
    conversationSid: string,
    options: { order: "asc" | "desc"; limit: number; pageToken?: string },
  ): Promise<RecordPage<MessageRecord>> {
    return call(async () => {
      const page = await this.service
        .conversations(conversationSid)
        .messages.page({ order: options.order, pageSize: options.limit, pageToken: options.pageToken });
      return { items: page.instances.map(toMessageRecord), nextPageToken: pageTokenOf(page.nextPageUrl) };
    });
  }

  /** Adds a message: text, a file uploaded to MCS (`mediaSid`), or a Content API template (`contentSid`). */
  createMessage(
    conversationSid: string,
    input: { author: string; body?: string; attributes: string; mediaSid?: string; contentSid?: string; contentVariables?: string },
  ): Promise<MessageRecord> {
    return call(async () =>
      toMessageRecord(
        await this.service.conversations(conversationSid).messages.create({ ...input, xTwilioWebhookEnabled: "true" }),
      ),
    );
  }

  fetchMessage(conversationSid: string, messageSid: string): Promise<MessageRecord> {
    return call(async () => toMessageRecord(await this.service.conversations(conversationSid).messages(messageSid).fetch()));
  }

  /** Updates a message's attributes without firing webhooks (status bookkeeping must not echo back as events). */
  updateMessageAttributes(conversationSid: string, messageSid: string, attributes: string): Promise<MessageRecord> {
    return call(async () =>
      toMessageRecord(await this.service.conversations(conversationSid).messages(messageSid).update({ attributes })),
    );
  }

  /** Points the service's post-event webhooks at the gateway. */
  configurePostEventWebhook(url: string, filters: string[]): Promise<void> {
    return call(async () => {
      await this.service.configuration.webhooks().update({ postWebhookUrl: url, filters, method: "POST" });
    });
  }

  deleteMessage(conversationSid: string, messageSid: string): Promise<void> {
    return call(async () => {
      await this.service.conversations(conversationSid).messages(messageSid).remove({ xTwilioWebhookEnabled: "true" });
    });
  }

  /** The account's Conversations Services. */
  listServices(limit: number): Promise<ServiceRecord[]> {
    return call(async () => {
      const list = await this.client.conversations.v1.services.list({ pageSize: Math.min(100, limit), limit });
      return list.map(toServiceRecord);
    });
  }

  /** The conversations of this service a messaging address takes part in (Twilio's index; no scan). */
  findConversationsByAddress(address: string, limit = 50): Promise<ParticipantConversationRecord[]> {
    return call(async () => {
      const list = await this.service.participantConversations.list({ address, pageSize: 50, limit });
      return list.map((p) => ({
        conversationSid: p.conversationSid,
        conversationState: (p.conversationState ?? "active") as ConversationRecord["state"],
        participantSid: p.participantSid,
        messagingBinding: toBinding(p.participantMessagingBinding),
      }));
    });
  }

  /** Api 2010 Balance of the account. */
  fetchBalance(): Promise<AccountBalance> {
    return call(async () => {
      const balance = await this.client.api.v2010.accounts(this.accountSid).balance.fetch();
      return { accountSid: balance.accountSid, balance: balance.balance, currency: balance.currency };
    });
  }

  /** Cheapest call that proves Twilio answers with these credentials. */
  checkReachable(): Promise<void> {
    return call(async () => {
      await this.service.fetch();
    });
  }
}

/** ConversationWithParticipants takes each participant as a JSON string of Participant resource parameters. */
function participantJson(spec: ParticipantSpec): string {
  return JSON.stringify({
    identity: spec.identity,
    attributes: spec.attributes,
    messaging_binding: spec.binding ? { address: spec.binding.address, proxy_address: spec.binding.proxyAddress } : undefined,
  });
}

/** Twilio pages carry their cursor as the PageToken query parameter of next_page_url. */
function pageTokenOf(nextPageUrl: string | undefined): string | undefined {
  if (!nextPageUrl) return undefined;
  return new URL(nextPageUrl).searchParams.get("PageToken") ?? undefined;
}

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateTwilioError(error);
  }
}
