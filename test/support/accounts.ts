import { expect } from "chai";
import type { ApiClient } from "./api-client.js";

/** Accounts on: alpha's Twilio account is the platform; scrypt cost low so the suite stays quick. */
export const ACCOUNTS_ENV = {
  ACCOUNTS_PLATFORM_TENANT: "alpha",
  REGISTRATION_ENABLED: "true",
  PASSWORD_SCRYPT_COST: "10",
  SESSION_CHECK_CACHE_MS: "60000",
};

export const PASSWORD = "correct horse battery staple";

/** Signs a tenant up through the API and answers its grant. */
export async function signUp(api: ApiClient, email: string, tenantName = "Acme") {
  const response = await api.post("/api/auth/register", { tenantName, email, password: PASSWORD, name: "Olivia Owner" }, { token: null });
  expect(response.status, response.text).to.equal(201);
  return response.body.data as { user: { id: string; role: string }; tenant: { id: string; name: string }; token: string; refreshToken: string };
}
