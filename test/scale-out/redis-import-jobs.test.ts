import { expect } from "chai";
import { Redis } from "ioredis";
import type { ContactBook } from "../../src/contacts/contact-book.js";
import { ImportJobs } from "../../src/contacts/import-jobs.js";
import type { WritePacer } from "../../src/contacts/write-pacer.js";
import { RedisImportJobStore } from "../../src/scale-out/redis-import-jobs.js";
import { settle } from "../support/connect-client.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { REDIS_SERVER, requireSystemProgram } from "../support/system-programs.js";

describe("import jobs in Redis (REDIS_URL)", function () {
  this.timeout(20_000);
  let redis: RedisServer;
  const clients: Redis[] = [];
  const connect = () => {
    const client = new Redis(redis.url);
    clients.push(client);
    return client;
  };
  before(async function () {
    requireSystemProgram(this, REDIS_SERVER);
    redis = await startRedisServer();
  });
  after(async () => {
    clients.forEach((client) => client.disconnect());
    await redis?.stop();
  });

  describe("when the instance running an import dies", () => {
    it("another instance reads the job as interrupted (not running forever), with the rows it had processed", async () => {
      // The running instance writes 3 rows, then its writes hang (as a dead process's would).
      let allowed = 3;
      const released: Array<() => void> = [];
      const pacer = { acquire: () => (allowed-- > 0 ? Promise.resolve() : new Promise<void>((resolve) => released.push(resolve))) } as unknown as WritePacer;
      // As the real book does: the pacer's turn is taken right before the write.
      const book = { upsert: async (_input: unknown, pace: () => Promise<void>) => (await pace(), "created") } as unknown as ContactBook;
      const runningConnection = connect();
      const running = new ImportJobs(() => pacer, new RedisImportJobStore(runningConnection, 500));
      const other = new ImportJobs(() => pacer, new RedisImportJobStore(connect()));

      const rows = Array.from({ length: 10 }, (_, i) => [`+1555430000${i}`, `P${i}`]);
      rows[9] = ["nope", "Bad"];
      const { id } = await running.start("alpha", book, [["phone", "name"], ...rows]);
      for (let i = 0; (await other.get("alpha", id)).processed < 4; i++) {
        expect(i, "the running instance's progress reached Redis").to.be.lessThan(100);
        await settle(100);
      }
      expect(await other.get("alpha", id)).to.include({ status: "processing", processed: 4, created: 3, failed: 1 });

      runningConnection.disconnect(); // its heartbeat stops with it
      let job = await other.get("alpha", id);
      for (let i = 0; job.status === "processing"; i++) {
        expect(i, "the heartbeat lapsed").to.be.lessThan(100);
        await settle(100);
        job = await other.get("alpha", id);
      }
      expect(job).to.include({ status: "interrupted", total: 10, processed: 4, created: 3, failed: 1 });
      expect(job.finishedAt).to.be.a("string");
      expect(await other.rejectedCsv("alpha", id)).to.equal("phone,name,error\r\nnope,Bad,row 11: phoneNumber must be an E.164 number (+ and up to 15 digits)\r\n");
      released.splice(0).forEach((release) => release()); // lets the abandoned job end
    });
  });

  describe("when a tenant starts more imports than it keeps", () => {
    it("keeps the newest 20 and answers 404 for the oldest, in every instance", async () => {
      const book = { upsert: async () => "unchanged" } as unknown as ContactBook;
      const jobs = new ImportJobs(() => ({ acquire: async () => {} }) as unknown as WritePacer, new RedisImportJobStore(connect()));
      const ids: string[] = [];
      for (let i = 0; i < 21; i++) {
        ids.push((await jobs.start("beta", book, [["phone"], ["+15554400001"]])).id);
        while ((await jobs.get("beta", ids.at(-1)!)).status !== "completed") await settle(20);
      }
      const error = await jobs.get("beta", ids[0]!).then(() => undefined, (failure: Error) => failure);
      expect(error?.message).to.equal("no such import job in this tenant");
      expect((await jobs.get("beta", ids[1]!)).status).to.equal("completed");
      expect(await connect().zcard("switchboard:imports:beta")).to.equal(20);
    });
  });
});
