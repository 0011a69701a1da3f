import { createHmac, createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";
import { AppError } from "../errors.js";
import type { Role } from "./roles.js";

/** The `kid` header of tokens this gateway issues; the token verifier picks the session key by it. */
export const SESSION_KEY_ID = "switchboard-session";
export const SESSION_ISSUER = "switchboard";

export interface SessionTokenSettings {
  /** HS256 key of the tokens this gateway issues. */
  secret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

/** What a refresh token says: whose, which session, which rotation of it, under which token version. */
export interface RefreshClaims {
  userId: string;
  sessionId: string;
  counter: number;
  tokenVersion: number;
}

/** The key of this gateway's own tokens: SESSION_TOKEN_SECRET, else one derived from JWT_SECRET (never JWT_SECRET itself). */
export function sessionSecret(configured: string | undefined, jwtSecret: string | undefined): string | undefined {
  if (configured) return configured;
  return jwtSecret ? createHmac("sha256", jwtSecret).update("switchboard session tokens").digest("base64url") : undefined;
}

export const newSessionId = (): string => `s${randomBytes(12).toString("base64url")}`;

/** Issues access tokens (short, carry user, tenant, role, session) and refresh tokens (long, rotate on every use). */
export class SessionTokens {
  private readonly key: KeyObject;

  constructor(private readonly settings: SessionTokenSettings) {
    this.key = createSecretKey(Buffer.from(settings.secret));
  }

  get accessTokenTtlSeconds(): number {
    return this.settings.accessTokenTtlSeconds;
  }

  access(user: { id: string; tenantId: string; role: Role; tokenVersion: number }, sessionId: string): string {
    return jwt.sign({ typ: "access", tenant: user.tenantId, role: user.role, sid: sessionId, ver: user.tokenVersion }, this.key, {
      algorithm: "HS256",
      keyid: SESSION_KEY_ID,
      issuer: SESSION_ISSUER,
      subject: user.id,
      expiresIn: this.settings.accessTokenTtlSeconds,
    });
  }

  refresh(claims: RefreshClaims): string {
    return jwt.sign({ typ: "refresh", sid: claims.sessionId, n: claims.counter, ver: claims.tokenVersion }, this.key, {
      algorithm: "HS256",
      keyid: SESSION_KEY_ID,
      issuer: SESSION_ISSUER,
      subject: claims.userId,
      expiresIn: this.settings.refreshTokenTtlSeconds,
      jwtid: randomBytes(9).toString("base64url"),
    });
  }

  /** The claims of a refresh token this gateway issued and that has not expired; 401 otherwise. */
  verifyRefresh(token: string): RefreshClaims {
    let payload: jwt.JwtPayload;
    try {
      const decoded = jwt.verify(token, this.key, { algorithms: ["HS256"], issuer: SESSION_ISSUER });
      if (typeof decoded === "string") throw new Error("not an object");
      payload = decoded;
    } catch {
      throw new AppError("unauthenticated", "the refresh token is invalid or expired", { field: "refreshToken" });
    }
    const { sub, sid, n, ver, typ } = payload;
    if (typ !== "refresh" || typeof sub !== "string" || typeof sid !== "string" || !Number.isInteger(n) || !Number.isInteger(ver))
      throw new AppError("unauthenticated", "the refresh token is invalid or expired", { field: "refreshToken" });
    return { userId: sub, sessionId: sid, counter: n, tokenVersion: ver };
  }
}
