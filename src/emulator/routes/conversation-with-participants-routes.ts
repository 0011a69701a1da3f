import type { Router } from "@koa/router";
import type { EmulatorDeps, EmulatorState } from "../http/emulator-state.js";
import { conversationJson } from "../json/conversation-json.js";
import { createConversation } from "../model/conversation-ops.js";
import type { OpContext } from "../model/op-context.js";
import {
  addParticipant,
  checkNewParticipant,
  type ParticipantInput,
} from "../model/participant-ops.js";
import type { Conversation, Service } from "../model/types.js";
import { validateAttributes } from "../model/validate-attributes.js";
import { TwilioError, invalidParameter } from "../twilio-error.js";
import { conversationForm } from "./conversation-form.js";
import { participantFromJson } from "./participant-form.js";
import { respond, restOp, twin } from "./route-kit.js";

const MAX_PARTICIPANTS = 10;

function parseParticipants(values: string[]): ParticipantInput[] {
  if (values.length > MAX_PARTICIPANTS) {
    throw invalidParameter(`At most ${MAX_PARTICIPANTS} participants can be added in one request`);
  }
  return values.map((value) => {
    try {
      const json: unknown = JSON.parse(value);
      if (json && typeof json === "object" && !Array.isArray(json)) {
        return participantFromJson(json as Record<string, unknown>);
      }
    } catch {
      // fall through to the error below
    }
    throw invalidParameter(`Invalid Participant: ${value}`);
  });
}

/**
 * Validates every participant before anything is created, so a failure leaves nothing behind
 * ("Conversation with Participants" docs: the whole request fails; 50425 for bindings in use).
 */
function validateAll(op: OpContext, service: Service, inputs: ParticipantInput[]): void {
  const draft = { sid: "", serviceSid: service.sid } as Conversation;
  const seen = new Set<string>();
  for (const input of inputs) {
    try {
      checkNewParticipant(op, draft, input);
    } catch (error) {
      if (error instanceof TwilioError && error.code === 50416) {
        throw new TwilioError(409, 50425, "Participant and proxy address pairs for one or more participants already in use");
      }
      throw error;
    }
    const key = input.address ? `a:${input.address}|${input.proxyAddress}` : `i:${input.identity}`;
    if (seen.has(key)) throw new TwilioError(409, 50433, "Participant already exists");
    seen.add(key);
  }
}

/** ConversationWithParticipants: a conversation plus up to 10 participants, atomically. */
export function conversationWithParticipantsRoutes(
  router: Router<EmulatorState>,
  deps: EmulatorDeps,
): void {
  twin(router, deps, "post", "/ConversationWithParticipants", (ctx, scope) => {
    const op = restOp(ctx, deps);
    const input = conversationForm(ctx.state.form);
    validateAttributes(input.attributes);
    const participants = parseParticipants(ctx.state.form.all("Participant"));
    validateAll(op, scope.service, participants);
    const conversation = createConversation(op, scope.service, input);
    for (const participant of participants) addParticipant(op, conversation, participant);
    respond(ctx, 201, conversationJson(conversation, scope.prefix));
  });
}
