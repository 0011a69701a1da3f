import { useEffect, useRef } from "preact/hooks";
import type { ConversationFilter } from "../api-types.js";
import { channelOf, contactName, isStarred, unreadOf } from "../conversation-model.js";
import { listTime } from "../format.js";
import { conversations, filter, listError, listState, loadingMore, loadMore, nextPage, search, selectedSid, setStarred, totals } from "../inbox-state.js";
import { openConversation } from "../thread-state.js";
import { ChannelIcon, StarIcon } from "./icons.js";

const FILTERS: Array<{ value: ConversationFilter; label: string }> = [
  { value: "all", label: "All" },
  { value: "unread", label: "Unread" },
  { value: "recents", label: "Recents" },
  { value: "starred", label: "Starred" },
];

export function ListControls() {
  return (
    <div class="list-controls">
      <div class="filters" role="group" aria-label="Show">
        {FILTERS.map(({ value, label }) => (
          <button type="button" key={value} aria-pressed={filter.value === value} onClick={() => (filter.value = value)}>
            {label}
            {value === "unread" && totals.value && totals.value.unreadConversations > 0 ? <span class="count"> {totals.value.unreadConversations}</span> : null}
          </button>
        ))}
      </div>
      <input
        type="search"
        class="search"
        placeholder="Search name, number, email, message"
        aria-label="Search conversations"
        value={search.value}
        onInput={(event) => (search.value = event.currentTarget.value)}
      />
    </div>
  );
}

/** The conversations, newest activity first; the next page loads when its button scrolls into view. */
export function ConversationList() {
  const more = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const button = more.current;
    if (!button) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void loadMore(), { rootMargin: "200px" });
    observer.observe(button);
    return () => observer.disconnect();
  }, [nextPage.value]);

  if (listState.value === "loading") return <p class="list-status">Loading conversations…</p>;
  if (listState.value === "error")
    return (
      <p class="list-status error" role="alert">
        Could not load the conversations: {listError.value}
      </p>
    );
  if (conversations.value.length === 0) return <p class="list-status">{search.value ? "No conversation matches." : "No conversations here."}</p>;
  return (
    <>
      <ul class="conversations" aria-label="Conversations">
        {conversations.value.map((conversation) => {
          const name = contactName(conversation);
          const unread = unreadOf(conversation);
          const starred = isStarred(conversation);
          const latest = conversation.latestMessage;
          const open = conversation.sid === selectedSid.value;
          return (
            <li key={conversation.sid} class={`conversation${open ? " open" : ""}${unread > 0 ? " unread" : ""}`} data-sid={conversation.sid}>
              <button type="button" class="conversation-open" aria-current={open ? "true" : undefined} onClick={() => void openConversation(conversation.sid)}>
                <ChannelIcon channel={channelOf(conversation)} />
                <span class="name">{name}</span>
                {latest && <time dateTime={latest.dateCreated}>{listTime(latest.dateCreated)}</time>}
                <span class="preview">{latest?.body ?? "No messages yet"}</span>
                {unread > 0 && (
                  <span class="badge" data-unread={unread}>
                    {unread}
                    <span class="visually-hidden"> unread</span>
                  </span>
                )}
              </button>
              <button type="button" class="star" aria-pressed={starred} aria-label={`Star ${name}`} onClick={() => void setStarred(conversation, !starred)}>
                <StarIcon filled={starred} />
              </button>
            </li>
          );
        })}
      </ul>
      {nextPage.value && (
        <button type="button" class="load-more" ref={more} disabled={loadingMore.value} onClick={() => void loadMore()}>
          {loadingMore.value ? "Loading…" : "Load more conversations"}
        </button>
      )}
    </>
  );
}
