import { expect } from "chai";
import { Redis } from "ioredis";
import { RedisWebhookDedupe } from "../../src/scale-out/redis-webhook-dedupe.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { REDIS_SERVER, requireSystemProgram } from "../support/system-programs.js";

/** Calls of `command` Redis has served so far (INFO commandstats). */
async function calls(redis: Redis, command: string): Promise<number> {
  const info = await redis.info("commandstats");
  return Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, "m").exec(info)?.[1] ?? 0);
}

describe("webhook dedupe in Redis (REDIS_URL)", function () {
  this.timeout(20_000);
  let redis: RedisServer;
  let client: Redis;
  before(async function () {
    requireSystemProgram(this, REDIS_SERVER);
    redis = await startRedisServer();
    client = new Redis(redis.url);
  });
  after(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it("runs its scripts by SHA (the text goes once), and again after Redis forgot them; a redelivery is still a duplicate", async () => {
    const dedupe = new RedisWebhookDedupe(client);
    let worked = 0;
    for (let i = 0; i < 10; i++) expect(await dedupe.once([`webhook-${i}`], () => void worked++)).to.equal("applied");
    // 10 claims + 10 finishes: the first of each script goes as EVAL once Redis answers NOSCRIPT, the rest by SHA.
    expect(await calls(client, "evalsha"), "claims and finishes by SHA").to.be.at.least(18);
    expect(await calls(client, "eval"), "the script's text sent at most once per script").to.be.at.most(2);

    await client.script("FLUSH"); // as after a restart of Redis
    expect(await dedupe.once(["webhook-10"], () => void worked++)).to.equal("applied");
    expect(await dedupe.once(["webhook-3"], () => void worked++)).to.equal("duplicate");
    expect(worked).to.equal(11);
  });
});
