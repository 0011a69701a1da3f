import type { TwilioEmulator } from "../emulator/index.js";
import type { DomainEvents } from "../inbox/domain-events.js";
import type { TenantRegistry } from "../tenants/tenant-registry.js";

/** When the phone network "delivers" in emulator mode: sent, then delivered, then (WhatsApp only) read. */
export const DEMO_DELIVERY_STEPS_MS = { sent: 400, delivered: 1200, read: 3000 } as const;

/**
 * Emulator mode: an agent's SMS or WhatsApp message is reported sent, then delivered (and a WhatsApp one read), as
 * a phone network would, so delivery ticks move without a phone. The emulator fires the same delivery webhooks as
 * Twilio; the gateway handles them as it handles Twilio's. Returns a stop function (pending steps are dropped).
 */
export function startDemoDelivery(
  emulator: Pick<TwilioEmulator, "simulateDelivery">,
  tenants: TenantRegistry,
  events: DomainEvents,
  steps: { sent: number; delivered: number; read: number } = DEMO_DELIVERY_STEPS_MS,
): () => void {
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, work: () => Promise<unknown>) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      // The conversation may be gone by then; a demo has nothing to report.
      work().catch(() => undefined);
    }, ms);
    timers.add(timer);
  };
  const stop = events.on("message.sent", ({ tenantId, conversationSid, message }) => {
    if (!tenants.has(tenantId)) return;
    const channel = channelOf(message.attributes);
    if (channel !== "SMS" && channel !== "WhatsApp") return;
    const { accountSid } = tenants.get(tenantId).tenant;
    const report = (status: "sent" | "delivered" | "read") => () =>
      emulator.simulateDelivery({ accountSid, conversationSid, messageSid: message.sid, status });
    later(steps.sent, report("sent"));
    later(steps.delivered, report("delivered"));
    if (channel === "WhatsApp") later(steps.read, report("read"));
  });
  return () => {
    stop();
    timers.forEach(clearTimeout);
    timers.clear();
  };
}

function channelOf(attributes: string): string | undefined {
  try {
    return (JSON.parse(attributes) as { channel?: string }).channel;
  } catch {
    return undefined;
  }
}
