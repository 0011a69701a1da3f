import { tenantKey, type InboxCache } from "../cache/inbox-cache.js";
import { AppError } from "../errors.js";
import type { KeyedLock } from "../inbox/keyed-lock.js";
import type { AccountsGateway, DirectoryUserRecord } from "../twilio/accounts-gateway.js";
import { accountUserAttributes, parseAccountUser, type AccountUser } from "./account-records.js";
import { identityForEmail } from "./email-identity.js";

/** Cache keys of the directory live under their own scope, apart from every tenant's. */
const SCOPE = "@accounts";

/**
 * The people of every tenant: Conversations Users of one directory service in the platform account, found by the
 * identity derived from their email (login needs no tenant) or by SID. Reads of a user are cached for at most
 * `maxAgeMs` (the session check on every request reads one); every write goes through `update`, under a lock per
 * user (shared through Redis when scaled out) and replaces the cached copy, which other instances then drop.
 */
export class UserDirectory {
  constructor(
    private readonly gateway: AccountsGateway,
    readonly serviceSid: string,
    private readonly cache: InboxCache,
    private readonly lock: KeyedLock,
    private readonly maxAgeMs: number,
  ) {}

  private key(id: string): string {
    return tenantKey(SCOPE, "user", id);
  }

  /** The user signed up with this email, if any (one upstream call; not cached: login must see the newest hash). */
  async findByEmail(email: string): Promise<AccountUser | undefined> {
    const record = await this.gateway.findUser(this.serviceSid, identityForEmail(email));
    return record ? this.remember(record) : undefined;
  }

  /** A user by id, read at most `maxAgeMs` ago (0 upstream calls when warm). */
  async get(id: string): Promise<AccountUser | undefined> {
    const cached = this.cache.get<{ user: AccountUser | null; at: number }>(this.key(id));
    if (cached && Date.now() - cached.at < this.maxAgeMs) return cached.user ?? undefined;
    return this.fetch(id);
  }

  /** A user by id, read from Twilio now. */
  async fetch(id: string): Promise<AccountUser | undefined> {
    if (!/^US[0-9a-fA-F]{32}$/.test(id)) return undefined;
    const record = await this.gateway.findUser(this.serviceSid, id);
    const user = record ? parseAccountUser(record) : undefined;
    this.cache.fill(this.key(id), { user: user ? withoutHash(user) : null, at: Date.now() });
    return user;
  }

  /** Creates a user; an email already signed up answers 409 (Twilio's identity uniqueness, 50201). */
  async create(user: Omit<AccountUser, "id" | "identity">): Promise<AccountUser> {
    const record = await this.gateway.createUser(this.serviceSid, identityForEmail(user.email), accountUserAttributes(user));
    const created = this.remember(record)!;
    this.listChanged(undefined, created);
    return created;
  }

  /**
   * Reads the user afresh, applies `change` and writes the result, one writer per user at a time. `change` returns
   * the new user, or undefined to write nothing; its errors propagate. The answer is what was written (or read).
   */
  async update(id: string, change: (user: AccountUser) => AccountUser | undefined | Promise<AccountUser | undefined>): Promise<AccountUser> {
    return this.lock.acquire(`user:${id}`, async () => {
      const current = await this.fetch(id);
      if (!current) throw new AppError("not_found", "no such user");
      const next = await change(current);
      if (!next) return current;
      const record = await this.gateway.updateUserAttributes(this.serviceSid, id, accountUserAttributes(next));
      const written = this.remember(record, true)!;
      this.listChanged(current, written);
      return written;
    });
  }

  async delete(id: string): Promise<void> {
    await this.lock.acquire(`user:${id}`, async () => {
      const current = await this.get(id);
      await this.gateway.deleteUser(this.serviceSid, id);
      this.listChanged(current, undefined);
      this.cache.set(this.key(id), { user: null, at: Date.now() });
    });
  }

  /**
   * The users of one tenant: a scan of the directory (one upstream call per 50 users of every tenant), cached until
   * someone of the tenant is invited, changed or removed (on any instance, when scaled out).
   */
  async listByTenant(tenantId: string): Promise<AccountUser[]> {
    const { users } = await this.cache.getOrLoad(this.listKey(tenantId), async () => {
      const records = await this.gateway.listUsers(this.serviceSid);
      const found = records.map(parseAccountUser).filter((user): user is AccountUser => user !== undefined && user.tenantId === tenantId);
      return { users: found.map(withoutHash) };
    });
    return users;
  }

  private listKey(tenantId: string): string {
    return tenantKey(SCOPE, "tenant-users", tenantId);
  }

  /** A change the tenant's user list shows (a new, removed, renamed or re-roled person, an accepted invite). */
  private listChanged(before: AccountUser | undefined, after: AccountUser | undefined): void {
    const shown = (user: AccountUser | undefined) => user && JSON.stringify([user.name, user.role, user.email, Boolean(user.passwordHash)]);
    if (shown(before) === shown(after)) return;
    for (const tenantId of new Set([before?.tenantId, after?.tenantId])) if (tenantId) this.cache.delete(this.listKey(tenantId));
  }

  /** Keeps a user just read or written; a write is announced so other instances drop their copy. */
  private remember(record: DirectoryUserRecord, written = false): AccountUser | undefined {
    const user = parseAccountUser(record);
    if (user) {
      const value = { user: withoutHash(user), at: Date.now() };
      if (written) this.cache.set(this.key(user.id), value);
      else this.cache.fill(this.key(user.id), value);
    }
    return user;
  }
}

/** Cached copies never hold the password hash (only whether there is one); login reads it from Twilio. */
function withoutHash(user: AccountUser): AccountUser {
  return user.passwordHash ? { ...user, passwordHash: "(kept in Twilio)" } : user;
}
