import { AppError, isAppError } from "../errors.js";
import type { SharedFacts } from "../inbox/shared-facts.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import { contactAttributes, contactIdentity, isContactIdentity, toContact, type Contact, type ContactInput } from "./contact.js";

/** The most contacts a tenant's book holds in memory (one Users call per 50 loads them). */
export const MAX_CONTACTS = 50_000;
/** How long the loaded book is trusted before it is read from Twilio again (a safety net: writes are shared). */
const RELOAD_AFTER_MS = 5 * 60_000;

/**
 * One tenant's contacts: Conversations Users of its service with identity `contact:<E.164>` (Twilio is the store).
 * Read once into memory (Twilio lists Users 50 a call and cannot search them), then kept current by this gateway's
 * own writes and, scaled out, by the other instances' (each write is announced as a `ContactFact`), and re-read
 * every few minutes.
 */
export class ContactBook {
  private byId = new Map<string, Contact>();
  private byPhone = new Map<string, Contact>();
  private loading: Promise<void> | undefined;
  private loadedAtMs = 0;
  private heardWhileLoading: ContactFact[] = [];

  constructor(
    private readonly inbox: TenantInbox,
    private readonly announce: (fact: ContactFact) => void = () => {},
    private readonly reloadAfterMs = RELOAD_AFTER_MS,
  ) {}

  private get gateway() {
    return this.inbox.gateway.contacts;
  }

  /** Every contact, newest first. */
  async all(): Promise<Contact[]> {
    await this.ensureLoaded();
    return [...this.byId.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
  }

  async get(id: string): Promise<Contact> {
    await this.ensureLoaded();
    const contact = this.byId.get(id);
    if (!contact) throw new AppError("not_found", "no such contact in this tenant", { field: "id" });
    return contact;
  }

  async findByPhone(phone: string): Promise<Contact | undefined> {
    await this.ensureLoaded();
    return this.byPhone.get(phone);
  }

  /** Creates a contact; a number that has one already answers 409. */
  async create(input: ContactInput): Promise<Contact> {
    await this.ensureLoaded();
    return this.createLoaded(input);
  }

  async update(id: string, changes: Partial<Omit<ContactInput, "phoneNumber">>): Promise<Contact> {
    return this.updateLoaded(await this.get(id), changes);
  }

  /** create(), the book being loaded already: no wait between the caller's turn and the write. */
  private async createLoaded(input: ContactInput): Promise<Contact> {
    if (this.byPhone.has(input.phoneNumber)) throw new AppError("conflict", "a contact with this phoneNumber exists", { field: "phoneNumber" });
    if (this.byId.size >= MAX_CONTACTS) throw new AppError("conflict", `a tenant holds at most ${MAX_CONTACTS} contacts`, { field: "phoneNumber" });
    const fields = { name: input.name ?? null, email: input.email ?? null, tags: input.tags ?? [] };
    return this.remember(toContact(await this.gateway.create(contactIdentity(input.phoneNumber), fields.name ?? undefined, contactAttributes(fields))));
  }

  private async updateLoaded(current: Contact, changes: Partial<Omit<ContactInput, "phoneNumber">>): Promise<Contact> {
    const next = {
      name: changes.name !== undefined ? changes.name : current.name,
      email: changes.email !== undefined ? changes.email : current.email,
      tags: changes.tags ?? current.tags,
    };
    return this.remember(toContact(await this.gateway.update(current.id, { ...(next.name ? { friendlyName: next.name } : {}), attributes: contactAttributes(next) })));
  }

  async remove(id: string): Promise<void> {
    await this.get(id); // 404 for an unknown id
    await this.gateway.remove(id);
    if (this.loading) this.heardWhileLoading.push({ tenantId: this.inbox.tenant.id, removed: id });
    this.forget(id);
    this.announce({ tenantId: this.inbox.tenant.id, removed: id });
  }

  /** Another instance's write (only a loaded book holds contacts; one not loaded reads them all when first used). */
  applyRemote(fact: ContactFact): void {
    if (this.loading) this.heardWhileLoading.push(fact); // the list being read may predate it
    if (this.loadedAtMs > 0) this.apply(fact);
  }

  private apply(fact: ContactFact) {
    if ("contact" in fact) this.remember(fact.contact, false);
    else this.forget(fact.removed);
  }

  /** Facts may have been missed (the bus reconnected): the next read loads the book again. */
  markStale(): void {
    this.loadedAtMs = 0;
  }

  /**
   * Creates or updates the contact of `input.phoneNumber` (imports): no write when nothing changed. A create that
   * finds the number taken (another instance, a stale book) updates the existing one instead. `pace` is awaited
   * right before each write, and nothing is awaited between it and the write: a writer that took its turn and then
   * found the book due for its reload (a list of all of it) would wait it out with the others and start together with
   * them when it ends.
   */
  async upsert(input: ContactInput, pace: () => Promise<void> = async () => {}): Promise<"created" | "updated" | "unchanged"> {
    await this.ensureLoaded();
    const known = this.byPhone.get(input.phoneNumber);
    const fields = { name: input.name ?? null, email: input.email ?? null, tags: input.tags ?? [] };
    if (known) {
      if (known.name === fields.name && known.email === fields.email && JSON.stringify(known.tags) === JSON.stringify(fields.tags)) return "unchanged";
      await pace();
      await this.updateLoaded(known, fields);
      return "updated";
    }
    try {
      await pace();
      await this.createLoaded(input);
      return "created";
    } catch (error) {
      if (!isAppError(error) || error.code !== "conflict" || error.options.upstream === undefined) throw error;
      const existing = await this.gateway.find(contactIdentity(input.phoneNumber));
      if (!existing) throw error;
      await pace();
      await this.updateLoaded(this.remember(toContact(existing)), fields);
      return "updated";
    }
  }

  private remember(contact: Contact, announce = true): Contact {
    // A write answered while the book is being read again would be lost with the old maps: applied after the load too.
    if (this.loading && announce) this.heardWhileLoading.push({ tenantId: this.inbox.tenant.id, contact });
    const previous = this.byId.get(contact.id);
    if (previous) this.byPhone.delete(previous.phoneNumber);
    this.byId.set(contact.id, contact);
    this.byPhone.set(contact.phoneNumber, contact);
    if (announce) this.announce({ tenantId: this.inbox.tenant.id, contact });
    return contact;
  }

  private forget(id: string) {
    const contact = this.byId.get(id);
    this.byId.delete(id);
    if (contact && this.byPhone.get(contact.phoneNumber)?.id === id) this.byPhone.delete(contact.phoneNumber);
  }

  private ensureLoaded(): Promise<void> {
    if (this.loadedAtMs > 0 && Date.now() - this.loadedAtMs < this.reloadAfterMs) return Promise.resolve();
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    this.heardWhileLoading = [];
    // Users also hold chat identities; only `contact:` ones are contacts (read up to twice the bound to find them).
    const records = await this.gateway.list(MAX_CONTACTS * 2);
    const byId = new Map<string, Contact>();
    const byPhone = new Map<string, Contact>();
    for (const record of records) {
      if (!isContactIdentity(record.identity) || byId.size >= MAX_CONTACTS) continue;
      const contact = toContact(record);
      byId.set(contact.id, contact);
      byPhone.set(contact.phoneNumber, contact);
    }
    this.byId = byId;
    this.byPhone = byPhone;
    this.loadedAtMs = Date.now();
    for (const fact of this.heardWhileLoading.splice(0)) this.apply(fact);
  }
}

/** A contact written (created, edited, imported) or deleted on one instance, for the others' books. */
export type ContactFact = { tenantId: string; contact: Contact } | { tenantId: string; removed: string };

/**
 * One contact book per tenant, made on first use (a tenant's inbox rebuilt with new settings keeps its gateway and
 * its book). Scaled out, every write is shared with the other instances' books (one bus topic).
 */
export function createContactBooks(shared?: SharedFacts): (inbox: TenantInbox) => ContactBook {
  const books = new Map<string, { gateway: TenantInbox["gateway"]; book: ContactBook }>();
  const announce = shared?.topic<ContactFact>(
    "contacts",
    (fact) => books.get(fact.tenantId)?.book.applyRemote(fact),
    () => books.forEach(({ book }) => book.markStale()),
  );
  return (inbox) => {
    let held = books.get(inbox.tenant.id);
    if (held?.gateway !== inbox.gateway) books.set(inbox.tenant.id, (held = { gateway: inbox.gateway, book: new ContactBook(inbox, announce) }));
    return held.book;
  };
}
