import type { Redis } from "ioredis";

/** Runs a Lua script with these keys and arguments. */
export type LuaScript = (keys: string[], ...args: Array<string | number>) => Promise<unknown>;

/**
 * A Lua script as a command of `redis` (ioredis `defineCommand`): sent as EVALSHA, its SHA1 computed once here,
 * and as EVAL only when Redis answers NOSCRIPT (after a restart or SCRIPT FLUSH) — instead of the script's text
 * with every call, which Redis would hash again each time.
 */
export function luaScript(redis: Redis, name: string, lua: string): LuaScript {
  const commands = redis as unknown as Record<string, (...args: Array<string | number>) => Promise<unknown>>;
  if (typeof commands[name] !== "function") redis.defineCommand(name, { lua });
  return (keys, ...args) => commands[name]!(keys.length, ...keys, ...args);
}
