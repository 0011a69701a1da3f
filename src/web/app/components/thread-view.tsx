import { Fragment } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";
import type { Channel } from "../api-types.js";
import { channelOf, contactName, isStarred } from "../conversation-model.js";
import { fullTime, messageTime } from "../format.js";
import { selected, setStarred } from "../inbox-state.js";
import { failureReason, type ThreadMessage } from "../message-model.js";
import { closeConversation, loadOlder, resend, retry, thread, typing, type PendingMessage } from "../thread-state.js";
import { focusRow } from "../keyboard.js";
import { Composer } from "./composer.js";
import { ChannelIcon, DeliveryTicks, StarIcon } from "./icons.js";

/** The open conversation: history (newest at the bottom, older pages on scroll up), typing, composer. */
export function ThreadView() {
  const current = thread.value;
  const conversation = selected.value;
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef({ sid: "", atBottom: true, height: 0, top: 0, oldest: -1 });

  // Stay at the bottom as messages arrive (when the reader was there); keep the view still when older ones load above.
  useLayoutEffect(() => {
    const box = scroller.current;
    if (!box || !current) return;
    const state = pinned.current;
    const oldest = current.messages[0]?.message.index ?? -1;
    if (state.sid !== current.sid) box.scrollTop = box.scrollHeight;
    else if (oldest !== state.oldest && state.oldest !== -1) box.scrollTop = state.top + (box.scrollHeight - state.height);
    else if (state.atBottom) box.scrollTop = box.scrollHeight;
    Object.assign(state, { sid: current.sid, height: box.scrollHeight, top: box.scrollTop, oldest });
  });

  if (!current || !conversation)
    return (
      <div class="empty-thread">
        <h2>No conversation open</h2>
        <p>Pick one on the left, or press J and K to move through them.</p>
      </div>
    );
  const name = contactName(conversation);
  const channel = channelOf(conversation);
  const starred = isStarred(conversation);
  const address = conversation.participants?.find((p) => p.messagingBinding)?.messagingBinding?.address.replace(/^whatsapp:/, "");
  const typists = Object.keys(typing.value);
  const onScroll = () => {
    const box = scroller.current!;
    pinned.current.atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    pinned.current.top = box.scrollTop;
    pinned.current.height = box.scrollHeight;
    if (box.scrollTop < 80) void loadOlder();
  };
  return (
    <section class="thread" aria-labelledby="thread-title">
      <header class="thread-header">
        {/* Shown on a narrow screen only, where the list is hidden while a conversation is open. */}
        <button type="button" class="back quiet" onClick={() => backToList(conversation.sid)}>
          <span aria-hidden="true">←</span> Conversations
        </button>
        <ChannelIcon channel={channel} />
        <div>
          <h2 id="thread-title">{name}</h2>
          <p class="subtitle">{[channel, address ?? undefined].filter(Boolean).join(" · ")}</p>
        </div>
        <button type="button" class="star" aria-pressed={starred} aria-label={`Star ${name}`} onClick={() => void setStarred(conversation, !starred)}>
          <StarIcon filled={starred} />
        </button>
      </header>
      <div class="messages" ref={scroller} onScroll={onScroll} role="log" aria-live="polite" aria-label={`Messages with ${name}`} tabIndex={0}>
        {current.older && (
          <button type="button" class="load-older" disabled={current.loadingOlder} onClick={() => void loadOlder()}>
            {current.loadingOlder ? "Loading…" : "Load earlier messages"}
          </button>
        )}
        {current.state === "loading" && <p class="thread-status">Loading messages…</p>}
        {current.state === "error" && <p class="thread-status error">Could not load the messages: {current.error}</p>}
        {current.state === "ready" && current.messages.length === 0 && current.pending.length === 0 && <p class="thread-status">No messages yet.</p>}
        {current.messages.map((item) => (
          <Fragment key={item.message.sid}>
            {item.message.index === current.firstUnreadIndex && (
              <p class="unread-divider">
                <span>Unread messages</span>
              </p>
            )}
            <MessageBubble item={item} channel={channel} />
          </Fragment>
        ))}
        {current.pending.map((pending) => (
          <PendingBubble key={pending.localId} pending={pending} channel={channel} />
        ))}
      </div>
      <p class="typing" aria-live="polite">
        {typists.length > 0 ? `${typists.join(", ")} ${typists.length > 1 ? "are" : "is"} typing…` : ""}
      </p>
      <Composer conversationSid={current.sid} channel={channel} name={name} />
    </section>
  );
}

/** Closes the conversation and puts the focus back on its row, where the person left the list. */
function backToList(sid: string) {
  closeConversation();
  focusRow(sid);
}

function MessageBubble({ item, channel }: { item: ThreadMessage; channel: Channel }) {
  const { message } = item;
  const failed = item.status === "failed" || item.status === "undelivered";
  return (
    <div class={`message ${item.inbound ? "inbound" : "outbound"}${failed ? " failed" : ""}`} data-sid={message.sid} data-status={item.status}>
      {item.subject && <p class="subject">{item.subject}</p>}
      <p class="body">{message.body}</p>
      <p class="meta">
        <time dateTime={message.dateCreated} title={fullTime(message.dateCreated)}>
          {messageTime(message.dateCreated)}
        </time>
        {item.status && <DeliveryTicks status={item.status} channel={channel} />}
      </p>
      {failed && (
        <p class="failure">
          Not delivered: {failureReason(item)}.{" "}
          <button type="button" onClick={() => resend(item)}>
            Retry
          </button>
        </p>
      )}
    </div>
  );
}

function PendingBubble({ pending, channel }: { pending: PendingMessage; channel: Channel }) {
  return (
    <div class={`message outbound pending${pending.state === "failed" ? " failed" : ""}`} data-pending={pending.state}>
      {pending.email && <p class="subject">{pending.email.subject}</p>}
      <p class="body">{pending.body}</p>
      <p class="meta">
        <DeliveryTicks status={pending.state === "failed" ? "failed" : "sending"} channel={channel} />
      </p>
      {pending.state === "failed" && (
        <p class="failure">
          Not sent: {pending.error}.{" "}
          <button type="button" onClick={() => retry(pending.localId)}>
            Retry
          </button>
        </p>
      )}
    </div>
  );
}
