import { expect } from "chai";
import type { Accounts } from "../../src/accounts/accounts-context.js";
import { createPrincipalCheck } from "../../src/accounts/session-check.js";
import type { Principal } from "../../src/http/access-token.js";
import type { TenantRegistry } from "../../src/tenants/tenant-registry.js";

describe("createPrincipalCheck (the operation router's session check)", () => {
  const served = { has: (tenantId: string) => tenantId === "alpha" } as unknown as TenantRegistry;
  const principal = (extra: Partial<Principal> = {}): Principal => ({ userId: "u1", tenantIds: ["alpha"], expiresAtMs: Date.now() + 60_000, role: "AGENT", ...extra });

  describe("when the token names no session and only tenants served already", () => {
    it("answers the principal at once, not a promise (nothing to wait for)", () => {
      const accounts = { enabled: true } as unknown as Accounts;
      const given = principal();
      expect(createPrincipalCheck(accounts, served)(given)).to.equal(given);
    });
  });

  describe("when the token names a session but sign-in is off", () => {
    it("still ends it (a promise that rejects with 401)", async () => {
      const accounts = { enabled: false } as unknown as Accounts;
      const checked = createPrincipalCheck(accounts, served)(principal({ session: { sessionId: "s1", tokenVersion: 1 } }));
      expect(checked).to.be.instanceOf(Promise);
      const error = await (checked as Promise<Principal>).then(() => undefined, (rejection: unknown) => rejection);
      expect((error as { status?: number }).status).to.equal(401);
    });
  });

  describe("when the token names a tenant this instance does not serve yet", () => {
    it("waits for it to be loaded before answering", async () => {
      const ensured: string[] = [];
      const accounts = { enabled: true, context: async () => ({ tenants: { ensure: async (id: string) => void ensured.push(id) } }) } as unknown as Accounts;
      const checked = createPrincipalCheck(accounts, served)(principal({ tenantIds: ["gamma"] }));
      expect(checked).to.be.instanceOf(Promise);
      await checked;
      expect(ensured).to.deep.equal(["gamma"]);
    });
  });
});
