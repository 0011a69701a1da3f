import type { Router } from "@koa/router";
import { parseDate } from "../format-date.js";
import type { EmulatorDeps, EmulatorState } from "../http/emulator-state.js";
import { pageV1, readPage } from "../http/paginate.js";
import type { Params } from "../http/params.js";
import { messageJson } from "../json/message-json.js";
import { deliverySummary } from "../model/delivery.js";
import { addMessage, removeMessage, updateMessage, type MessageInput } from "../model/message-ops.js";
import type { OpContext } from "../model/op-context.js";
import type { Message } from "../model/types.js";
import { invalidParameter } from "../twilio-error.js";
import { conversationParam, respond, restOp, twin } from "./route-kit.js";

const BASE = "/Conversations/:ConversationSid/Messages";

function messageForm(form: Params): MessageInput {
  const input: MessageInput = {};
  const set = <K extends keyof MessageInput>(key: K, value: MessageInput[K] | undefined) => {
    if (value !== undefined) input[key] = value;
  };
  set("author", form.get("Author"));
  set("body", form.get("Body"));
  set("attributes", form.get("Attributes"));
  set("mediaSid", form.get("MediaSid"));
  set("contentSid", form.get("ContentSid"));
  set("contentVariables", form.get("ContentVariables"));
  set("dateCreated", parseDate(form.get("DateCreated")));
  set("dateUpdated", parseDate(form.get("DateUpdated")));
  return input;
}

/** Messages of a conversation: list (Order asc|desc), create, fetch, update, delete. */
export function messagesRoutes(router: Router<EmulatorState>, deps: EmulatorDeps): void {
  const { store } = deps;
  const toJson = (op: OpContext, prefix: string) => (m: Message) =>
    messageJson(m, deliverySummary(op, m), prefix);

  twin(router, deps, "get", BASE, (ctx, scope) => {
    const conversation = conversationParam(ctx, deps, scope);
    const order = ctx.state.query.get("Order") ?? "asc";
    if (order !== "asc" && order !== "desc") throw invalidParameter(`Invalid Order: ${order}`);
    const messages = store.messagesOf(conversation.sid).sort((a, b) => a.index - b.index);
    if (order === "desc") messages.reverse();
    const filters: [string, string][] = ctx.state.query.has("Order") ? [["Order", order]] : [];
    respond(ctx, 200, pageV1(messages, readPage(ctx.state.query, 100), {
      url: `${scope.prefix}/Conversations/${conversation.sid}/Messages`,
      key: "messages",
      filters,
      toJson: toJson(restOp(ctx, deps), scope.prefix),
    }));
  });

  twin(router, deps, "post", BASE, (ctx, scope) => {
    const conversation = conversationParam(ctx, deps, scope);
    const op = restOp(ctx, deps);
    const message = addMessage(op, conversation, messageForm(ctx.state.form));
    respond(ctx, 201, toJson(op, scope.prefix)(message));
  });

  twin(router, deps, "get", `${BASE}/:Sid`, (ctx, scope) => {
    const conversation = conversationParam(ctx, deps, scope);
    const message = store.message(conversation, ctx.params.Sid!, ctx.path);
    respond(ctx, 200, toJson(restOp(ctx, deps), scope.prefix)(message));
  });

  twin(router, deps, "post", `${BASE}/:Sid`, (ctx, scope) => {
    const conversation = conversationParam(ctx, deps, scope);
    const message = store.message(conversation, ctx.params.Sid!, ctx.path);
    const op = restOp(ctx, deps);
    updateMessage(op, conversation, message, messageForm(ctx.state.form));
    respond(ctx, 200, toJson(op, scope.prefix)(message));
  });

  twin(router, deps, "delete", `${BASE}/:Sid`, (ctx, scope) => {
    const conversation = conversationParam(ctx, deps, scope);
    const message = store.message(conversation, ctx.params.Sid!, ctx.path);
    removeMessage(restOp(ctx, deps), conversation, message);
    respond(ctx, 204);
  });
}
