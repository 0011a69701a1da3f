import type { Accounts } from "../../accounts/accounts-context.js";
import { changePassword, acceptInvite } from "../../accounts/passwords.js";
import { closeSession, type SessionGrant } from "../../accounts/sessions.js";
import { signIn } from "../../accounts/sign-in.js";
import { signUp } from "../../accounts/sign-up.js";
import { refreshSession } from "../../accounts/sessions.js";
import { readSettings, updateSettings } from "../../accounts/tenant-settings-view.js";
import { inviteUser, listUsers, removeUser, updateUser } from "../../accounts/user-management.js";
import { publicUser } from "../../accounts/account-records.js";
import { AppError } from "../../errors.js";
import type { TenantRegistry } from "../../tenants/tenant-registry.js";
import { bearerToken, type Principal, type TokenVerifier } from "../access-token.js";
import type { OperationHandler, OperationRequest } from "../operation-router.js";
import { selectTenantId } from "../tenant-selection.js";

const ok = (data: unknown, status = 200) => ({ status, body: { success: true, data } });
const granted = (grant: SessionGrant, status = 200) => ok(grant, status);

/** The accounts API (/api/auth, /api/users, /api/settings): thin mappings onto src/accounts/. */
export function accountHandlers(deps: {
  accounts: Accounts;
  tenants: TenantRegistry;
  verifyToken: TokenVerifier;
  checkPrincipal: (principal: Principal) => Promise<Principal>;
}): Record<string, OperationHandler> {
  const { accounts, tenants } = deps;
  const tenantOf = (request: OperationRequest) =>
    tenants.get(selectTenantId(request.principal, request.headers["x-tenant-id"], (id) => tenants.has(id)));
  return {
    registerAccount: async ({ body, ctx }) => granted(await signUp(await accounts.context(), body, ctx.ip), 201),
    loginAccount: async ({ body, ctx }) => granted(await signIn(await accounts.context(), body, ctx.ip)),
    refreshAccountSession: async ({ body }) => granted(await refreshSession(await accounts.context(), body.refreshToken)),
    logoutAccount: async ({ principal }) => {
      if (!principal.session) return ok({ sessionEnded: false });
      await closeSession(await accounts.context(), principal.userId, principal.session.sessionId);
      return ok({ sessionEnded: true });
    },
    getCurrentAccount: async (request) => {
      const inbox = tenantOf(request);
      const tenant = { id: inbox.tenant.id, name: inbox.tenant.name ?? inbox.tenant.id };
      const { principal } = request;
      if (principal.session) {
        const user = await (await accounts.context()).users.get(principal.userId);
        if (!user) throw new AppError("unauthenticated", "the session has ended; sign in again", { field: "Authorization" });
        return ok({ user: publicUser(user), tenant });
      }
      const external = { id: principal.userId, email: null, name: null, role: principal.role, tenantId: tenant.id, status: "external", createdAt: null };
      return ok({ user: external, tenant });
    },
    setAccountPassword: async ({ body, ctx }) => {
      const context = await accounts.context();
      if (body.inviteToken !== undefined) return granted(await acceptInvite(context, body));
      // Changing one's own password: a session of this gateway, checked like any request.
      const principal = await deps.checkPrincipal(deps.verifyToken(bearerToken(ctx.get("authorization") || undefined)));
      if (!principal.session) throw new AppError("forbidden", "only users of this gateway have a password here", { field: "Authorization" });
      return granted(await changePassword(context, principal.userId, body, ctx.ip));
    },
    listAccountUsers: async (request) => ok({ users: await listUsers(await accounts.context(), tenantOf(request).tenant.id) }),
    inviteAccountUser: async (request) => ok(await inviteUser(await accounts.context(), tenantOf(request).tenant.id, request.body), 201),
    updateAccountUser: async (request) =>
      ok({ user: await updateUser(await accounts.context(), request.principal, tenantOf(request).tenant.id, request.params.id, request.body) }),
    deleteAccountUser: async (request) => {
      await removeUser(await accounts.context(), request.principal, tenantOf(request).tenant.id, request.params.id);
      return ok({ deleted: true });
    },
    getTenantSettings: async (request) => ok(await readSettings(await accounts.context(), tenantOf(request))),
    updateTenantSettings: async (request) => ok(await updateSettings(await accounts.context(), tenantOf(request), request.body)),
  };
}
