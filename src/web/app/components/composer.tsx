import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { Channel } from "../api-types.js";
import { sendTyping } from "../live.js";
import { send } from "../thread-state.js";

const TYPING_REPEAT_MS = 3000;
const TYPING_IDLE_MS = 2500;

/** Enter sends, Shift+Enter breaks the line, Esc leaves; an Email conversation adds subject and cc. */
export function Composer({ conversationSid, channel, name }: { conversationSid: string; channel: Channel; name: string }) {
  const text = useSignal("");
  const subject = useSignal("");
  const cc = useSignal("");
  const area = useRef<HTMLTextAreaElement>(null);
  const typingState = useRef({ lastSent: 0, idle: undefined as ReturnType<typeof setTimeout> | undefined });
  const email = channel === "Email";

  const stopTyping = () => {
    const state = typingState.current;
    clearTimeout(state.idle);
    if (state.lastSent > 0) sendTyping(conversationSid, false);
    state.lastSent = 0;
  };
  useEffect(() => stopTyping, [conversationSid]);

  const onInput = (value: string) => {
    text.value = value;
    const state = typingState.current;
    if (value === "") return stopTyping();
    if (Date.now() - state.lastSent > TYPING_REPEAT_MS) {
      sendTyping(conversationSid, true);
      state.lastSent = Date.now();
    }
    clearTimeout(state.idle);
    state.idle = setTimeout(stopTyping, TYPING_IDLE_MS);
  };
  const submit = () => {
    const body = text.value.trim();
    if (!body) return;
    send(body, email ? { subject: subject.value.trim() || "Message from Switchboard", cc: cc.value.split(/[,\s]+/).filter(Boolean) } : undefined);
    text.value = "";
    stopTyping();
  };
  return (
    <form
      class="composer"
      aria-label={`Reply to ${name}`}
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      {email && (
        <div class="email-fields">
          <label>
            Subject <input type="text" value={subject.value} onInput={(e) => (subject.value = e.currentTarget.value)} />
          </label>
          <label>
            Cc <input type="text" placeholder="a@example.com, b@example.com" value={cc.value} onInput={(e) => (cc.value = e.currentTarget.value)} />
          </label>
        </div>
      )}
      <div class="compose-row">
        <textarea
          ref={area}
          rows={2}
          aria-label={`Message to ${name}`}
          aria-describedby="composer-hint"
          placeholder={`Message ${name}`}
          value={text.value}
          onInput={(event) => onInput(event.currentTarget.value)}
          onBlur={stopTyping}
          onKeyDown={(event) => {
            if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              submit();
            } else if (event.key === "Escape") {
              event.preventDefault();
              area.current?.blur();
              document.querySelector<HTMLElement>(".conversation.open .conversation-open")?.focus();
            }
          }}
        />
        <button type="submit" class="primary" disabled={text.value.trim() === ""}>
          Send
        </button>
      </div>
      <p id="composer-hint" class="hint">
        Enter sends · Shift+Enter new line · Esc leaves · J/K next/previous conversation
      </p>
    </form>
  );
}
