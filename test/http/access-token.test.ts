import { createHmac, generateKeyPairSync } from "node:crypto";
import { expect } from "chai";
import jwt from "jsonwebtoken";
import { loadConfig, type Config } from "../../src/config.js";
import { mintDevelopmentToken } from "../../src/dev/development-token.js";
import { AppError } from "../../src/errors.js";
import { bearerToken, createTokenVerifier } from "../../src/http/access-token.js";

const SECRET = "access-token-test-secret-0123456789-abcdef";
const { publicKey, privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});

const hs256: Config["jwt"] = { algorithm: "HS256", verificationKey: SECRET, usesDevelopmentSecret: false };
const rs256: Config["jwt"] = { algorithm: "RS256", verificationKey: publicKey, usesDevelopmentSecret: false };
const inAMinute = () => Math.floor(Date.now() / 1000) + 60;

const base64url = (value: object | string) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** A token signed by hand, so tests can produce what jsonwebtoken itself refuses to (algorithm confusion). */
function handSigned(header: object, payload: object, hmacKey: string | null): string {
  const unsigned = `${base64url(header)}.${base64url(payload)}`;
  const signature = hmacKey === null ? "" : createHmac("sha256", hmacKey).update(unsigned).digest("base64url");
  return `${unsigned}.${signature}`;
}

/** Runs the verifier expecting an AppError; returns it. */
function refusal(verify: () => unknown): AppError {
  try {
    verify();
  } catch (error) {
    expect(error).to.be.instanceOf(AppError);
    return error as AppError;
  }
  expect.fail("expected the token to be refused");
}

describe("createTokenVerifier", () => {
  describe("when HS256 is configured", () => {
    describe("when the token is signed with the secret", () => {
      it("returns the user, their tenants and when the token expires", () => {
        const exp = Math.floor(Date.now() / 1000) + 60;
        const token = jwt.sign({ tenants: ["alpha", "beta"], exp }, SECRET, { algorithm: "HS256", subject: "agent-1" });

        expect(createTokenVerifier(hs256)(token)).to.deep.equal({ userId: "agent-1", tenantIds: ["alpha", "beta"], expiresAtMs: exp * 1000, role: "ADMIN" });
      });
    });

    describe("when an external token carries a role claim", () => {
      it("honours OWNER, ADMIN or AGENT in any case, and refuses any other role rather than guess", () => {
        const signed = (role: unknown) => jwt.sign({ tenants: ["alpha"], role }, SECRET, { algorithm: "HS256", subject: "a", expiresIn: 60 });
        expect(createTokenVerifier(hs256)(signed("agent")).role).to.equal("AGENT");
        expect(createTokenVerifier(hs256)(signed("OWNER")).role).to.equal("OWNER");
        expect(refusal(() => createTokenVerifier(hs256)(signed("superuser"))).status).to.equal(401);
      });
    });

    describe("when a token names the gateway's session key (kid) but is not one of its session tokens", () => {
      it("refuses a token signed with JWT_SECRET and a refresh token used as an access token", () => {
        const verify = createTokenVerifier(hs256, "session-secret-0123456789-0123456789-xyz");
        const claims = { typ: "access", tenant: "alpha", role: "OWNER", sid: "s1", ver: 0 };
        const withJwtSecret = jwt.sign(claims, SECRET, { algorithm: "HS256", keyid: "switchboard-session", issuer: "switchboard", subject: "US1", expiresIn: 60 });
        expect(refusal(() => verify(withJwtSecret)).status).to.equal(401);
        const refresh = jwt.sign({ ...claims, typ: "refresh" }, "session-secret-0123456789-0123456789-xyz", {
          algorithm: "HS256", keyid: "switchboard-session", issuer: "switchboard", subject: "US1", expiresIn: 60,
        });
        expect(refusal(() => verify(refresh)).status).to.equal(401);
        const access = jwt.sign(claims, "session-secret-0123456789-0123456789-xyz", {
          algorithm: "HS256", keyid: "switchboard-session", issuer: "switchboard", subject: "US1", expiresIn: 60,
        });
        expect(verify(access)).to.deep.include({ userId: "US1", tenantIds: ["alpha"], role: "OWNER", session: { sessionId: "s1", tokenVersion: 0 } });
      });
    });

    describe("when the token is signed with another secret", () => {
      it("refuses it as unauthenticated", () => {
        const token = jwt.sign({ tenant: "alpha" }, "some-other-secret-0123456789-abcdef", { subject: "u", expiresIn: 60 });

        const error = refusal(() => createTokenVerifier(hs256)(token));

        expect(error.code).to.equal("unauthenticated");
        expect(error.status).to.equal(401);
      });
    });

    describe("when the token is RS256-signed", () => {
      it("refuses it", () => {
        const token = jwt.sign({ tenant: "alpha" }, privateKey, { algorithm: "RS256", subject: "u", expiresIn: 60 });

        expect(refusal(() => createTokenVerifier(hs256)(token)).code).to.equal("unauthenticated");
      });
    });
  });

  describe("when RS256 is configured", () => {
    describe("when the token is signed with the private key", () => {
      it("returns the user and their tenants", () => {
        const exp = Math.floor(Date.now() / 1000) + 60;
        const token = jwt.sign({ tenant: "alpha", exp }, privateKey, { algorithm: "RS256", subject: "agent-2" });

        expect(createTokenVerifier(rs256)(token)).to.deep.equal({ userId: "agent-2", tenantIds: ["alpha"], expiresAtMs: exp * 1000, role: "ADMIN" });
      });
    });

    describe("when the token is HS256-signed with the public key as the secret (algorithm confusion)", () => {
      it("refuses it", () => {
        const token = handSigned({ alg: "HS256", typ: "JWT" }, { sub: "attacker", tenant: "alpha", exp: inAMinute() }, publicKey);

        expect(refusal(() => createTokenVerifier(rs256)(token)).code).to.equal("unauthenticated");
      });
    });

    describe("when the token is signed by another key pair", () => {
      it("refuses it", () => {
        const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
        const token = jwt.sign({ tenant: "alpha" }, other, { algorithm: "RS256", subject: "u", expiresIn: 60 });

        expect(refusal(() => createTokenVerifier(rs256)(token)).code).to.equal("unauthenticated");
      });
    });
  });

  for (const [name, settings] of [["HS256", hs256], ["RS256", rs256]] as const) {
    describe(`when ${name} is configured and the token is unsigned (alg none)`, () => {
      it("refuses it", () => {
        const token = handSigned({ alg: "none", typ: "JWT" }, { sub: "attacker", tenant: "alpha", exp: inAMinute() }, null);

        expect(refusal(() => createTokenVerifier(settings)(token)).code).to.equal("unauthenticated");
      });
    });
  }

  describe("when the token has no exp", () => {
    it("refuses it as unauthenticated, saying exp is missing", () => {
      const token = jwt.sign({ tenant: "alpha" }, SECRET, { subject: "u" });

      const error = refusal(() => createTokenVerifier(hs256)(token));

      expect(error.code).to.equal("unauthenticated");
      expect(error.message).to.contain("exp");
    });
  });

  describe("when the token has expired", () => {
    it("refuses it as token_expired", () => {
      const token = jwt.sign({ tenant: "alpha", exp: Math.floor(Date.now() / 1000) - 5 }, SECRET, { subject: "u" });

      const error = refusal(() => createTokenVerifier(hs256)(token));

      expect(error.code).to.equal("token_expired");
      expect(error.status).to.equal(401);
      expect(error.options.field).to.equal("Authorization");
    });
  });

  describe("when a maximum lifetime is configured (JWT_MAX_LIFETIME_SECONDS, 24 h)", () => {
    const DAY = 24 * 60 * 60;
    const capped: Config["jwt"] = { ...hs256, maxLifetimeSeconds: DAY };
    const now = () => Math.floor(Date.now() / 1000);
    const signed = (claims: object, options: jwt.SignOptions = {}) => jwt.sign({ tenant: "alpha", ...claims }, SECRET, { subject: "u", ...options });

    it("accepts the development token npm start prints, under the default limit", () => {
      const { jwt: defaults } = loadConfig({});
      const token = mintDevelopmentToken(defaults, { userId: "agent-demo", tenants: ["default"] })!;

      expect(defaults.maxLifetimeSeconds).to.equal(DAY);
      expect(createTokenVerifier(defaults)(token).userId).to.equal("agent-demo");
    });

    it("accepts a 12 h token and one of exactly 24 h", () => {
      expect(createTokenVerifier(capped)(signed({}, { expiresIn: 12 * 60 * 60 })).userId).to.equal("u");
      expect(createTokenVerifier(capped)(signed({ iat: now(), exp: now() + DAY })).userId).to.equal("u");
    });

    const refused: Array<[string, () => object]> = [
      ["exp is 1e308", () => ({ iat: now(), exp: 1e308 })],
      ["exp is 1e308 and iat is missing", () => ({ exp: 1e308 })],
      ["exp is 1e308 and iat is set just before it, to look short-lived", () => ({ iat: 1e308 - 10, exp: 1e308 })],
      ["it lives 25 h without iat", () => ({ exp: now() + 25 * 60 * 60 })],
      ["it was issued for 48 h, 30 h ago", () => ({ iat: now() - 30 * 60 * 60, exp: now() + 18 * 60 * 60 })],
    ];
    for (const [situation, claims] of refused) {
      describe(`when ${situation}`, () => {
        it("refuses it as unauthenticated, naming the limit", () => {
          const options = "iat" in claims() ? {} : { noTimestamp: true };

          const error = refusal(() => createTokenVerifier(capped)(signed(claims(), options)));

          expect(error.code).to.equal("unauthenticated");
          expect(error.status).to.equal(401);
          expect(error.options.field).to.equal("Authorization");
          expect(error.message).to.contain(String(DAY));
        });
      });
    }

    describe("when the limit is 0 (off)", () => {
      it("accepts any lifetime", () => {
        const token = signed({ iat: now(), exp: 1e308 });

        expect(createTokenVerifier({ ...capped, maxLifetimeSeconds: 0 })(token).userId).to.equal("u");
      });
    });
  });

  describe("when no token is given", () => {
    it("refuses the request as unauthenticated", () => {
      expect(refusal(() => createTokenVerifier(hs256)(undefined)).code).to.equal("unauthenticated");
    });
  });

  describe("when the token is not a JWT at all", () => {
    it("refuses it as unauthenticated", () => {
      expect(refusal(() => createTokenVerifier(hs256)("not.a.jwt")).code).to.equal("unauthenticated");
    });
  });

  describe("when the user is named by a userId claim instead of sub", () => {
    it("accepts userId as the user", () => {
      const token = jwt.sign({ userId: "agent-3", tenant: "alpha" }, SECRET, { expiresIn: 60 });

      expect(createTokenVerifier(hs256)(token).userId).to.equal("agent-3");
    });
  });

  describe("when both sub and userId are present", () => {
    it("prefers sub", () => {
      const token = jwt.sign({ userId: "from-claim", tenant: "alpha" }, SECRET, { subject: "from-sub", expiresIn: 60 });

      expect(createTokenVerifier(hs256)(token).userId).to.equal("from-sub");
    });
  });

  describe("when the token names no user", () => {
    it("refuses it", () => {
      const token = jwt.sign({ tenant: "alpha", userId: "" }, SECRET, { expiresIn: 60 });

      expect(refusal(() => createTokenVerifier(hs256)(token)).code).to.equal("unauthenticated");
    });
  });

  describe("tenant claims", () => {
    const cases: Array<[string, object, string[]]> = [
      ["tenant is a string", { tenant: "alpha" }, ["alpha"]],
      ["tenants is an array", { tenants: ["alpha", "beta"] }, ["alpha", "beta"]],
      ["tenants holds non-strings", { tenants: ["alpha", 7, null, "beta"] }, ["alpha", "beta"]],
      ["tenants is not an array", { tenants: "alpha" }, []],
      ["both are given", { tenants: ["beta"], tenant: "alpha" }, ["beta"]],
      ["neither is given", {}, []],
    ];
    for (const [situation, claims, expected] of cases) {
      describe(`when ${situation}`, () => {
        it(`grants ${JSON.stringify(expected)}`, () => {
          const token = jwt.sign(claims, SECRET, { subject: "u", expiresIn: 60 });

          expect(createTokenVerifier(hs256)(token).tenantIds).to.deep.equal(expected);
        });
      });
    }
  });

  describe("when an issuer and audience are configured", () => {
    const pinned: Config["jwt"] = { ...hs256, issuer: "https://auth.example.com", audience: "switchboard" };

    it("accepts a token from that issuer for that audience", () => {
      const token = jwt.sign({ tenant: "alpha" }, SECRET, { subject: "u", expiresIn: 60, issuer: "https://auth.example.com", audience: "switchboard" });

      expect(createTokenVerifier(pinned)(token).userId).to.equal("u");
    });

    it("refuses a token from another issuer or for another audience", () => {
      const wrongIssuer = jwt.sign({ tenant: "alpha" }, SECRET, { subject: "u", expiresIn: 60, issuer: "https://evil.example.com", audience: "switchboard" });
      const wrongAudience = jwt.sign({ tenant: "alpha" }, SECRET, { subject: "u", expiresIn: 60, issuer: "https://auth.example.com", audience: "other" });

      expect(refusal(() => createTokenVerifier(pinned)(wrongIssuer)).code).to.equal("unauthenticated");
      expect(refusal(() => createTokenVerifier(pinned)(wrongAudience)).code).to.equal("unauthenticated");
    });
  });
});

describe("createTokenVerifier's memory of verified tokens", () => {
  const realNow = Date.now;
  afterEach(() => {
    Date.now = realNow;
  });

  it("still refuses a remembered token once its exp has passed", () => {
    const verify = createTokenVerifier(hs256);
    const token = jwt.sign({ tenants: ["alpha"], exp: inAMinute() }, SECRET, { algorithm: "HS256", subject: "agent-1" });
    expect(verify(token).userId).to.equal("agent-1");
    expect(verify(token).userId, "the same token again").to.equal("agent-1");
    Date.now = () => realNow() + 61_000;
    expect(refusal(() => verify(token)).code).to.equal("token_expired");
  });

  it("remembers nothing of a refused token: the same text is refused every time, and a valid one beside it is unaffected", () => {
    const verify = createTokenVerifier(hs256);
    const valid = jwt.sign({ tenants: ["alpha"], exp: inAMinute() }, SECRET, { algorithm: "HS256", subject: "agent-1" });
    const forged = jwt.sign({ tenants: ["alpha", "beta"], exp: inAMinute() }, "another-secret-0123456789-0123456789", { algorithm: "HS256", subject: "agent-1" });
    verify(valid);
    for (let i = 0; i < 3; i++) expect(refusal(() => verify(forged)).code).to.equal("unauthenticated");
    // The forged token differs from the valid one only in what it grants and its signature: never taken for it.
    const tampered = `${valid.split(".")[0]}.${forged.split(".")[1]}.${valid.split(".")[2]}`;
    expect(refusal(() => verify(tampered)).code).to.equal("unauthenticated");
    expect(verify(valid).tenantIds).to.deep.equal(["alpha"]);
  });

  it("hands out a principal no caller can change for the next one", () => {
    const verify = createTokenVerifier(hs256);
    const token = jwt.sign({ tenants: ["alpha"], exp: inAMinute(), role: "AGENT" }, SECRET, { algorithm: "HS256", subject: "agent-1" });
    const first = verify(token);
    expect(() => ((first as { role: string }).role = "OWNER")).to.throw(TypeError);
    expect(() => first.tenantIds.push("beta")).to.throw(TypeError);
    expect(verify(token)).to.deep.include({ role: "AGENT", tenantIds: ["alpha"] });
  });
});

describe("bearerToken", () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    ["Bearer abc.def.ghi", "abc.def.ghi"],
    ["bearer abc.def.ghi", "abc.def.ghi"],
    ["Bearer   abc.def.ghi  ", "abc.def.ghi"],
    ["Basic dXNlcjpwYXNz", undefined],
    ["Bearer", undefined],
    ["Bearer a b", undefined],
    [undefined, undefined],
  ];
  for (const [header, expected] of cases) {
    describe(`when the header is ${JSON.stringify(header)}`, () => {
      it(`returns ${JSON.stringify(expected)}`, () => {
        expect(bearerToken(header)).to.equal(expected);
      });
    });
  }
});
