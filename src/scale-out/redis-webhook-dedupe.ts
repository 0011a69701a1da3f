import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { WebhookDedupe } from "../webhooks/webhook-dedupe.js";
import { luaScript, type LuaScript } from "./lua-script.js";

/** How long a done key is remembered (Twilio retries within minutes). */
const DONE_TTL_MS = 24 * 60 * 60 * 1000;
/** How long an in-flight marker outlives an instance that died mid-work; longer than Twilio's 15 s timeout. */
const RUNNING_TTL_MS = 30_000;
const POLL_MS = 25;

// KEYS: n done keys, then n running keys. ARGV: n, token, running TTL.
const CLAIM = `
local n = tonumber(ARGV[1])
for i = 1, n do if redis.call('EXISTS', KEYS[i]) == 1 then return 'duplicate' end end
for i = n + 1, 2 * n do if redis.call('EXISTS', KEYS[i]) == 1 then return 'running' end end
for i = n + 1, 2 * n do redis.call('SET', KEYS[i], ARGV[2], 'PX', ARGV[3]) end
return 'claimed'`;
// KEYS as above. ARGV: n, token, done TTL (0: the work failed, only the markers go).
const FINISH = `
local n = tonumber(ARGV[1])
if tonumber(ARGV[3]) > 0 then for i = 1, n do redis.call('SET', KEYS[i], '1', 'PX', ARGV[3]) end end
for i = n + 1, 2 * n do if redis.call('GET', KEYS[i]) == ARGV[2] then redis.call('DEL', KEYS[i]) end end
return 1`;

/**
 * WebhookDedupe shared by every instance. A claim (Lua, atomic) fails when a key is done, or waits while another
 * instance runs it (in-flight marker, SET … PX), so a redelivery to the other instance never runs the work twice.
 * A failed attempt removes its markers so the retry runs it. Single Redis only (the keys of one call may live in
 * different cluster slots).
 */
export class RedisWebhookDedupe implements WebhookDedupe {
  private readonly claim: LuaScript;
  private readonly finish: LuaScript;

  constructor(redis: Redis) {
    this.claim = luaScript(redis, "switchboardWebhookClaim", CLAIM);
    this.finish = luaScript(redis, "switchboardWebhookFinish", FINISH);
  }

  async once(keys: string[], work: () => Promise<void> | void): Promise<"applied" | "duplicate"> {
    const redisKeys = [...keys.map((key) => `switchboard:webhook:done:${key}`), ...keys.map((key) => `switchboard:webhook:running:${key}`)];
    const token = randomUUID();
    for (;;) {
      const claim = await this.claim(redisKeys, keys.length, token, RUNNING_TTL_MS);
      if (claim === "duplicate") return "duplicate";
      if (claim === "claimed") break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    try {
      await work();
    } catch (error) {
      await this.finish(redisKeys, keys.length, token, 0);
      throw error;
    }
    await this.finish(redisKeys, keys.length, token, DONE_TTL_MS);
    return "applied";
  }
}
