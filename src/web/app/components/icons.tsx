import type { Channel, MessageStatus } from "../api-types.js";

const svg = { width: 16, height: 16, viewBox: "0 0 16 16", "aria-hidden": true, focusable: "false" } as const;

/** The channel's icon with its name for screen readers (the name is visually hidden). */
export function ChannelIcon({ channel }: { channel: Channel }) {
  return (
    <span class={`channel channel-${channel.toLowerCase()}`} title={channel}>
      {channel === "Email" ? (
        <svg {...svg}>
          <path d="M2 3.5h12v9H2z M2 4l6 5 6-5" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round" />
        </svg>
      ) : channel === "WhatsApp" ? (
        <svg {...svg}>
          <path d="M8 1.8a6.2 6.2 0 0 0-5.3 9.4L1.8 14.2l3.1-.9A6.2 6.2 0 1 0 8 1.8z" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round" />
          <path d="M5.8 5.3c.3-.4.7-.4.9 0l.5 1.1c.1.3 0 .5-.2.7l-.3.3c.4.9 1.1 1.6 2 2l.3-.3c.2-.2.4-.3.7-.2l1.1.5c.4.2.4.6 0 .9-.6.6-1.5.8-2.4.3A6 6 0 0 1 5.5 7.7c-.5-.9-.3-1.8.3-2.4z" fill="currentColor" />
        </svg>
      ) : (
        <svg {...svg}>
          <path d="M2 3h12v8H6l-3 2.5V11H2z" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round" />
        </svg>
      )}
      <span class="visually-hidden">{channel}</span>
    </span>
  );
}

export function StarIcon({ filled }: { filled: boolean }) {
  return (
    <svg {...svg}>
      <path d="M8 1.5l1.9 4.1 4.4.5-3.3 3 .9 4.4L8 11.3l-3.9 2.2.9-4.4-3.3-3 4.4-.5z" fill={filled ? "currentColor" : "none"} stroke="currentColor" stroke-width="1.3" stroke-linejoin="round" />
    </svg>
  );
}

const TICK_LABEL: Record<MessageStatus, string> = {
  sending: "Sending",
  queued: "Sent to Twilio",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
  failed: "Failed",
  undelivered: "Not delivered",
};

/** sending (clock) · sent (one tick) · delivered (two) · read (two, coloured) · failed (!). No "read" for SMS. */
export function DeliveryTicks({ status, channel }: { status: MessageStatus; channel: Channel }) {
  const shown: MessageStatus = status === "read" && channel === "SMS" ? "delivered" : status;
  return (
    <span class={`ticks ticks-${shown}`} role="img" aria-label={TICK_LABEL[shown]} title={TICK_LABEL[shown]} data-status={shown}>
      {shown === "sending" || shown === "queued" ? (
        <svg {...svg}>
          <circle cx="8" cy="8" r="5.5" fill="none" stroke="currentColor" stroke-width="1.4" />
          <path d="M8 5v3.2l2 1.3" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round" />
        </svg>
      ) : shown === "failed" || shown === "undelivered" ? (
        <svg {...svg}>
          <circle cx="8" cy="8" r="6" fill="currentColor" />
          <path d="M8 4.5v4.2M8 10.8v.6" stroke="#fff" stroke-width="1.6" stroke-linecap="round" />
        </svg>
      ) : shown === "sent" ? (
        <svg {...svg}>
          <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
      ) : (
        <svg width="20" height="16" viewBox="0 0 20 16" aria-hidden="true" focusable="false">
          <path d="M1.5 8.5l3 3 7-7M8 11.5l.5.5 7-7.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
      )}
    </span>
  );
}
