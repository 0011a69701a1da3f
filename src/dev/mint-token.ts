import { loadConfig } from "../config.js";
import { mintDevelopmentToken } from "./development-token.js";

/**
 * `npm run token -- [userId] [tenant,tenant…] [ttlSeconds]`: prints a development JWT signed with the configured
 * HS256 secret (JWT_SECRET, or the development secret when unset).
 */
const [userId = "agent-demo", tenants, ttl] = process.argv.slice(2);
const config = loadConfig(process.env);
const tenantIds = tenants ? tenants.split(",") : [config.defaultTenantId];
const ttlSeconds = ttl ? Number(ttl) : undefined;
const token = mintDevelopmentToken(config.jwt, { userId, tenants: tenantIds, ttlSeconds });
if (!token) {
  process.stderr.write("JWT_PUBLIC_KEY is set (RS256): mint tokens with the matching private key instead.\n");
  process.exit(1);
}
const maxLifetime = config.jwt.maxLifetimeSeconds ?? 0;
if (ttlSeconds !== undefined && maxLifetime > 0 && ttlSeconds > maxLifetime)
  process.stderr.write(`warning: the gateway refuses tokens living longer than JWT_MAX_LIFETIME_SECONDS (${maxLifetime} s)\n`);
process.stdout.write(`${token}\n`);
