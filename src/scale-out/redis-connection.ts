import { Redis } from "ioredis";
import type { Logger } from "pino";

/**
 * One ioredis connection to `REDIS_URL`, resolved once it is ready. While Redis is away, ioredis reconnects with
 * backoff and queues commands (sent once it is back), so a short blip delays work instead of failing it.
 */
export async function connectRedis(url: string, logger: Logger, role: string): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, connectionName: `switchboard-${role}` });
  let down = false;
  client.on("error", (error: Error) => {
    if (!down) logger.warn({ role, err: error.message }, "Redis connection lost; reconnecting");
    down = true;
  });
  client.on("ready", () => {
    if (down) logger.info({ role }, "Redis connection restored");
    down = false;
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(`cannot reach Redis at REDIS_URL (${(error as Error).message})`);
  }
  return client;
}
