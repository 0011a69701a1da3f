import type { Router } from "@koa/router";
import { parseDate } from "../format-date.js";
import type { EmulatorDeps, EmulatorState } from "../http/emulator-state.js";
import { pageV1, readPage } from "../http/paginate.js";
import { conversationJson } from "../json/conversation-json.js";
import {
  createConversation,
  removeConversation,
  updateConversation,
} from "../model/conversation-ops.js";
import { invalidParameter } from "../twilio-error.js";
import { conversationForm } from "./conversation-form.js";
import { respond, restOp, twin } from "./route-kit.js";

/** Conversations: list (StartDate, EndDate, State), create, fetch, update, delete. */
export function conversationsRoutes(router: Router<EmulatorState>, deps: EmulatorDeps): void {
  const { store } = deps;

  twin(router, deps, "get", "/Conversations", (ctx, scope) => {
    const query = ctx.state.query;
    const filters: [string, string][] = [];
    for (const name of ["StartDate", "EndDate", "State"]) {
      const value = query.get(name);
      if (value !== undefined) filters.push([name, value]);
    }
    const start = parseDate(query.get("StartDate"));
    const end = parseDate(query.get("EndDate"));
    if ((query.has("StartDate") && !start) || (query.has("EndDate") && !end)) {
      throw invalidParameter("StartDate and EndDate must be ISO 8601 dates");
    }
    // EndDate is inclusive of its whole day when given as a bare date.
    const endLimit = end && /^\d{4}-\d{2}-\d{2}$/.test(query.get("EndDate")!)
      ? new Date(end.getTime() + 86_400_000)
      : end;
    const state = query.get("State");
    const conversations = [...store.conversations.values()].filter(
      (c) =>
        c.serviceSid === scope.service.sid &&
        (!start || c.dateCreated >= start) &&
        (!endLimit || c.dateCreated < endLimit) &&
        (!state || c.state === state),
    );
    // Twilio's order: oldest first; newest first ("sorted by latest conversation creation date in descending order")
    // as soon as StartDate or EndDate is given — the exact reverse, so paging is stable either way.
    conversations.sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime());
    if (start || end) conversations.reverse();
    respond(ctx, 200, pageV1(conversations, readPage(query, 100), {
      url: `${scope.prefix}/Conversations`,
      key: "conversations",
      filters,
      toJson: (c) => conversationJson(c, scope.prefix),
    }));
  });

  twin(router, deps, "post", "/Conversations", (ctx, scope) => {
    const input = conversationForm(ctx.state.form);
    const conversation = createConversation(restOp(ctx, deps), scope.service, input);
    respond(ctx, 201, conversationJson(conversation, scope.prefix));
  });

  twin(router, deps, "get", "/Conversations/:Sid", (ctx, scope) => {
    const conversation = store.conversation(scope.service, ctx.params.Sid!, ctx.path);
    respond(ctx, 200, conversationJson(conversation, scope.prefix));
  });

  twin(router, deps, "post", "/Conversations/:Sid", (ctx, scope) => {
    const conversation = store.conversation(scope.service, ctx.params.Sid!, ctx.path);
    const input = conversationForm(ctx.state.form);
    updateConversation(restOp(ctx, deps), scope.service, conversation, input);
    respond(ctx, 200, conversationJson(conversation, scope.prefix));
  });

  twin(router, deps, "delete", "/Conversations/:Sid", (ctx, scope) => {
    const conversation = store.conversation(scope.service, ctx.params.Sid!, ctx.path);
    removeConversation(restOp(ctx, deps), conversation);
    respond(ctx, 204);
  });
}
