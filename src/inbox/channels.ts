import { AppError } from "../errors.js";
import type { TenantConfig } from "../tenants/tenant-config.js";
import type { Channel, ParticipantSpec, ParticipantTarget } from "./inbox-types.js";

/**
 * How a participant joins a conversation of a channel. SMS and WhatsApp customers get a messaging binding whose
 * proxy address is the tenant's sender, so Twilio delivers every conversation message to them; agents join as
 * chat identities; an Email contact joins as an identity that carries its address (Email is sent by SendGrid).
 */
export function participantSpecFor(tenant: TenantConfig, channel: Channel, target: ParticipantTarget, field = "phoneNumber"): ParticipantSpec {
  switch (target.kind) {
    case "user":
      return { identity: target.userId };
    case "email":
      return { identity: target.email, attributes: JSON.stringify({ channel: "Email", email: target.email }) };
    case "phone":
      if (channel === "WhatsApp") {
        if (!tenant.whatsappNumber)
          throw new AppError("conflict", "this tenant has no WhatsApp sender yet: name one in its settings (whatsappConfig.number)", { field });
        return { binding: { address: `whatsapp:${target.phoneNumber}`, proxyAddress: tenant.whatsappNumber } };
      }
      if (!tenant.phoneNumber)
        throw new AppError("conflict", "this tenant has no SMS sender yet: name one in its settings (smsConfig.phoneNumber)", { field });
      return { binding: { address: target.phoneNumber, proxyAddress: tenant.phoneNumber } };
  }
}

/** The channel a conversation speaks: its own attribute, else what its first contact implies. */
export function inferChannel(requested: Channel | undefined, targets: ParticipantTarget[]): Channel {
  if (requested) return requested;
  if (targets.some((target) => target.kind === "phone")) return "SMS";
  if (targets.some((target) => target.kind === "email")) return "Email";
  return "SMS";
}

/** The request body's `{ userId?, phoneNumber?, email? }` as exactly one target; 400 names the field otherwise. */
export function toParticipantTarget(input: { userId?: string; phoneNumber?: string; email?: string }, field: string): ParticipantTarget {
  const given = [input.userId, input.phoneNumber, input.email].filter((value) => value !== undefined);
  if (given.length !== 1)
    throw new AppError("validation_failed", "exactly one of userId, phoneNumber or email is required", { field });
  if (input.userId !== undefined) return { kind: "user", userId: input.userId };
  if (input.phoneNumber !== undefined) return { kind: "phone", phoneNumber: input.phoneNumber };
  return { kind: "email", email: input.email! };
}
