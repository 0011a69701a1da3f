import type { Contact } from "./contact.js";
import type { ContactBook } from "./contact-book.js";

/** GET /api/contacts — newest first; `search` matches part of the name, phone number, email or a tag (case-insensitive). */
export async function listContacts(book: ContactBook, query: { page: number; limit: number; search?: string }) {
  const needle = query.search?.toLowerCase();
  const all = await book.all();
  const matches = needle ? all.filter((contact) => matchesContact(contact, needle)) : all;
  return {
    contacts: matches.slice((query.page - 1) * query.limit, query.page * query.limit),
    pagination: { page: query.page, limit: query.limit, total: matches.length, totalPages: Math.ceil(matches.length / query.limit) },
  };
}

const matchesContact = (contact: Contact, needle: string) =>
  [contact.name ?? "", contact.phoneNumber, contact.email ?? "", ...contact.tags].some((value) => value.toLowerCase().includes(needle));
