import type { DirectoryUserRecord } from "../twilio/accounts-gateway.js";
import { isRole, type Role } from "./roles.js";

/** Most sessions (devices) one user keeps at once; signing in again drops the oldest. */
export const MAX_SESSIONS_PER_USER = 10;

/**
 * A person, as kept in the attributes of their Conversations User in the directory service (Twilio's limit for a
 * User's attributes is 16 KB; a record is well under 2 KB). The user id is the User's SID.
 */
export interface AccountUser {
  /** The Conversations User SID (`US…`): the user id in tokens and in the API. */
  id: string;
  identity: string;
  email: string;
  name: string;
  role: Role;
  tenantId: string;
  /** scrypt hash; absent while an invited user has not set a password. */
  passwordHash?: string;
  /** Bumped to revoke every session at once (refresh-token reuse, password change). */
  tokenVersion: number;
  /** Open sessions: session id → the counter of its one valid refresh token. Oldest first. */
  sessions: Record<string, number>;
  /** The SHA-256 of an unused invite (password-setting) token and when it expires. */
  invite?: { hash: string; expiresAt: string };
  createdAt: string;
}

const USER_KIND = "switchboard-user";

/** The user a directory User holds, or undefined when it is not one of ours (a tenant record, something else). */
export function parseAccountUser(record: DirectoryUserRecord): AccountUser | undefined {
  let raw: Record<string, any>;
  try {
    raw = JSON.parse(record.attributes);
  } catch {
    return undefined;
  }
  if (!raw || raw.kind !== USER_KIND || !isRole(raw.role) || typeof raw.email !== "string" || typeof raw.tenant !== "string") return undefined;
  return {
    id: record.sid,
    identity: record.identity,
    email: raw.email,
    name: typeof raw.name === "string" ? raw.name : "",
    role: raw.role,
    tenantId: raw.tenant,
    passwordHash: typeof raw.passwordHash === "string" ? raw.passwordHash : undefined,
    tokenVersion: Number.isInteger(raw.tokenVersion) ? raw.tokenVersion : 0,
    sessions: raw.sessions && typeof raw.sessions === "object" ? raw.sessions : {},
    invite: raw.invite && typeof raw.invite.hash === "string" ? raw.invite : undefined,
    createdAt: typeof raw.createdAt === "string" ? raw.createdAt : new Date(0).toISOString(),
  };
}

/** The attributes JSON of a user (everything but the SID and identity, which are the User's own fields). */
export function accountUserAttributes(user: Omit<AccountUser, "id" | "identity">): string {
  return JSON.stringify({
    kind: USER_KIND,
    v: 1,
    email: user.email,
    name: user.name,
    role: user.role,
    tenant: user.tenantId,
    ...(user.passwordHash ? { passwordHash: user.passwordHash } : {}),
    tokenVersion: user.tokenVersion,
    sessions: user.sessions,
    ...(user.invite ? { invite: user.invite } : {}),
    createdAt: user.createdAt,
  });
}

/** What any answer may show of a user: never the hash, the sessions or the invite. */
export function publicUser(user: AccountUser) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    tenantId: user.tenantId,
    status: user.passwordHash ? ("active" as const) : ("invited" as const),
    createdAt: user.createdAt,
  };
}
