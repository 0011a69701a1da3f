import { createHash } from "node:crypto";

/** The form an email is compared and stored in: trimmed, NFKC, lower-cased (domain and local part alike). */
export function normaliseEmail(email: string): string {
  return email.trim().normalize("NFKC").toLowerCase();
}

/**
 * The directory user's identity for an email: `email-` + SHA-256 of the normalised email (hex). Twilio advises
 * against `@` and other reserved characters in identities; a digest has none, is unique per email, and keeps the
 * address itself out of Twilio's URLs and logs (it lives only in the user's attributes).
 */
export function identityForEmail(email: string): string {
  return `email-${createHash("sha256").update(normaliseEmail(email)).digest("hex")}`;
}
