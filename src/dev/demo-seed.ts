import type { TwilioEmulator } from "../emulator/index.js";
import { createConversation } from "../inbox/create-conversation.js";
import { sendMessage } from "../inbox/send-message.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import { rewriteAttributes } from "../inbox/update-conversation-attributes.js";

interface DemoContact {
  name: string;
  channel: "SMS" | "WhatsApp" | "Email";
  phone?: string;
  email?: string;
  inbound: string[];
  reply?: string;
  starred?: boolean;
}

const CONTACTS: DemoContact[] = [
  { name: "Ada Lovelace", channel: "SMS", phone: "+15551230001", inbound: ["Hi, is my order shipped?"], reply: "Yes, it left this morning." },
  { name: "Grace Hopper", channel: "WhatsApp", phone: "+15551230002", inbound: ["Can I change my delivery address?", "It's 42 Main St now."], starred: true },
  { name: "Alan Turing", channel: "SMS", phone: "+15551230003", inbound: ["Thanks for the help!"], reply: "Anytime, Alan." },
  { name: "Katherine Johnson", channel: "Email", email: "katherine@example.com", inbound: [] },
];

/**
 * Fills the emulator with a few conversations across SMS, WhatsApp and Email, through the same use cases the API
 * runs. Customer messages arrive as simulated inbound SMS/WhatsApp, so their unread counts and summaries come from
 * the gateway's own webhook handling (the gateway must be listening, its webhooks registered).
 */
export async function seedDemoInbox(inbox: TenantInbox, emulator: TwilioEmulator, agentId: string): Promise<number> {
  for (const contact of CONTACTS) {
    const participant = contact.phone ? { phoneNumber: contact.phone } : { email: contact.email };
    const view = await createConversation(inbox, {
      friendlyName: contact.name,
      participants: [participant],
      attributes: { channel: contact.channel },
    });
    for (const body of contact.inbound) {
      const proxy = contact.channel === "WhatsApp" ? inbox.tenant.whatsappNumber! : inbox.tenant.phoneNumber!;
      const from = contact.channel === "WhatsApp" ? `whatsapp:${contact.phone}` : contact.phone!;
      await emulator.simulateInboundMessage({ accountSid: inbox.tenant.accountSid, serviceSid: inbox.tenant.conversationsServiceSid, from, to: proxy, body });
      await emulator.whenIdle();
    }
    if (contact.reply) {
      await sendMessage(inbox, view.sid, { body: contact.reply }, agentId);
      await emulator.whenIdle();
      await rewriteAttributes(inbox, view.sid, (current) => ({ ...current, unreadCount: 0 }));
    }
    if (contact.starred) await rewriteAttributes(inbox, view.sid, (current) => ({ ...current, isStarred: true }));
  }
  await emulator.whenIdle();
  return CONTACTS.length;
}
