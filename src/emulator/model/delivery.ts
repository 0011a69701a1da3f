import { newSid } from "../sid.js";
import { deliveryEvent } from "../webhooks/webhook-payloads.js";
import type { OpContext } from "./op-context.js";
import type { Message, Receipt, ReceiptStatus } from "./types.js";

export interface DeliverySummary {
  total: number;
  sent: Amount;
  delivered: Amount;
  read: Amount;
  failed: Amount;
  undelivered: Amount;
}

type Amount = "all" | "some" | "none";

// A receipt counts for every stage it has passed: a read message was also sent and delivered.
const REACHED: Record<ReceiptStatus, ReceiptStatus[]> = {
  sent: ["sent"],
  delivered: ["sent", "delivered"],
  read: ["sent", "delivered", "read"],
  failed: ["failed"],
  undelivered: ["sent", "undelivered"],
};

function amount(count: number, total: number): Amount {
  return count === 0 ? "none" : count === total ? "all" : "some";
}

/** The message `delivery` summary; null when nobody receives it over a non-chat channel. */
export function deliverySummary(op: OpContext, message: Message): DeliverySummary | null {
  const total = message.recipientSids.length;
  if (total === 0) return null;
  const receipts = op.store.receiptsOf(message.sid);
  const count = (status: ReceiptStatus) =>
    receipts.filter((r) => REACHED[r.status].includes(status)).length;
  return {
    total,
    sent: amount(count("sent"), total),
    delivered: amount(count("delivered"), total),
    read: amount(count("read"), total),
    failed: amount(count("failed"), total),
    undelivered: amount(count("undelivered"), total),
  };
}

/** Moves every recipient's receipt to `status`, creating receipts on first report. */
export function applyDelivery(
  op: OpContext,
  message: Message,
  status: ReceiptStatus,
  errorCode = 0,
  /** Only these recipients (default: every one). */
  only?: readonly string[],
): Receipt[] {
  const existing = op.store.receiptsOf(message.sid);
  const now = new Date();
  return message.recipientSids.filter((sid) => !only || only.includes(sid)).map((participantSid) => {
    let receipt = existing.find((r) => r.participantSid === participantSid);
    if (!receipt) {
      receipt = {
        sid: newSid("DY"),
        accountSid: message.accountSid,
        serviceSid: message.serviceSid,
        conversationSid: message.conversationSid,
        messageSid: message.sid,
        participantSid,
        channelMessageSid: newSid("SM"),
        status,
        errorCode,
        dateCreated: now,
        dateUpdated: now,
      };
      op.store.receipts.set(receipt.sid, receipt);
    }
    receipt.status = status;
    receipt.errorCode = errorCode;
    receipt.dateUpdated = now;
    op.sink(deliveryEvent(receipt, op.source));
    return receipt;
  });
}
