import jwt from "jsonwebtoken";
import { TEST_JWT_SECRET } from "../support/start-app.js";
import { baselineFor, caseOf, sourceFor, type FuzzContext } from "./fuzz-context.js";
import type { FuzzCase } from "./fuzz-runner.js";
import { baselineShape, differingSlots, getSlot, parametersOf, withSlot } from "./request-shape.js";

const b64url = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const nowSeconds = () => Math.floor(Date.now() / 1000);
/** Where a request names its tenant (besides X-Tenant-Id): the org-inbox path and the PHP surface's account. */
const TENANT_SLOTS = new Set(["organizationId", "account_id"]);
const hs256 = (claims: object, secret = TEST_JWT_SECRET, algorithm: jwt.Algorithm = "HS256") => jwt.sign(claims, secret, { algorithm });

/** Authorization headers that must never authenticate (undefined: no header at all). */
export function brokenCredentials(validToken: string): Array<{ name: string; authorization: string | undefined }> {
  const claims = { sub: "agent-fuzz", tenants: ["alpha"], exp: nowSeconds() + 3600 };
  const [header, payload, signature] = validToken.split(".");
  const bearer = (token: string) => `Bearer ${token}`;
  return [
    { name: "no Authorization header", authorization: undefined },
    { name: "an expired token", authorization: bearer(hs256({ ...claims, exp: nowSeconds() - 60 })) },
    { name: "alg none", authorization: bearer(`${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims)}.`) },
    { name: "a token signed with another secret", authorization: bearer(hs256(claims, "another-secret-0123456789-0123456789-xyz")) },
    { name: "an empty Bearer", authorization: "Bearer " },
    { name: "Basic credentials", authorization: `Basic ${Buffer.from("alpha:secret").toString("base64")}` },
    { name: "the token without the Bearer scheme", authorization: validToken },
    { name: "two Bearer tokens", authorization: `Bearer ${validToken} Bearer ${validToken}` },
    { name: "a token that is not a JWT", authorization: bearer("not-a-jwt") },
    { name: "a two-part token", authorization: bearer(`${header}.${payload}`) },
    { name: "an 8 KB garbage token", authorization: bearer("A".repeat(8 * 1024)) },
    { name: "latin-1 bytes in the token", authorization: bearer("ÿþý.ÿþý.ÿþý") },
    { name: "a token not valid yet (nbf)", authorization: bearer(hs256({ ...claims, nbf: nowSeconds() + 3600 })) },
    { name: "alg none keeping a real signature", authorization: bearer(`${b64url({ alg: "none", typ: "JWT" })}.${payload}.${signature}`) },
    { name: "HS512 with the right secret (algorithm not pinned)", authorization: bearer(hs256(claims, TEST_JWT_SECRET, "HS512")) },
    { name: "an RS256 header over an HMAC signature", authorization: bearer(`${b64url({ alg: "RS256", typ: "JWT" })}.${payload}.${signature}`) },
    { name: "claims widened to beta under alpha's signature", authorization: bearer(`${header}.${b64url({ ...claims, tenants: ["alpha", "beta"] })}.${signature}`) },
    { name: "a token without exp", authorization: bearer(hs256({ sub: "agent-fuzz", tenants: ["alpha"] })) },
    { name: "a token without sub", authorization: bearer(hs256({ tenants: ["alpha"], exp: claims.exp })) },
    { name: "a token granting no tenant", authorization: bearer(hs256({ ...claims, tenants: [] })) },
    { name: "a token granting an unknown tenant", authorization: bearer(hs256({ ...claims, tenants: ["gamma"] })) },
    { name: "a token whose tenants are not strings", authorization: bearer(hs256({ ...claims, tenants: [42, { id: "alpha" }] })) },
  ];
}

/** Every bearer operation with broken credentials, and with tenants the token does not grant. */
export function* authCases(context: FuzzContext): Generator<FuzzCase> {
  const { document, t } = context;
  for (const operation of context.operations.filter((op) => op.securityScheme === "bearerAuth")) {
    const baseline = baselineFor(context, operation);
    // Missing, expired, alg-none and forged for every operation; a seeded draw of the other breakages joins them.
    for (const { name, authorization } of context.rng.some(brokenCredentials(context.tokens.alpha), 4, 3)) {
      const shape = { ...baseline, token: undefined, headers: { ...baseline.headers, ...(authorization === undefined ? {} : { authorization }) } };
      yield caseOf(context, "auth", name, shape, "rejected");
    }
    if (parametersOf(document, operation).some((p) => p.in === "header" && p.name.toLowerCase() === "x-tenant-id")) {
      yield caseOf(context, "auth", "an alpha token choosing X-Tenant-Id beta", { ...baseline, headers: { ...baseline.headers, "x-tenant-id": "beta" } }, "rejected");
      yield caseOf(context, "auth", "a token for alpha and beta without X-Tenant-Id", { ...baseline, token: t.token({ tenants: ["alpha", "beta"] }) }, "rejected");
      yield caseOf(context, "auth", "X-Tenant-Id of a tenant not served here", { ...baseline, token: t.token({ tenants: ["gamma"] }), headers: { ...baseline.headers, "x-tenant-id": "gamma" } }, "rejected");
    }
    // The tenant named in the path (organizationId) or the request (account_id): one the token does not grant, or none.
    for (const tenantName of ["beta", "gamma"]) {
      const renamed = baselineShape(document, operation, { ...sourceFor(context, operation), tenantName }, context.tokens.alpha);
      for (const slot of differingSlots(baseline, renamed).filter((s) => TENANT_SLOTS.has(s.key.at(-1)!))) {
        const shape = withSlot(baseline, slot, getSlot(renamed, slot));
        yield caseOf(context, "auth", `an alpha token naming tenant ${tenantName} in ${slot.in} ${slot.key.join(".")}`, shape, "rejected");
      }
    }
  }
}
