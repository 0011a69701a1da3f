import jwt from "jsonwebtoken";
import type { Config } from "../config.js";

/** Mints an HS256 access token for development; RS256 deployments mint tokens with their own private key. */
export function mintDevelopmentToken(
  settings: Config["jwt"],
  claims: { userId: string; tenants: string[]; ttlSeconds?: number },
): string | undefined {
  if (settings.algorithm !== "HS256") return undefined;
  return jwt.sign({ tenants: claims.tenants }, settings.verificationKey, {
    algorithm: "HS256",
    subject: claims.userId,
    expiresIn: claims.ttlSeconds ?? 12 * 60 * 60,
    ...(settings.issuer ? { issuer: settings.issuer } : {}),
    ...(settings.audience ? { audience: settings.audience } : {}),
  });
}
