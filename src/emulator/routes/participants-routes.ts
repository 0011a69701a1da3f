import type { Router } from "@koa/router";
import type { EmulatorDeps, EmulatorState } from "../http/emulator-state.js";
import { pageV1, readPage } from "../http/paginate.js";
import { participantJson } from "../json/participant-json.js";
import {
  addParticipant,
  findParticipant,
  removeParticipant,
  updateParticipant,
} from "../model/participant-ops.js";
import { participantForm } from "./participant-form.js";
import { conversationParam, respond, restOp, twin } from "./route-kit.js";

const BASE = "/Conversations/:ConversationSid/Participants";

/** Participants of a conversation: list, add, fetch (by SID or identity), update, remove. */
export function participantsRoutes(router: Router<EmulatorState>, deps: EmulatorDeps): void {
  const { store } = deps;

  twin(router, deps, "get", BASE, (ctx, scope) => {
    const conversation = conversationParam(ctx, deps, scope);
    respond(ctx, 200, pageV1(store.participantsOf(conversation.sid), readPage(ctx.state.query, 100), {
      url: `${scope.prefix}/Conversations/${conversation.sid}/Participants`,
      key: "participants",
      toJson: (p) => participantJson(p, scope.prefix),
    }));
  });

  twin(router, deps, "post", BASE, (ctx, scope) => {
    const conversation = conversationParam(ctx, deps, scope);
    const participant = addParticipant(restOp(ctx, deps), conversation, participantForm(ctx.state.form));
    respond(ctx, 201, participantJson(participant, scope.prefix));
  });

  twin(router, deps, "get", `${BASE}/:Sid`, (ctx, scope) => {
    const conversation = conversationParam(ctx, deps, scope);
    const participant = findParticipant(restOp(ctx, deps), conversation, ctx.params.Sid!);
    respond(ctx, 200, participantJson(participant, scope.prefix));
  });

  twin(router, deps, "post", `${BASE}/:Sid`, (ctx, scope) => {
    const conversation = conversationParam(ctx, deps, scope);
    const op = restOp(ctx, deps);
    const participant = findParticipant(op, conversation, ctx.params.Sid!);
    updateParticipant(op, participant, participantForm(ctx.state.form));
    respond(ctx, 200, participantJson(participant, scope.prefix));
  });

  twin(router, deps, "delete", `${BASE}/:Sid`, (ctx, scope) => {
    const conversation = conversationParam(ctx, deps, scope);
    const op = restOp(ctx, deps);
    removeParticipant(op, findParticipant(op, conversation, ctx.params.Sid!));
    respond(ctx, 204);
  });
}
