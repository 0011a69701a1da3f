import { newSid } from "../sid.js";
import { TwilioError, invalidParameter } from "../twilio-error.js";
import { conversationEvent, stateUpdatedEvent } from "../webhooks/webhook-payloads.js";
import type { OpContext } from "./op-context.js";
import type { Conversation, ConversationState, Service } from "./types.js";
import { validateAttributes, validateFriendlyName } from "./validate-attributes.js";

export interface ConversationInput {
  friendlyName?: string;
  uniqueName?: string;
  attributes?: string;
  messagingServiceSid?: string;
  state?: string;
  dateCreated?: Date;
  dateUpdated?: Date;
  timersInactive?: string;
  timersClosed?: string;
}

const STATES: readonly ConversationState[] = ["active", "inactive", "closed"];

function parseState(value: string | undefined): ConversationState | undefined {
  if (value === undefined) return undefined;
  if (!STATES.includes(value as ConversationState)) {
    throw invalidParameter(`Invalid State: ${value}`);
  }
  return value as ConversationState;
}

/** ISO 8601 duration (PnDTnHnMnS) → milliseconds. */
function durationMs(value: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value);
  if (!match || value === "P" || value.endsWith("T")) {
    throw invalidParameter(`Invalid duration: ${value}`);
  }
  const [d, h, m, s] = match.slice(1).map((part) => Number(part ?? 0));
  return (((d! * 24 + h!) * 60 + m!) * 60 + s!) * 1000;
}

function applyTimers(conversation: Conversation, input: ConversationInput, now: Date): void {
  if (input.timersInactive !== undefined) {
    conversation.timers.dateInactive = new Date(now.getTime() + durationMs(input.timersInactive));
  }
  if (input.timersClosed !== undefined) {
    conversation.timers.dateClosed = new Date(now.getTime() + durationMs(input.timersClosed));
  }
}

function assertUniqueName(op: OpContext, service: Service, name: string, self?: string): void {
  for (const other of op.store.conversations.values()) {
    if (other.serviceSid === service.sid && other.uniqueName === name && other.sid !== self) {
      throw new TwilioError(409, 50353, `Conversation with provided unique name already exists`);
    }
  }
}

/** Creates a conversation in a service (30 creates/s per service). */
export function createConversation(
  op: OpContext,
  service: Service,
  input: ConversationInput,
  extraEventParams: Record<string, string | null> = {},
): Conversation {
  const attributes = validateAttributes(input.attributes) ?? "{}";
  validateFriendlyName(input.friendlyName);
  const state = parseState(input.state) ?? "active";
  if (input.uniqueName !== undefined) assertUniqueName(op, service, input.uniqueName);
  op.limits.take(`create:${service.sid}`);
  const now = new Date();
  const conversation: Conversation = {
    sid: newSid("CH"),
    accountSid: service.accountSid,
    serviceSid: service.sid,
    messagingServiceSid: input.messagingServiceSid ?? null,
    friendlyName: input.friendlyName ?? null,
    uniqueName: input.uniqueName ?? null,
    attributes,
    state,
    timers: { dateInactive: null, dateClosed: null },
    dateCreated: input.dateCreated ?? now,
    dateUpdated: input.dateUpdated ?? input.dateCreated ?? now,
    nextIndex: 0,
    createdBy: op.source === "API" ? "system" : null,
  };
  applyTimers(conversation, input, now);
  op.store.conversations.set(conversation.sid, conversation);
  op.sink(conversationEvent("onConversationAdded", op.source, conversation, extraEventParams));
  return conversation;
}

/** Updates a conversation; a state change also fires onConversationStateUpdated. */
export function updateConversation(
  op: OpContext,
  service: Service,
  conversation: Conversation,
  input: ConversationInput,
): Conversation {
  const attributes = validateAttributes(input.attributes);
  validateFriendlyName(input.friendlyName);
  const state = parseState(input.state);
  if (input.uniqueName !== undefined) {
    assertUniqueName(op, service, input.uniqueName, conversation.sid);
  }
  op.limits.take(`write:${conversation.sid}`);
  const previousState = conversation.state;
  if (input.friendlyName !== undefined) conversation.friendlyName = input.friendlyName;
  if (input.uniqueName !== undefined) conversation.uniqueName = input.uniqueName;
  if (attributes !== undefined) conversation.attributes = attributes;
  if (input.messagingServiceSid !== undefined) {
    conversation.messagingServiceSid = input.messagingServiceSid;
  }
  if (state !== undefined) conversation.state = state;
  if (input.dateCreated) conversation.dateCreated = input.dateCreated;
  const now = new Date();
  applyTimers(conversation, input, now);
  conversation.dateUpdated = input.dateUpdated ?? now;
  op.sink(conversationEvent("onConversationUpdated", op.source, conversation));
  if (previousState !== conversation.state) {
    op.sink(stateUpdatedEvent(op.source, conversation, previousState));
  }
  return conversation;
}

/** Deletes a conversation and everything in it. */
export function removeConversation(op: OpContext, conversation: Conversation): void {
  op.limits.take(`write:${conversation.sid}`);
  op.store.deleteConversation(conversation);
  op.sink(conversationEvent("onConversationRemoved", op.source, conversation));
}
