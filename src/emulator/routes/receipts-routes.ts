import type { Router } from "@koa/router";
import type { EmulatorDeps, EmulatorState } from "../http/emulator-state.js";
import { pageV1, readPage } from "../http/paginate.js";
import { receiptJson } from "../json/message-json.js";
import { notFound } from "../twilio-error.js";
import { conversationParam, respond, twin } from "./route-kit.js";

const BASE = "/Conversations/:ConversationSid/Messages/:MessageSid/Receipts";

/** Delivery receipts of a message (one per non-chat recipient once delivery is reported). */
export function receiptsRoutes(router: Router<EmulatorState>, deps: EmulatorDeps): void {
  const { store } = deps;

  twin(router, deps, "get", BASE, (ctx, scope) => {
    const conversation = conversationParam(ctx, deps, scope);
    const message = store.message(conversation, ctx.params.MessageSid!, ctx.path);
    respond(ctx, 200, pageV1(store.receiptsOf(message.sid), readPage(ctx.state.query, 50), {
      url: `${scope.prefix}/Conversations/${conversation.sid}/Messages/${message.sid}/Receipts`,
      key: "delivery_receipts",
      toJson: (r) => receiptJson(r, scope.prefix),
    }));
  });

  twin(router, deps, "get", `${BASE}/:Sid`, (ctx, scope) => {
    const conversation = conversationParam(ctx, deps, scope);
    const message = store.message(conversation, ctx.params.MessageSid!, ctx.path);
    const receipt = store.receipts.get(ctx.params.Sid!);
    if (!receipt || receipt.messageSid !== message.sid) throw notFound(ctx.path);
    respond(ctx, 200, receiptJson(receipt, scope.prefix));
  });
}
