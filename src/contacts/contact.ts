import { AppError } from "../errors.js";
import { parseAttributes } from "../inbox/conversation-attributes.js";
import type { ContactUserRecord } from "../twilio/contacts-gateway.js";

/** A contact in the business API's model. */
export interface Contact {
  id: string;
  phoneNumber: string;
  name: string | null;
  email: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

export interface ContactInput {
  phoneNumber: string;
  name?: string | null;
  email?: string | null;
  tags?: string[];
}

/** Contacts are the service's Users whose identity is `contact:<E.164>`: one per number, found by it without a scan. */
export const CONTACT_IDENTITY_PREFIX = "contact:";
export const contactIdentity = (phoneNumber: string) => `${CONTACT_IDENTITY_PREFIX}${phoneNumber}`;
export const isContactIdentity = (identity: string) => identity.startsWith(CONTACT_IDENTITY_PREFIX);

export const E164 = /^\+[1-9]\d{1,14}$/;
const EMAIL = /^[^@\s"]{1,64}@[^@\s"]{1,255}$/;
export const MAX_TAGS = 20;
export const MAX_TAG_CHARS = 50;
export const MAX_NAME_CHARS = 200;

interface ContactAttributes {
  name?: string | null;
  email?: string | null;
  tags?: unknown;
}

export function toContact(record: ContactUserRecord): Contact {
  const attributes = parseAttributes<ContactAttributes>(record.attributes);
  return {
    id: record.sid,
    phoneNumber: record.identity.slice(CONTACT_IDENTITY_PREFIX.length),
    // The attributes are the record (a cleared name is null there); a User made elsewhere has only its FriendlyName.
    name: "name" in attributes ? (typeof attributes.name === "string" ? attributes.name : null) : (record.friendlyName ?? null),
    email: typeof attributes.email === "string" ? attributes.email : null,
    tags: Array.isArray(attributes.tags) ? attributes.tags.filter((tag): tag is string => typeof tag === "string") : [],
    createdAt: record.dateCreated,
    updatedAt: record.dateUpdated,
  };
}

/** The attributes JSON of a contact's User. */
export const contactAttributes = (contact: Pick<Contact, "name" | "email" | "tags">) =>
  JSON.stringify({ kind: "contact", name: contact.name, email: contact.email, tags: contact.tags });

/**
 * Checks one contact's fields (a request body or a CSV row) and answers them normalised; the first problem is a
 * 400 naming its field (`prefix` + field).
 */
export function validateContact(input: Partial<ContactInput>, prefix = ""): ContactInput {
  const fail = (field: string, message: string) => new AppError("validation_failed", message, { field: `${prefix}${field}` });
  const phoneNumber = typeof input.phoneNumber === "string" ? input.phoneNumber.replace(/[\s().-]/g, "") : "";
  if (!E164.test(phoneNumber)) throw fail("phoneNumber", "phoneNumber must be an E.164 number (+ and up to 15 digits)");
  const name = typeof input.name === "string" ? input.name.trim() || null : null;
  if (name && name.length > MAX_NAME_CHARS) throw fail("name", `name is at most ${MAX_NAME_CHARS} characters`);
  const email = typeof input.email === "string" ? input.email.trim() || null : null;
  if (email && !EMAIL.test(email)) throw fail("email", "email is not an email address");
  const tags = [...new Set((input.tags ?? []).map((tag) => String(tag).trim()).filter(Boolean))];
  if (tags.length > MAX_TAGS) throw fail("tags", `at most ${MAX_TAGS} tags`);
  if (tags.some((tag) => tag.length > MAX_TAG_CHARS)) throw fail("tags", `a tag is at most ${MAX_TAG_CHARS} characters`);
  return { phoneNumber, name, email, tags };
}
