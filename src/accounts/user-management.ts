import { AppError } from "../errors.js";
import type { Principal } from "../http/access-token.js";
import { publicUser, type AccountUser } from "./account-records.js";
import type { AccountsContext } from "./accounts-context.js";
import { normaliseEmail } from "./email-identity.js";
import { newInvite } from "./passwords.js";
import type { Role } from "./roles.js";

/** Another tenant's user and no user at all answer alike. */
const NO_SUCH_USER = () => new AppError("not_found", "no such user in this tenant", { field: "id" });

/** The people of the caller's tenant (OWNER and ADMIN only: x-roles). */
export async function listUsers(context: AccountsContext, tenantId: string) {
  return (await context.users.listByTenant(tenantId)).map(publicUser);
}

/**
 * Invites a person into the caller's tenant as ADMIN or AGENT (there is one OWNER, the one who signed up). No mail is
 * sent: the one-time password-setting token is answered to the inviter, who hands it over.
 */
export async function inviteUser(context: AccountsContext, tenantId: string, input: { email: string; name: string; role: Role }) {
  if (input.role === "OWNER") throw new AppError("forbidden", "a tenant has one OWNER; invite an ADMIN or AGENT", { field: "role" });
  const invite = newInvite(context.settings.inviteTtlSeconds);
  const user = await context.users
    .create({
      email: normaliseEmail(input.email),
      name: input.name.trim(),
      role: input.role,
      tenantId,
      tokenVersion: 0,
      sessions: {},
      invite: { hash: invite.hash, expiresAt: invite.expiresAt },
      createdAt: new Date().toISOString(),
    })
    .catch((error) => {
      if (error instanceof AppError && error.code === "conflict") throw new AppError("conflict", "an account with this email already exists", { field: "email" });
      throw error;
    });
  return { user: publicUser(user), inviteToken: invite.token(user.id), inviteExpiresAt: invite.expiresAt };
}

/** Checks that the caller may act on `target`: same tenant, not themselves, and only the OWNER acts on the OWNER. */
function assertMayManage(caller: Principal, tenantId: string, target: AccountUser, action: "change" | "remove"): void {
  if (target.tenantId !== tenantId) throw NO_SUCH_USER();
  if (target.role === "OWNER" && action === "remove") throw new AppError("forbidden", "the OWNER cannot be removed", { field: "id" });
  if (target.role === "OWNER" && caller.userId !== target.id) throw new AppError("forbidden", "only the OWNER may change the OWNER", { field: "id" });
  if (action === "remove" && caller.userId === target.id) throw new AppError("forbidden", "you cannot remove yourself", { field: "id" });
}

/** Changes a person's role (ADMIN, AGENT) or name. The role takes effect on their next request (session check). */
export async function updateUser(context: AccountsContext, caller: Principal, tenantId: string, id: string, input: { role?: Role; name?: string }) {
  const user = await context.users
    .update(id, (current) => {
      assertMayManage(caller, tenantId, current, "change");
      if (input.role !== undefined && input.role !== current.role) {
        if (input.role === "OWNER" || current.role === "OWNER")
          throw new AppError("forbidden", "a tenant has one OWNER; that role cannot be given or taken here", { field: "role" });
        if (caller.userId === current.id) throw new AppError("forbidden", "you cannot change your own role", { field: "role" });
      }
      return { ...current, role: input.role ?? current.role, name: input.name?.trim() ?? current.name };
    })
    .catch((error) => {
      if (error instanceof AppError && error.code === "not_found") throw NO_SUCH_USER();
      throw error;
    });
  return publicUser(user);
}

/** Removes a person from the tenant (their Conversations User is deleted, so every session ends). */
export async function removeUser(context: AccountsContext, caller: Principal, tenantId: string, id: string): Promise<void> {
  const target = await context.users.fetch(id);
  if (!target) throw NO_SUCH_USER();
  assertMayManage(caller, tenantId, target, "remove");
  await context.users.delete(id);
}
