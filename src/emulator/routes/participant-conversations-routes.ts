import type { Router } from "@koa/router";
import type { EmulatorDeps, EmulatorState } from "../http/emulator-state.js";
import { pageV1, readPage } from "../http/paginate.js";
import { participantConversationJson } from "../json/participant-conversation-json.js";
import type { Conversation, Participant } from "../model/types.js";
import { invalidParameter } from "../twilio-error.js";
import { respond, twin } from "./route-kit.js";

/** ParticipantConversations: the conversations an Identity or an Address takes part in. */
export function participantConversationsRoutes(
  router: Router<EmulatorState>,
  deps: EmulatorDeps,
): void {
  const { store } = deps;

  twin(router, deps, "get", "/ParticipantConversations", (ctx, scope) => {
    const identity = ctx.state.query.get("Identity");
    const address = ctx.state.query.get("Address");
    if (identity === undefined && address === undefined) {
      throw invalidParameter("Either Identity or Address must be specified");
    }
    const rows: Array<{ participant: Participant; conversation: Conversation }> = [];
    for (const participant of store.participants.values()) {
      const matches =
        (identity !== undefined && participant.identity === identity) ||
        (address !== undefined && participant.messagingBinding?.address === address);
      const conversation = store.conversations.get(participant.conversationSid);
      if (matches && conversation && conversation.serviceSid === scope.service.sid) {
        rows.push({ participant, conversation });
      }
    }
    const filters: [string, string][] =
      identity !== undefined ? [["Identity", identity]] : [["Address", address!]];
    respond(ctx, 200, pageV1(rows, readPage(ctx.state.query, 50), {
      url: `${scope.prefix}/ParticipantConversations`,
      key: "conversations",
      filters,
      toJson: (row) => participantConversationJson(row.participant, row.conversation, scope.prefix),
    }));
  });
}
