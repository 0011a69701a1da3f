import { newSecret, newSid } from "../sid.js";
import { notFound } from "../twilio-error.js";
import type {
  Account,
  ApiKey,
  ApiMessage,
  Content,
  Conversation,
  Message,
  MessagingMedia,
  Participant,
  Receipt,
  Service,
  User,
  StoredMedia,
} from "./types.js";

/** All emulator state, keyed by SID. Maps keep insertion order, which is the list order. */
export class Store {
  readonly accounts = new Map<string, Account>();
  readonly apiKeys = new Map<string, ApiKey>();
  readonly services = new Map<string, Service>();
  readonly conversations = new Map<string, Conversation>();
  readonly participants = new Map<string, Participant>();
  readonly messages = new Map<string, Message>();
  readonly receipts = new Map<string, Receipt>();
  readonly apiMessages = new Map<string, ApiMessage>();
  /** Users by US… SID; add and remove them with addUser / deleteUser, which keep the identity index. */
  readonly users = new Map<string, User>();
  /** User SIDs by service and identity: a create checks uniqueness without scanning every user (10,000-row imports). */
  private readonly userSidByIdentity = new Map<string, string>();
  /** MCS Media resources, by ME… SID. */
  readonly media = new Map<string, StoredMedia>();
  /** Content API templates, by HX… SID (account-wide, as on Twilio). */
  readonly contents = new Map<string, Content>();
  /** Api 2010 Media of messaging messages (an inbound webhook's MediaUrl0…), by ME… SID. */
  readonly messagingMedia = new Map<string, MessagingMedia>();

  createService(accountSid: string, friendlyName: string): Service {
    const now = new Date();
    const service: Service = {
      sid: newSid("IS"),
      accountSid,
      friendlyName,
      dateCreated: now,
      dateUpdated: now,
      webhooks: { preWebhookUrl: null, postWebhookUrl: null, filters: [], method: "POST" },
      userRoleSid: newSid("RL"),
    };
    this.services.set(service.sid, service);
    return service;
  }

  createAccount(input: { friendlyName?: string; authToken?: string; balance?: string }): Account {
    const sid = newSid("AC");
    const account: Account = {
      sid,
      friendlyName: input.friendlyName ?? "Emulated account",
      authToken: input.authToken ?? newSid("").slice(0, 32),
      balance: input.balance ?? "20.00",
      defaultServiceSid: "",
    };
    this.accounts.set(sid, account);
    account.defaultServiceSid = this.createService(sid, "Default Conversations Service").sid;
    return account;
  }

  /** A Standard API key of the account; its secret is shown only in the answer that creates it. */
  createApiKey(accountSid: string, friendlyName?: string): ApiKey {
    const now = new Date();
    const key: ApiKey = {
      sid: newSid("SK"),
      accountSid,
      friendlyName: friendlyName ?? null,
      secret: newSecret(),
      dateCreated: now,
      dateUpdated: now,
    };
    this.apiKeys.set(key.sid, key);
    return key;
  }

  service(accountSid: string, serviceSid: string, path: string): Service {
    const service = this.services.get(serviceSid);
    if (!service || service.accountSid !== accountSid) throw notFound(path);
    return service;
  }

  /** A conversation by SID or UniqueName within a service. */
  conversation(service: Service, sidOrUniqueName: string, path: string): Conversation {
    const bySid = this.conversations.get(sidOrUniqueName);
    if (bySid && bySid.serviceSid === service.sid) return bySid;
    for (const conversation of this.conversations.values()) {
      if (conversation.serviceSid === service.sid && conversation.uniqueName === sidOrUniqueName) {
        return conversation;
      }
    }
    throw notFound(path);
  }

  /** A user by SID or identity within a service (Twilio's `{Sid}` takes either). */
  user(service: Service, sidOrIdentity: string, path: string): User {
    const bySid = this.users.get(sidOrIdentity);
    if (bySid && bySid.serviceSid === service.sid) return bySid;
    const byIdentity = this.userByIdentity(service.sid, sidOrIdentity);
    if (byIdentity) return byIdentity;
    throw notFound(path);
  }

  userByIdentity(serviceSid: string, identity: string): User | undefined {
    const sid = this.userSidByIdentity.get(identityKey(serviceSid, identity));
    return sid === undefined ? undefined : this.users.get(sid);
  }

  addUser(user: User): void {
    this.users.set(user.sid, user);
    this.userSidByIdentity.set(identityKey(user.serviceSid, user.identity), user.sid);
  }

  deleteUser(user: User): void {
    this.users.delete(user.sid);
    this.userSidByIdentity.delete(identityKey(user.serviceSid, user.identity));
  }

  participantsOf(conversationSid: string): Participant[] {
    return [...this.participants.values()].filter((p) => p.conversationSid === conversationSid);
  }

  messagesOf(conversationSid: string): Message[] {
    return [...this.messages.values()].filter((m) => m.conversationSid === conversationSid);
  }

  receiptsOf(messageSid: string): Receipt[] {
    return [...this.receipts.values()].filter((r) => r.messageSid === messageSid);
  }

  message(conversation: Conversation, sid: string, path: string): Message {
    const message = this.messages.get(sid);
    if (!message || message.conversationSid !== conversation.sid) throw notFound(path);
    return message;
  }

  /** Removes a conversation with its participants, messages and receipts. */
  deleteConversation(conversation: Conversation): void {
    for (const message of this.messagesOf(conversation.sid)) this.deleteMessage(message);
    for (const participant of this.participantsOf(conversation.sid)) {
      this.participants.delete(participant.sid);
    }
    this.conversations.delete(conversation.sid);
  }

  deleteMessage(message: Message): void {
    for (const receipt of this.receiptsOf(message.sid)) this.receipts.delete(receipt.sid);
    for (const item of message.media ?? []) this.media.delete(item.sid);
    this.messages.delete(message.sid);
  }

  /** Removes a service and everything in it. */
  deleteService(service: Service): void {
    for (const conversation of [...this.conversations.values()]) {
      if (conversation.serviceSid === service.sid) this.deleteConversation(conversation);
    }
    for (const user of [...this.users.values()]) {
      if (user.serviceSid === service.sid) this.deleteUser(user);
    }
    this.services.delete(service.sid);
  }
}

const identityKey = (serviceSid: string, identity: string) => `${serviceSid}\n${identity}`;
